import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type PMTilesWriteOptions, type PMTilesWriteResult, type TileInput, writePMTilesFile } from '../pmtiles-writer.ts';

/**
 * Writes the archive beside its destination and renames it over it, so a
 * server never reads a half-written file.
 */
export async function writeArchive(out: string, tiles: Iterable<TileInput>, options: PMTilesWriteOptions): Promise<PMTilesWriteResult> {
  await mkdir(dirname(out), { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  try {
    const result = await writePMTilesFile(temp, tiles, options);
    await rename(temp, out);
    return result;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
