import { ApiError } from '../../api/client.ts';
import type { EditLayer } from '../../editing/session.ts';
import { t } from '../../i18n/i18n.svelte.ts';
import type { MessageKey } from '../../i18n/zh.ts';
import { errorText } from '../error-text.ts';

/** Refusals that read differently for road sections than for zones. */
const SECTION: Partial<Record<string, MessageKey>> = {
  point_does_not_split: 'section.error.pointDoesNotSplit',
  not_adjacent: 'section.error.notAdjacent',
  section_not_found: 'section.error.notFound',
  empty_geometry: 'section.form.noGeometry',
};

/**
 * A failed edit in the editor's words: a write outside the planner's scope
 * names the scope they may edit; a section's refusals speak of sections.
 */
export function editErrorText(error: unknown, layer: EditLayer, scope: string | undefined): string {
  if (error instanceof ApiError) {
    const onSections = layer === 'road-sections';
    if (error.code === 'out_of_scope') return t(onSections ? 'section.error.outOfScope' : 'edit.error.outOfScope', { scope: scope ?? '—' });
    const known = onSections ? SECTION[error.code] : undefined;
    if (known) return t(known);
  }
  return errorText(error);
}
