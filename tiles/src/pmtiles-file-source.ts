/**
 * A PMTiles `Source` over a local file (Node only), reading ranges through
 * one open FileHandle. Open it once per archive and close it on shutdown.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Source } from './pmtiles-reader.ts';

export class PMTilesFileSource implements Source {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<PMTilesFileSource> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new PMTilesFileSource(handle, size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Up to `length` bytes from `offset`; fewer at the end of the file, none past it. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`invalid read range ${offset}+${length}`);
    }
    // Never allocate past the end of the file, whatever length a corrupt header asks for.
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const buffer = new Uint8Array(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.handle.read(buffer, filled, wanted - filled, offset + filled);
      if (bytesRead === 0) break; // the file shrank since it was opened
      filled += bytesRead;
    }
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
