/**
 * One label point per polygon feature, at its pole of inaccessibility (the
 * interior point farthest from the outline), so that a street's name sits
 * inside the street once, rather than once per tile as MapLibre places
 * polygon labels from a GeoJSON source.
 */
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Point, Polygon, Position } from 'geojson';

type Ring = Position[];

/** Signed distance from (x, y) to the polygon's outline: positive inside. */
function signedDistance(x: number, y: number, rings: Ring[]): number {
  let inside = false;
  let best = Infinity;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i] as Position;
      const b = ring[j] as Position;
      const ax = a[0] as number, ay = a[1] as number, bx = b[0] as number, by = b[1] as number;
      if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
      best = Math.min(best, segmentDistanceSq(x, y, ax, ay, bx, by));
    }
  }
  return (inside ? 1 : -1) * Math.sqrt(best);
}

function segmentDistanceSq(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  let x = ax, y = ay;
  let dx = bx - x, dy = by - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((px - x) * dx + (py - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) { x = bx; y = by; } else if (t > 0) { x += dx * t; y += dy * t; }
  }
  dx = px - x;
  dy = py - y;
  return dx * dx + dy * dy;
}

function ringArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as Position;
    const b = ring[j] as Position;
    sum += ((b[0] as number) - (a[0] as number)) * ((b[1] as number) + (a[1] as number));
  }
  return Math.abs(sum / 2);
}

interface Cell { x: number; y: number; half: number; d: number; max: number }

function cell(x: number, y: number, half: number, rings: Ring[]): Cell {
  const d = signedDistance(x, y, rings);
  return { x, y, half, d, max: d + half * Math.SQRT2 };
}

/** A max-heap of cells by the distance they could still reach. */
class CellQueue {
  private readonly items: Cell[] = [];

  push(item: Cell): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as Cell).max >= item.max) break;
      items[i] = items[parent] as Cell;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Cell | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] as Cell).max > (items[left] as Cell).max ? right : left;
      if ((items[child] as Cell).max <= last.max) break;
      items[i] = items[child] as Cell;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/**
 * Pole of inaccessibility of one polygon (rings in planar coordinates), found
 * to within `precision` by subdividing cells best-first (after Agafonkin's polylabel).
 */
export function poleOfInaccessibility(rings: Ring[], precision: number): [number, number] {
  const outer = rings[0] ?? [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of outer) {
    minX = Math.min(minX, p[0] as number); maxX = Math.max(maxX, p[0] as number);
    minY = Math.min(minY, p[1] as number); maxY = Math.max(maxY, p[1] as number);
  }
  const size = Math.min(maxX - minX, maxY - minY);
  if (!Number.isFinite(size) || size === 0) return [minX, minY];
  const queue = new CellQueue();
  const half = size / 2;
  for (let x = minX; x < maxX; x += size) for (let y = minY; y < maxY; y += size) queue.push(cell(x + half, y + half, half, rings));
  let best = cell((minX + maxX) / 2, (minY + maxY) / 2, 0, rings);
  for (let current = queue.pop(); current; current = queue.pop()) {
    if (current.d > best.d) best = current;
    if (current.max - best.d <= precision) continue;
    const h = current.half / 2;
    queue.push(cell(current.x - h, current.y - h, h, rings));
    queue.push(cell(current.x + h, current.y - h, h, rings));
    queue.push(cell(current.x - h, current.y + h, h, rings));
    queue.push(cell(current.x + h, current.y + h, h, rings));
  }
  return [best.x, best.y];
}

/**
 * Clips a ring to an axis-aligned box (Sutherland–Hodgman: exact for the
 * convex box; a concave ring may keep zero-width seams along the box edge,
 * which do not move a label point).
 */
export function clipRing(ring: Ring, [minX, minY, maxX, maxY]: readonly [number, number, number, number]): Ring {
  const edges: [(p: Position) => boolean, (a: Position, b: Position) => Position][] = [
    [(p) => (p[0] as number) >= minX, (a, b) => cross(a, b, 0, minX)],
    [(p) => (p[0] as number) <= maxX, (a, b) => cross(a, b, 0, maxX)],
    [(p) => (p[1] as number) >= minY, (a, b) => cross(a, b, 1, minY)],
    [(p) => (p[1] as number) <= maxY, (a, b) => cross(a, b, 1, maxY)],
  ];
  let output = ring;
  for (const [inside, intersect] of edges) {
    const input = output;
    output = [];
    for (let i = 0; i < input.length; i++) {
      const current = input[i] as Position;
      const previous = input[(i + input.length - 1) % input.length] as Position;
      if (inside(current)) {
        if (!inside(previous)) output.push(intersect(previous, current));
        output.push(current);
      } else if (inside(previous)) {
        output.push(intersect(previous, current));
      }
    }
    if (output.length === 0) return [];
  }
  return output;
}

function cross(a: Position, b: Position, axis: 0 | 1, value: number): Position {
  const other = axis === 0 ? 1 : 0;
  const t = (value - (a[axis] as number)) / ((b[axis] as number) - (a[axis] as number));
  const point: Position = [0, 0];
  point[axis] = value;
  point[other] = (a[other] as number) + t * ((b[other] as number) - (a[other] as number));
  return point;
}

/**
 * Label point of a (multi)polygon in lon/lat: the pole of its largest part,
 * within `clip` when given (for a neighbour that reaches far off the map).
 */
export function labelPoint(geometry: Polygon | MultiPolygon, clip?: readonly [number, number, number, number]): Position | null {
  let parts = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  if (clip) parts = parts.map((part) => part.map((ring) => clipRing(ring, clip))).filter((part) => (part[0]?.length ?? 0) >= 3);
  let largest: Ring[] | undefined;
  let largestArea = -1;
  for (const part of parts) {
    const area = part[0] ? ringArea(part[0]) : 0;
    if (area > largestArea) { largest = part; largestArea = area; }
  }
  const first = largest?.[0]?.[0];
  if (!largest || !first) return null;
  // Work in a local plane where a degree of longitude and of latitude are the same length.
  const k = Math.cos(((first[1] as number) * Math.PI) / 180);
  const planar = largest.map((ring) => ring.map((p) => [(p[0] as number) * k, p[1] as number]));
  const [x, y] = poleOfInaccessibility(planar, 1e-5); // ~1 m, plenty for a label
  return [x / k, y];
}

export type LabelKind = 'street' | 'community' | 'neighbour';

/** Label points for the polygons of `collection`, tagged with `kind` and their name. */
export function labelPoints(
  collection: FeatureCollection<Geometry | null>, kind: LabelKind, clip?: readonly [number, number, number, number],
): Feature<Point, { kind: LabelKind; name: string; id: unknown }>[] {
  const points: Feature<Point, { kind: LabelKind; name: string; id: unknown }>[] = [];
  for (const feature of collection.features) {
    const geometry = feature.geometry;
    if (!geometry || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) continue;
    const name = feature.properties?.name;
    if (typeof name !== 'string' || name === '') continue;
    const at = labelPoint(geometry, clip);
    if (at) points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { kind, name, id: feature.id } });
  }
  return points;
}
