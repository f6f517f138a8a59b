import { i18n } from '../i18n/i18n.svelte.ts';

/** 40 KB, 1.2 MB: sizes as a person reads them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A moment as the person's locale writes it, to the minute. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(i18n.locale === 'zh' ? 'zh-CN' : 'en-GB', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
