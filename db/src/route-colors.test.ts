import Color from 'colorjs.io';
import { describe, expect, it } from 'vitest';
import { ROUTE_COLORS, routeColor } from './route-colors.ts';

/** The light map's background, district fill, road grey and river (web/src/map/theme.ts). */
const MAP_COLOURS = ['#e9edf1', '#fbfbf8', '#9aa3af', '#5b9bd5'];

describe('route colours', () => {
  it('has 18 colours, one per group of the largest district', () => {
    expect(ROUTE_COLORS).toHaveLength(18);
    expect(new Set(ROUTE_COLORS).size).toBe(18);
  });

  it('keeps every pair apart (CIEDE2000 ≥ 15)', () => {
    for (let i = 0; i < ROUTE_COLORS.length; i++) {
      for (let j = i + 1; j < ROUTE_COLORS.length; j++) {
        const a = ROUTE_COLORS[i] as string;
        const b = ROUTE_COLORS[j] as string;
        expect(new Color(a).deltaE(b, '2000'), `${a} vs ${b}`).toBeGreaterThanOrEqual(15);
      }
    }
  });

  it('stands out from the map under it and carries a white stop number', () => {
    for (const colour of ROUTE_COLORS) {
      for (const under of MAP_COLOURS) expect(new Color(colour).deltaE(under, '2000'), `${colour} on ${under}`).toBeGreaterThanOrEqual(15);
      expect(Math.abs(Color.contrast('#ffffff', colour, 'WCAG21')), colour).toBeGreaterThanOrEqual(3);
    }
  });

  it('wraps around past the 18th group', () => {
    expect(routeColor(0)).toBe(ROUTE_COLORS[0]);
    expect(routeColor(18)).toBe(ROUTE_COLORS[0]);
    expect(routeColor(19)).toBe(ROUTE_COLORS[1]);
  });
});
