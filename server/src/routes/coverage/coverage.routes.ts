import { Hono } from 'hono';
import { z } from 'zod';
import type { Services } from '../../deps.ts';
import type { Env } from '../../http/env.ts';
import { measureColumn, toCsv } from '../../http/csv.ts';
import { type Bounds, boundsOf } from '../../http/geo-bounds.ts';
import { checkPolygonInput, polygonInput } from '../../http/geojson.ts';
import { validate } from '../../http/validate.ts';
import { DEFAULT_TOLERANCE, type Tolerance } from '../../repositories/coverage.repository.ts';
import type { AreaSpec, GapFinding, OverlapFinding, ResolvedArea } from '../../services/coverage.service.ts';

const number = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be finite').pipe(z.number().min(min).max(max));

/** Options shared by GET (query) and POST (body). */
const options = {
  duty: z.string().max(64).optional(),
  min_width: number(0, 1000).optional(),
  min_area: number(0, 1e7).optional(),
  road_tolerance: number(0, 100).optional(),
  format: z.enum(['geojson', 'csv']).optional(),
};

const areaQuery = z
  .string()
  .regex(/^(district|[1-9][0-9]{0,9})$/, 'must be "district" or a territory id (POST a GeoJSON polygon for a drawn area)')
  .default('district');

const getQuery = z.object({ ...options, area: areaQuery });
const postBody = z.object({ ...options, area: z.union([areaQuery, polygonInput]).default('district') });

/** A query, or a body with the bounds a drawn area must stay within. */
type Options = z.infer<typeof getQuery> | (z.infer<typeof postBody> & { bounds: Bounds });

function areaSpec(o: Options): AreaSpec {
  const area = o.area;
  if (typeof area !== 'string') return { kind: 'polygon', geometry: checkPolygonInput(area, (o as { bounds: Bounds }).bounds) };
  return area === 'district' ? { kind: 'district' } : { kind: 'territory', id: Number(area) };
}

function tolerance(o: Options): Tolerance {
  return { minWidthM: o.min_width ?? DEFAULT_TOLERANCE.minWidthM, minAreaM2: o.min_area ?? DEFAULT_TOLERANCE.minAreaM2 };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function collection(features: { geometry: unknown; properties: Record<string, unknown> }[], meta: Record<string, unknown>) {
  return {
    type: 'FeatureCollection' as const,
    ...meta,
    features: features.map((f, i) => ({ type: 'Feature' as const, id: i + 1, geometry: f.geometry, properties: { id: i + 1, ...f.properties } })),
  };
}

function areaMeta(area: ResolvedArea) {
  return { label: area.label, territory_id: area.territoryId, repaired: area.repaired !== null, repair_reason: area.repaired?.reason ?? null };
}

function gapFeatures(gaps: GapFinding[]) {
  return gaps.map(({ geometry, ...g }) => ({
    geometry,
    properties: {
      kind: g.kind,
      area_m2: round(g.area_m2),
      width_m: round(g.width_m),
      neighbours: g.neighbours,
      suggested_owner: g.suggested_owner,
      points: g.points,
      road_length_m: round(g.road_length_m),
    },
  }));
}

function overlapFeatures(overlaps: OverlapFinding[]) {
  return overlaps.map(({ geometry, ...o }) => ({
    geometry,
    properties: { kind: o.kind, area_m2: round(o.area_m2), width_m: round(o.width_m), zones: o.zones, owners: o.zones.map((z) => z.owner_name) },
  }));
}

const csvHeaders = { 'content-type': 'text/csv; charset=utf-8' };

export function coverageRoutes({ coverage }: Services) {
  async function gaps(o: Options) {
    const duty = await coverage.requireDuty(o.duty);
    const area = await coverage.resolveArea(areaSpec(o));
    const t = tolerance(o);
    const found = await coverage.gaps(area, duty, t);
    return { duty, area, tolerance: t, found };
  }

  async function overlaps(o: Options) {
    const duty = await coverage.requireDuty(o.duty);
    const area = await coverage.resolveArea(areaSpec(o));
    const t = tolerance(o);
    return { duty, area, tolerance: t, found: await coverage.overlaps(area, duty, t) };
  }

  const count = (list: { kind: string; area_m2: number }[], kind: string) => {
    const of = list.filter((x) => x.kind === kind);
    return { count: of.length, area_m2: round(of.reduce((a, x) => a + x.area_m2, 0)) };
  };

  const answerGaps = async (o: Options) => {
    const r = await gaps(o);
    if (o.format === 'csv') {
      return {
        csv: toCsv(
          ['kind', measureColumn('area_m2'), measureColumn('width_m'), 'suggested_owner', 'neighbours', 'points', measureColumn('road_length_m')],
          r.found.map((g) => [
            g.kind, g.area_m2, g.width_m, g.suggested_owner?.owner_name ?? '',
            g.neighbours.map((n) => `${n.owner_name} (${n.zone_name}) ${round(n.shared_m, 1)} m`).join('; '),
            g.points.map((p) => `${p.code} ${p.name}`).join('; '), g.road_length_m,
          ]),
        ),
      };
    }
    return {
      json: collection(gapFeatures(r.found), {
        duty: r.duty, area: areaMeta(r.area), tolerance: r.tolerance,
        totals: { gaps: count(r.found, 'gap'), slivers: count(r.found, 'sliver') },
      }),
    };
  };

  const answerOverlaps = async (o: Options) => {
    const r = await overlaps(o);
    if (o.format === 'csv') {
      return {
        csv: toCsv(
          ['kind', measureColumn('area_m2'), measureColumn('width_m'), 'owner_a', 'zone_a', 'owner_b', 'zone_b'],
          r.found.map((f) => [f.kind, f.area_m2, f.width_m, f.zones[0]?.owner_name, f.zones[0]?.zone_name, f.zones[1]?.owner_name, f.zones[1]?.zone_name]),
        ),
      };
    }
    return {
      json: collection(overlapFeatures(r.found), {
        duty: r.duty, area: areaMeta(r.area), tolerance: r.tolerance,
        totals: { overlaps: count(r.found, 'overlap'), slivers: count(r.found, 'sliver') },
      }),
    };
  };

  const answerCrossTier = async (o: Options) => {
    const area = await coverage.resolveArea(areaSpec(o));
    const t = tolerance(o);
    const found = await coverage.crossTier(area, t);
    if (o.format === 'csv') {
      return { csv: toCsv(['kind', 'sliver', measureColumn('area_m2'), measureColumn('width_m')], found.map((f) => [f.kind, f.sliver, f.area_m2, f.width_m])) };
    }
    const sum = (kind: string, sliver: boolean) => {
      const of = found.filter((f) => f.kind === kind && f.sliver === sliver);
      return { count: of.length, area_m2: round(of.reduce((a, f) => a + f.area_m2, 0)) };
    };
    return {
      json: collection(
        found.map(({ geometry, ...f }) => ({ geometry, properties: { kind: f.kind, sliver: f.sliver, area_m2: round(f.area_m2), width_m: round(f.width_m) } })),
        {
          duties: ['sanitation-city', 'sanitation-town'], area: areaMeta(area), tolerance: t,
          totals: { both: sum('both', false), neither: sum('neither', false), both_slivers: sum('both', true), neither_slivers: sum('neither', true) },
        },
      ),
    };
  };

  const answerRoads = async (o: Options) => {
    const area = await coverage.resolveArea(areaSpec(o));
    const toleranceM = o.road_tolerance ?? 2;
    const { ownerless, contested } = await coverage.roads(area, toleranceM);
    if (o.format === 'csv') {
      return {
        csv: toCsv(
          ['kind', 'road', 'road_class', measureColumn('length_m'), 'claimed_by'],
          [
            ...ownerless.map((r) => ['ownerless', r.road_name, r.road_class, r.length_m, '']),
            ...contested.map((c) => ['contested', c.sections.map((s) => s.section_name).join(' / '), '', c.length_m, c.sections.map((s) => s.owner_name).join(' / ')]),
          ],
        ),
      };
    }
    const km = (list: { length_m: number }[]) => round(list.reduce((a, r) => a + r.length_m, 0) / 1000, 3);
    return {
      json: collection(
        [
          ...ownerless.map(({ geometry, ...r }) => ({ geometry, properties: { ...r, length_m: round(r.length_m) } })),
          ...contested.map(({ geometry, ...c }) => ({ geometry, properties: { ...c, length_m: round(c.length_m), owners: c.sections.map((s) => s.owner_name) } })),
        ],
        { area: areaMeta(area), road_tolerance_m: toleranceM, totals: { ownerless_km: km(ownerless), contested_km: km(contested) } },
      ),
    };
  };

  type Answer = { json?: unknown; csv?: string };
  const reply = (c: { json: (b: unknown) => Response; body: (b: string, s: 200, h: Record<string, string>) => Response }, a: Answer, name: string) =>
    a.csv !== undefined ? c.body(a.csv, 200, { ...csvHeaders, 'content-disposition': `attachment; filename="${name}.csv"` }) : c.json(a.json);

  return new Hono<Env>()
    .get('/gaps', validate('query', getQuery), async (c) => reply(c, await answerGaps(c.req.valid('query')), 'gaps'))
    .post('/gaps', validate('json', postBody), async (c) => reply(c, await answerGaps({ ...c.req.valid('json'), bounds: await boundsOf(c) }), 'gaps'))
    .get('/overlaps', validate('query', getQuery), async (c) => reply(c, await answerOverlaps(c.req.valid('query')), 'overlaps'))
    .post('/overlaps', validate('json', postBody), async (c) => reply(c, await answerOverlaps({ ...c.req.valid('json'), bounds: await boundsOf(c) }), 'overlaps'))
    .get('/cross-tier', validate('query', getQuery), async (c) => reply(c, await answerCrossTier(c.req.valid('query')), 'cross-tier'))
    .post('/cross-tier', validate('json', postBody), async (c) => reply(c, await answerCrossTier({ ...c.req.valid('json'), bounds: await boundsOf(c) }), 'cross-tier'))
    .get('/roads', validate('query', getQuery), async (c) => reply(c, await answerRoads(c.req.valid('query')), 'roads'))
    .post('/roads', validate('json', postBody), async (c) => reply(c, await answerRoads({ ...c.req.valid('json'), bounds: await boundsOf(c) }), 'roads'))
    .get('/points', validate('query', z.object({ format: options.format })), async (c) => {
      const points = await coverage.points();
      if (c.req.valid('query').format === 'csv') {
        return c.body(
          toCsv(
            ['code', 'name', 'point_type', 'street', 'community', 'leader', 'department', 'people', ...(points[0]?.duties.map((d) => d.duty) ?? []), 'issues'],
            points.map((p) => [
              p.code, p.name, p.point_type, p.street_name, p.community_name, p.has_leader ? 'yes' : 'no', p.has_department ? 'yes' : 'no',
              p.people_count, ...p.duties.map((d) => d.zones), p.issues.map((i) => (i.duty ? `${i.issue}:${i.duty}` : i.issue)).join('; '),
            ]),
          ),
          200,
          { ...csvHeaders, 'content-disposition': 'attachment; filename="points.csv"' },
        );
      }
      return c.json(
        collection(
          points.map(({ geometry, ...p }) => ({ geometry, properties: p })),
          { totals: { points: points.length, with_issues: points.filter((p) => p.issues.length > 0).length } },
        ),
      );
    })
    .get('/summary', validate('query', getQuery.omit({ area: true })), async (c) => {
      const o = c.req.valid('query');
      const duty = await coverage.requireDuty(o.duty);
      const rows = await coverage.summary(duty, tolerance({ ...o, area: 'district' }), o.road_tolerance ?? 2);
      if (o.format === 'csv') {
        return c.body(
          toCsv(
            ['level', 'code', 'name', 'area_m2', 'covered_pct', 'gap_count', 'gap_area_m2', 'sliver_count', 'overlap_count', 'overlap_area_m2', 'ownerless_road_km', 'points_with_issues'],
            rows.map((r) => [r.level, r.code, r.name, r.area_m2, r.covered_pct, r.gap_count, r.gap_area_m2, r.sliver_count, r.overlap_count, r.overlap_area_m2, r.ownerless_road_km, r.points_with_issues]),
          ),
          200,
          { ...csvHeaders, 'content-disposition': 'attachment; filename="summary.csv"' },
        );
      }
      return c.json({ duty, rows });
    });
}
