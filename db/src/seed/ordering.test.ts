import { describe, expect, it } from 'vitest';
import { childCode, readingOrder, rowHeightFor } from './ordering.ts';

describe('unit numbering west→east, north→south', () => {
  it('reads a 3 × 2 block like a page: the north row first, west to east within it', () => {
    // centroids of a 3-wide, 2-high block of unit squares, given shuffled
    const cells = [
      { id: 'SE', x: 2.5, y: 0.5 }, { id: 'NW', x: 0.5, y: 1.5 }, { id: 'SW', x: 0.5, y: 0.5 },
      { id: 'NE', x: 2.5, y: 1.5 }, { id: 'S', x: 1.5, y: 0.5 }, { id: 'N', x: 1.5, y: 1.5 },
    ];
    const order = readingOrder(cells, (c) => c, 2, rowHeightFor(6, 6));
    expect(order.map((c) => c.id)).toEqual(['NW', 'N', 'NE', 'SW', 'S', 'SE']);
  });

  it('keeps a unit a little off its row in that row', () => {
    const cells = [{ id: 'b', x: 1.5, y: 1.3 }, { id: 'a', x: 0.5, y: 1.7 }, { id: 'c', x: 0.2, y: 0.4 }];
    expect(readingOrder(cells, (c) => c, 2, 1).map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });

  it('pads codes to three digits and refuses sequences that do not fit', () => {
    expect(childCode('450304', 1)).toBe('450304001');
    expect(childCode('450304001', 12)).toBe('450304001012');
    expect(() => childCode('450304', 1000)).toThrow();
    expect(() => childCode('450304', 0)).toThrow();
  });
});
