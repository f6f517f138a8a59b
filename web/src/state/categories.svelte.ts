import { api, request } from '../api/client.ts';
import type { DutyType } from '../api/types.ts';
import type { Category, CategoryPatch } from '../components/categories/category.ts';

/** What an admin has typed into a row, as typed (inputs hold text). */
export interface CategoryDraft {
  deadlineHours: string;
  dutyTypeId: string;
  duplicateRadiusM: string;
}

/** The server's limits (PUT /api/categories/{id}). */
export const DEADLINE_HOURS = { min: 1, max: 2000 } as const;
export const DUPLICATE_RADIUS_M = { min: 0, max: 1000 } as const;

export const draftOf = (c: Category): CategoryDraft => ({
  deadlineHours: c.deadlineHours === null ? '' : String(c.deadlineHours),
  dutyTypeId: c.dutyTypeId ?? '',
  duplicateRadiusM: String(c.duplicateRadiusM),
});

/** A whole number within the limits, or what is wrong with the text. */
export function readWhole(text: string, limits: { min: number; max: number }): { value: number } | { problem: 'required' | 'range' } {
  if (text.trim() === '') return { problem: 'required' };
  const value = Number(text);
  if (!Number.isInteger(value) || value < limits.min || value > limits.max) return { problem: 'range' };
  return { value };
}

/**
 * 分类管理 (admins): the taxonomy with its deadlines, owning duty types and
 * duplicate radii, edited in place row by row. Each row keeps what was typed
 * until it is saved or undone.
 */
export class CategoryAdmin {
  categories = $state.raw<Category[]>([]);
  dutyTypes = $state.raw<DutyType[]>([]);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  /** Rows typed into and not saved, by category id. */
  drafts = $state<Record<string, CategoryDraft>>({});

  async load(signal: AbortSignal): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const [{ categories }, dutyTypes] = await Promise.all([
        request<{ categories: Category[] }>('/api/categories', { signal }),
        api.dutyTypes(signal),
      ]);
      this.categories = categories;
      this.dutyTypes = dutyTypes;
    } catch (error) {
      if (!signal.aborted) this.error = error;
    } finally {
      if (!signal.aborted) this.loading = false;
    }
  }

  draft(category: Category): CategoryDraft {
    return this.drafts[category.id] ?? draftOf(category);
  }

  edit(category: Category, field: keyof CategoryDraft, value: string): void {
    this.drafts[category.id] = { ...this.draft(category), [field]: value };
  }

  /** The changed fields of a row; empty when nothing differs from the saved category. */
  changes(category: Category): (keyof CategoryDraft)[] {
    const draft = this.drafts[category.id];
    if (!draft) return [];
    const saved = draftOf(category);
    return (Object.keys(saved) as (keyof CategoryDraft)[]).filter((k) => draft[k].trim() !== saved[k]);
  }

  undo(id: string): void {
    delete this.drafts[id];
  }

  /** Saves a row's patch; the answer replaces the category and the draft is dropped. */
  async save(id: string, patch: CategoryPatch): Promise<Category> {
    const saved = await request<Category>(`/api/categories/${encodeURIComponent(id)}`, { method: 'PUT', body: patch });
    this.categories = this.categories.map((c) => (c.id === saved.id ? saved : c));
    delete this.drafts[id];
    return saved;
  }
}
