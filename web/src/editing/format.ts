/** Areas in the editor's words: square metres to one decimal, hectares beyond 10,000 m². */
export function formatArea(m2: number, hectare = '公顷'): string {
  if (!Number.isFinite(m2)) return '—';
  if (Math.abs(m2) >= 10_000) return `${(m2 / 10_000).toFixed(2)} ${hectare}`;
  return `${(Math.round(m2 * 10) / 10).toFixed(1)} m²`;
}

/** Lengths in the editor's words: metres to one decimal, kilometres beyond 1,000 m. */
export function formatLength(m: number): string {
  if (!Number.isFinite(m)) return '—';
  if (Math.abs(m) >= 1_000) return `${(m / 1_000).toFixed(2)} km`;
  return `${(Math.round(m * 10) / 10).toFixed(1)} m`;
}

/** A moment as `YYYY-MM-DD HH:mm`, in the browser's time zone. */
export function formatMoment(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** Today as `YYYY-MM-DD` where the person is. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
