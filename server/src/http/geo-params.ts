import { z } from 'zod';

const finite = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .transform((value, ctx) => {
      const n = Number(value);
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: 'custom', message: `${label} must be a finite number` });
        return z.NEVER;
      }
      return n;
    });

export const longitude = finite('lon').pipe(z.number().min(-180, 'lon must be within [-180, 180]').max(180, 'lon must be within [-180, 180]'));
export const latitude = finite('lat').pipe(z.number().min(-90, 'lat must be within [-90, 90]').max(90, 'lat must be within [-90, 90]'));

export type BBox = readonly [minLon: number, minLat: number, maxLon: number, maxLat: number];

/** `minLon,minLat,maxLon,maxLat` in WGS84 degrees. */
export const bboxParam = z
  .string()
  .transform((value, ctx): BBox => {
    const parts = value.split(',').map((p) => p.trim());
    const numbers = parts.map(Number);
    if (parts.length !== 4 || parts.some((p) => p === '') || !numbers.every(Number.isFinite)) {
      ctx.addIssue({ code: 'custom', message: 'bbox must be four numbers: minLon,minLat,maxLon,maxLat' });
      return z.NEVER;
    }
    const [minLon, minLat, maxLon, maxLat] = numbers as [number, number, number, number];
    if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) {
      ctx.addIssue({ code: 'custom', message: 'bbox is outside [-180, -90, 180, 90]' });
      return z.NEVER;
    }
    if (minLon >= maxLon || minLat >= maxLat) {
      ctx.addIssue({ code: 'custom', message: 'bbox must have minLon < maxLon and minLat < maxLat' });
      return z.NEVER;
    }
    return [minLon, minLat, maxLon, maxLat];
  });

/** Positive integer id in a path segment. */
export const idParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer id')
  .transform(Number)
  .pipe(z.number().max(2_147_483_647, 'must be a positive integer id'));
