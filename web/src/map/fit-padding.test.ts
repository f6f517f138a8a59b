import { describe, expect, it } from 'vitest';
import { coverPadding, paddingOffset } from './fit-padding.ts';

const MAP = { left: 0, top: 56, right: 1280, bottom: 800 }; // 1280 × 744 under a 56 px header

describe('coverPadding', () => {
  it('keeps a margin when nothing covers the map', () => {
    expect(coverPadding(MAP, [])).toEqual({ top: 24, bottom: 24, left: 24, right: 24 });
  });

  it('pads past the layer panel on the left and a side panel on the right', () => {
    const layers = { left: 12, top: 68, right: 292, bottom: 600 };
    const panel = { left: 1280 - 12 - 440, top: 68, right: 1268, bottom: 700 };
    // left: the panel ends 292 px into the map, plus the margin; right: it starts 452 px from the right edge
    expect(coverPadding(MAP, [layers, panel])).toEqual({ top: 24, bottom: 24, left: 316, right: 476 });
  });

  it('ignores what lies outside the map and pads a full-width banner at its edge', () => {
    const header = { left: 0, top: 0, right: 1280, bottom: 56 };
    const banner = { left: 0, top: 760, right: 1280, bottom: 800 };
    expect(coverPadding(MAP, [header, banner])).toEqual({ top: 24, bottom: 64, left: 24, right: 24 });
  });

  it('never asks for more padding than the map has: what would not fit is scaled down to leave room', () => {
    const narrow = { left: 0, top: 0, right: 700, bottom: 500 };
    const layers = { left: 12, top: 12, right: 292, bottom: 400 };
    const panel = { left: 700 - 12 - 440, top: 12, right: 688, bottom: 488 };
    const padding = coverPadding(narrow, [layers, panel]);
    // wanted 316 + 476 = 792 > 700: scaled to the 580 px the map can give beyond its 120 px minimum
    expect(padding.left + padding.right).toBeLessThanOrEqual(700 - 120);
    expect(padding.left + padding.right).toBeGreaterThan(570);
    expect(padding.left / padding.right).toBeCloseTo(316 / 476, 1);
    expect(padding.top + padding.bottom).toBeLessThanOrEqual(500);
  });
});

describe('coverPadding of a toolbar', () => {
  it('pads the top for a toolbar in the middle of the top edge', () => {
    const toolbar = { left: 420, top: 68, right: 860, bottom: 106 };
    expect(coverPadding(MAP, [toolbar])).toEqual({ top: 74, bottom: 24, left: 24, right: 24 });
  });
});

describe('paddingOffset', () => {
  it('shifts the centre half the difference of the paddings', () => {
    expect(paddingOffset({ top: 24, bottom: 24, left: 316, right: 476 })).toEqual([-80, 0]);
  });
});
