/**
 * Line colours of inspection groups, in order (第1组 blue, 第2组 green, …): one
 * palette for the seed, the server's new groups and the web's fallback. A
 * district has up to 18 groups, so the 18 colours stay apart from each other
 * (CIEDE2000 ≥ 15 for every pair), from the light map's background, roads
 * and river, and keep a white stop number readable (contrast ≥ 3:1); the test
 * beside it checks all three. Chosen by a greedy max-min search over OKLCH.
 */
export const ROUTE_COLORS = [
  '#2563eb', '#659815', '#f16127', '#8b0f49', '#1c989e', '#d54ef2', '#7e4f04', '#195c2e', '#6407af',
  '#fd4576', '#ae8c19', '#901308', '#82558d', '#aa5f53', '#239d6a', '#8677ce', '#6d6e1d', '#be7ca9',
] as const;

/** The colour of the group at `index` (0-based) among a round's groups. */
export function routeColor(index: number): string {
  return ROUTE_COLORS[((index % ROUTE_COLORS.length) + ROUTE_COLORS.length) % ROUTE_COLORS.length] as string;
}
