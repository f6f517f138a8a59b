/**
 * The problem taxonomy (GET /api/categories): events (事件) and components
 * (部件), each a major class with its minor classes. Only a minor class is
 * reported; it carries the deadline, the owning duty and the duplicate radius.
 */
export interface Category {
  id: string;
  /** The major class; null for a major class itself. */
  parentId: string | null;
  kind: 'event' | 'component';
  nameZh: string;
  nameEn: string;
  /** The duty type whose owner handles it; null: the street office (no duty of its own). */
  dutyTypeId: string | null;
  /** Working hours from dispatch to the deadline. */
  deadlineHours: number | null;
  /** Open problems of the category this close are offered as duplicates. */
  duplicateRadiusM: number;
  sort: number;
}

/** What an admin may change (PUT /api/categories/{id}). */
export interface CategoryPatch {
  deadlineHours?: number;
  duplicateRadiusM?: number;
  dutyTypeId?: string | null;
}

export interface CategoryGroup {
  major: Category;
  minors: Category[];
}

export interface CategoryKindGroups {
  kind: Category['kind'];
  groups: CategoryGroup[];
}

const KIND_ORDER: Category['kind'][] = ['event', 'component'];
const bySort = (a: Category, b: Category) => a.sort - b.sort || a.id.localeCompare(b.id);

/**
 * Events first, then components; within a kind the major classes in their
 * order, each with its minor classes in theirs. A major class without minors
 * is left out (nothing to report or edit under it); a minor class whose major
 * is missing is grouped under itself.
 */
export function groupCategories(list: readonly Category[]): CategoryKindGroups[] {
  const majors = list.filter((c) => c.parentId === null).sort(bySort);
  const minors = list.filter((c) => c.parentId !== null).sort(bySort);
  const known = new Set(majors.map((m) => m.id));
  const groups: CategoryGroup[] = majors.map((major) => ({ major, minors: minors.filter((m) => m.parentId === major.id) }));
  for (const orphan of minors.filter((m) => !known.has(m.parentId ?? ''))) groups.push({ major: orphan, minors: [orphan] });
  return KIND_ORDER.map((kind) => ({ kind, groups: groups.filter((g) => g.major.kind === kind && g.minors.length > 0) })).filter((k) => k.groups.length > 0);
}
