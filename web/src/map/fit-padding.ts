import type { Map as MapLibreMap } from 'maplibre-gl';

/**
 * How far a fitted view keeps from the map's edges: the panels that cover
 * the map (marked `data-map-cover`) plus a margin, measured when the view is
 * fitted, and never more than the map can give. A fixed padding wider than
 * the map (a narrow window, a wide panel) makes MapLibre refuse the fit with
 * "Map cannot fit within canvas"; this one always leaves room to fit into.
 */

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Padding of every edge, px (MapLibre's Padding with none left out). */
export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Margin between a fitted shape and the edge or panel next to it, px. */
export const FIT_MARGIN = 24;
/** The least width and height a fitted shape is given, px. */
export const MIN_FREE = 120;

/**
 * Padding for a map of `box` covered by `covers` (all in the same
 * coordinates, e.g. the viewport's): a cover spanning the width (a banner)
 * pads the top or the bottom, any other pads the edge it stands nearest
 * (a side panel its side, a toolbar the top). The padding of each axis is scaled down when it
 * would leave less than `minFree` px of the map.
 */
export function coverPadding(box: Rect, covers: readonly Rect[], margin = FIT_MARGIN, minFree = MIN_FREE): Padding {
  const width = box.right - box.left;
  const height = box.bottom - box.top;
  const padding = { top: margin, bottom: margin, left: margin, right: margin };
  for (const cover of covers) {
    const left = Math.max(cover.left, box.left);
    const right = Math.min(cover.right, box.right);
    const top = Math.max(cover.top, box.top);
    const bottom = Math.min(cover.bottom, box.bottom);
    if (right <= left || bottom <= top) continue; // not over the map
    if (right - left >= width * 0.8) {
      // as wide as the map: it covers a band at the top or the bottom
      if (top - box.top < box.bottom - bottom) padding.top = Math.max(padding.top, bottom - box.top + margin);
      else padding.bottom = Math.max(padding.bottom, box.bottom - top + margin);
      continue;
    }
    // otherwise it stands against its nearest edge (a side on a tie: panels are side panels)
    const toLeft = left - box.left;
    const toRight = box.right - right;
    const toTop = top - box.top;
    const toBottom = box.bottom - bottom;
    const side = Math.min(toLeft, toRight);
    if (side <= Math.min(toTop, toBottom)) {
      if (toLeft <= toRight) padding.left = Math.max(padding.left, right - box.left + margin);
      else padding.right = Math.max(padding.right, box.right - left + margin);
    } else if (toTop <= toBottom) {
      padding.top = Math.max(padding.top, bottom - box.top + margin);
    } else {
      padding.bottom = Math.max(padding.bottom, box.bottom - top + margin);
    }
  }
  const fit = (a: number, b: number, size: number): [number, number] => {
    const room = Math.max(0, size - minFree);
    if (a + b <= room) return [a, b];
    const scale = room / (a + b);
    return [Math.floor(a * scale), Math.floor(b * scale)];
  };
  [padding.left, padding.right] = fit(padding.left, padding.right, width);
  [padding.top, padding.bottom] = fit(padding.top, padding.bottom, height);
  return padding;
}

/** The panels over `map` now, from the page: every visible element marked `data-map-cover` beside the map. */
export function mapPadding(map: MapLibreMap, margin = FIT_MARGIN): Padding {
  const container = map.getContainer();
  const box = container.getBoundingClientRect();
  const scope = container.parentElement ?? document.body;
  const covers = [...scope.querySelectorAll<HTMLElement>('[data-map-cover]')]
    .map((element) => element.getBoundingClientRect())
    .filter((rect) => rect.width > 0 && rect.height > 0);
  return coverPadding(box, covers, margin);
}

/**
 * `offset` for `easeTo`/`flyTo` that puts the centre in the middle of the
 * part of the map the panels leave visible. Passing `padding` to those calls
 * instead would keep it as the map's own padding, which every later
 * `fitBounds` adds to its own: two panels' worth is wider than the map.
 */
export function visibleOffset(map: MapLibreMap): [number, number] {
  return paddingOffset(mapPadding(map));
}

/** The shift from the map's centre to the centre of what `padding` leaves. */
export function paddingOffset(padding: Padding): [number, number] {
  return [(padding.left - padding.right) / 2, (padding.top - padding.bottom) / 2];
}
