/**
 * Numbering of territorial units as in the national practice for unit grids:
 * west → east, north → south. Children are cut into rows of `rowHeight`
 * measured down from the top of the parent; rows are numbered from the
 * north and, within a row, units from the west. `rowHeight` is the side of
 * a square of the children's mean area (√(parent area / n)), so a row holds
 * units of about one child's height. Coordinates are lon/lat degrees.
 */
export interface Centroid {
  x: number;
  y: number;
}

export function rowHeightFor(parentArea: number, children: number): number {
  if (children <= 0 || parentArea <= 0) throw new Error('rowHeightFor needs a positive area and child count');
  return Math.sqrt(parentArea / children);
}

/** Row of a centroid (0 = northernmost), for the rule above. */
export function rowOf(centroid: Centroid, top: number, rowHeight: number): number {
  return Math.max(0, Math.floor((top - centroid.y) / rowHeight));
}

/** The items in numbering order (a new array); ties fall back to north first, then input order. */
export function readingOrder<T>(items: readonly T[], centroidOf: (item: T) => Centroid, top: number, rowHeight: number): T[] {
  return items
    .map((item, index) => ({ item, index, c: centroidOf(item) }))
    .map((e) => ({ ...e, row: rowOf(e.c, top, rowHeight) }))
    .sort((a, b) => a.row - b.row || a.c.x - b.c.x || b.c.y - a.c.y || a.index - b.index)
    .map((e) => e.item);
}

/** `prefix` followed by a zero-padded sequence number: code('450304001', 7) → '450304001007'. */
export function childCode(prefix: string, sequence: number, digits = 3): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence >= 10 ** digits) {
    throw new Error(`sequence ${sequence} does not fit in ${digits} digits`);
  }
  return prefix + String(sequence).padStart(digits, '0');
}
