import { describe, expect, it } from 'vitest';
import { hatchPattern } from './hatch.ts';

describe('hatchPattern', () => {
  it('draws diagonal stripes that tile seamlessly', () => {
    const { width, height, data } = hatchPattern(8, [249, 115, 22], 200, 4);
    expect([width, height, data.length]).toEqual([8, 8, 256]);
    const on = (x: number, y: number) => data[(y * 8 + x) * 4 + 3] === 200;
    expect(on(0, 0)).toBe(true);
    expect(on(2, 0)).toBe(false);
    expect(on(3, 1)).toBe(true); // (x + y) % 4 === 0
    // the right edge continues into the left: x = 7 and x = 8 ≡ 0 agree with the stripe period
    for (let y = 0; y < 8; y++) expect(on(7, y)).toBe(on(3, y));
    expect([...data.slice(0, 3)]).toEqual([249, 115, 22]);
  });
});
