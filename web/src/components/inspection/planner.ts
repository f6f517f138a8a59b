/**
 * Pure helpers of the planner's inspection views: figures as the panel and the
 * route sheet print them, group colours, the stops of a group, sorting and
 * the CSV of the scores. No state, no fetch; the tests beside them check them.
 */
import { ROUTE_COLORS } from '@civgrid/tiles';
import type { Feature, MultiLineString, Point } from 'geojson';
import type { Group, RatingKey, RouteCollection, RouteProps, StopProps } from './inspection-api.ts';

/** Colours for groups that have none of their own, in creation order: the server's and the seed's palette. */
export const GROUP_PALETTE = ROUTE_COLORS;

/** A group's colour: its own, else the palette's by its place among the round's groups. */
export function groupColor(group: Pick<Group, 'color'>, index: number): string {
  return group.color && /^#[0-9a-f]{6}$/i.test(group.color) ? group.color : (GROUP_PALETTE[index % GROUP_PALETTE.length] ?? '#2563eb');
}

/** Metres as kilometres with one decimal: 12345 → "12.3". */
export function km(metres: number): string {
  return (Math.round(metres / 100) / 10).toFixed(1);
}

/** A leg's length: metres under a kilometre ("850 m"), else kilometres ("1.2 km"). */
export function legText(metres: number | null): string {
  if (metres === null || !Number.isFinite(metres)) return '';
  return metres < 1000 ? `${Math.round(metres)} m` : `${km(metres)} km`;
}

/** Seconds as whole hours and minutes, rounded to the minute. */
export function hoursMinutes(seconds: number): { h: number; m: number } {
  const minutes = Math.round(seconds / 60);
  return { h: Math.floor(minutes / 60), m: minutes % 60 };
}

/** A weight in (0, 1] as a percentage the planner reads (0.4 → 40, 0.125 → 12.5). */
export function weightPercent(weight: number): number {
  return Math.round(weight * 1000) / 10;
}

/** A percentage typed by the planner as the API's weight, or null when it is not in (0, 100]. */
export function weightFromPercent(text: string): number | null {
  const value = Number(text.trim().replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 100) return null;
  return Math.round(value * 10) / 1000;
}

export type StopFeature = Feature<Point, StopProps>;
export type RouteFeature = Feature<MultiLineString, RouteProps>;

export function isStop(feature: RouteCollection['features'][number]): feature is StopFeature {
  return feature.properties.kind === 'stop' && feature.geometry.type === 'Point';
}

export function isRoute(feature: RouteCollection['features'][number]): feature is RouteFeature {
  return feature.properties.kind === 'route' && feature.geometry.type === 'MultiLineString';
}

/** A group's stops in visiting order. */
export function stopsOf(routes: RouteCollection | null, groupId: number): StopFeature[] {
  if (!routes) return [];
  return routes.features
    .filter(isStop)
    .filter((stop) => stop.properties.groupId === groupId)
    .sort((a, b) => a.properties.order - b.properties.order);
}

/**
 * A group's route as the map draws it (the routes answer), else as the round
 * said. The round and its routes are read together, and the routes answer
 * computes the routes the round did not have yet (the demo seed leaves them
 * to the first view): the round alone would say 路线未计算 under a drawn line.
 */
export function routeOf(group: Pick<Group, 'id' | 'route'>, routes: RouteCollection | null): Group['route'] {
  const drawn = routes?.features.find((feature): feature is RouteFeature => isRoute(feature) && feature.properties.groupId === group.id);
  if (!drawn) return group.route;
  const { lengthM, durationS, method } = drawn.properties;
  return { lengthM, durationS, method };
}

/** The box around a group's route and stops (all groups when `groupId` is null); null when there is nothing. */
export function routeBounds(routes: RouteCollection | null, groupId: number | null): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  const add = (lon: number, lat: number) => {
    if (!box) box = [lon, lat, lon, lat];
    else box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
  };
  for (const feature of routes?.features ?? []) {
    if (groupId !== null && feature.properties.groupId !== groupId) continue;
    if (feature.geometry.type === 'Point') add(feature.geometry.coordinates[0] ?? 0, feature.geometry.coordinates[1] ?? 0);
    else for (const line of feature.geometry.coordinates) for (const [lon, lat] of line) add(lon ?? 0, lat ?? 0);
  }
  return box;
}

/** The rating's key from what the server sends ('good' or '好' …); null when there is none. */
export function ratingKey(rating: string | null | undefined): RatingKey | null {
  if (rating === 'good' || rating === '好') return 'good';
  if (rating === 'fair' || rating === '中') return 'fair';
  if (rating === 'poor' || rating === '差') return 'poor';
  return null;
}

/** A score with one decimal, or an empty string when there is none. */
export function scoreText(score: number | null | undefined): string {
  return typeof score === 'number' && Number.isFinite(score) ? score.toFixed(1) : '';
}

export type PointSortKey = 'code' | 'name' | 'score' | 'checkedAt';
export type CommunitySortKey = 'name' | 'points' | 'score';
export type SortDirection = 'asc' | 'desc';

/**
 * Sorted copy of score rows by `key`: rows without a value (not checked, no
 * name) always last, ties by code or name so the order is stable.
 */
export function sortScores<T extends { code: string } | { name: string | null }>(rows: readonly T[], key: string, direction: SortDirection): T[] {
  const sign = direction === 'asc' ? 1 : -1;
  const label = (row: T) => ('code' in row ? row.code : (row.name ?? ''));
  return [...rows].sort((a, b) => {
    const x = (a as unknown as Record<string, unknown>)[key] ?? null;
    const y = (b as unknown as Record<string, unknown>)[key] ?? null;
    if (x === null && y === null) return label(a).localeCompare(label(b), 'zh-CN');
    if (x === null) return 1;
    if (y === null) return -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
    return order === 0 ? label(a).localeCompare(label(b), 'zh-CN') : sign * order;
  });
}

/** A CSV cell: quoted when needed, and never read by a spreadsheet as a formula. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows as CSV for Excel: a UTF-8 byte-order mark (so Excel reads the Chinese), CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Save `text` as a download named `name`. */
export function download(text: string, name: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `#/print/round/{id}/group/{groupId}`: the route sheet of one group. */
export interface SheetRoute {
  roundId: number;
  groupId: number;
}

export function sheetHash(route: SheetRoute): string {
  return `#/print/round/${route.roundId}/group/${route.groupId}`;
}

export function parseSheetHash(hash: string): SheetRoute | null {
  const match = /^#\/print\/round\/(\d{1,9})\/group\/(\d{1,9})$/.exec(hash);
  if (!match) return null;
  return { roundId: Number(match[1]), groupId: Number(match[2]) };
}

/** Today in China time, `YYYY-MM-DD`. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** An instant as China time, `YYYY-MM-DD HH:mm`; empty when there is none. */
export function chinaDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '';
  return new Date(time + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Rounds as the final score's default choice reads them. */
export interface WeightedRound {
  id: number;
  startsOn: string;
  endsOn: string;
  weight: number;
}

const WEIGHT_EPSILON = 1e-6;

/**
 * The rounds the weighted final ticks by default: the rounds of one campaign,
 * i.e. the most recent run of consecutive rounds (by dates, newest first)
 * whose weights add up to exactly 100 %. Rounds carry no campaign of their
 * own, so a campaign is what the weights say it is: 40 % + 60 % close one.
 * A newer round whose campaign is not complete yet is skipped over. Where no
 * run adds up to 100 %, the newest round alone (the view says the sum).
 */
export function defaultFinalRounds(rounds: readonly WeightedRound[]): number[] {
  const newestFirst = [...rounds].sort((a, b) => b.startsOn.localeCompare(a.startsOn) || b.endsOn.localeCompare(a.endsOn) || b.id - a.id);
  for (let start = 0; start < newestFirst.length; start++) {
    let sum = 0;
    for (let end = start; end < newestFirst.length; end++) {
      sum += newestFirst[end]!.weight;
      if (Math.abs(sum - 1) <= WEIGHT_EPSILON) return newestFirst.slice(start, end + 1).map((r) => r.id).sort((a, b) => a - b);
      if (sum > 1 + WEIGHT_EPSILON) break;
    }
  }
  return newestFirst[0] ? [newestFirst[0].id] : [];
}

/** Whether weights add up to 100 % (to the rounding of a percentage with one decimal). */
export function weightsComplete(sum: number): boolean {
  return Math.abs(sum - 1) <= 0.0005;
}

/**
 * The weighted final as the server computes it (Σ weight × score ÷ Σ weight
 * over the rounds that have a score), written out: each term, the divisor and
 * the result, so a reader can check the figure.
 */
export function finalFormula(rounds: readonly { weight: number; score: number | null }[]): { terms: { weight: number; score: number }[]; weightSum: number; score: number | null } {
  const terms = rounds.filter((r): r is { weight: number; score: number } => typeof r.score === 'number' && Number.isFinite(r.score)).map((r) => ({ weight: r.weight, score: r.score }));
  const weightSum = terms.reduce((s, r) => s + r.weight, 0);
  const score = weightSum > 0 ? terms.reduce((s, r) => s + r.weight * r.score, 0) / weightSum : null;
  return { terms, weightSum, score };
}
