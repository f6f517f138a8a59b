/** A diagonal hatch as RGBA pixels, for MapLibre's `fill-pattern` (`map.addImage`). */
export function hatchPattern(size: number, rgb: readonly [number, number, number], alpha = 220, every = 4): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((x + y) % every > 1) continue;
      const i = (y * size + x) * 4;
      data[i] = rgb[0];
      data[i + 1] = rgb[1];
      data[i + 2] = rgb[2];
      data[i + 3] = alpha;
    }
  }
  return { width: size, height: size, data };
}
