/**
 * Every failure of the PMTiles reader and writer that is about the archive or
 * its input (rather than I/O) is a PMTilesError with one of these codes, so a
 * caller can map it (a tile endpoint answers 500 `corrupt_archive`, a CLI
 * prints the message) without parsing messages.
 */
export const PMTILES_ERROR_CODES = [
  /** The first bytes are not the `PMTiles` magic number. */
  'not_pmtiles',
  /** A PMTiles archive, but not spec version 3 (v1/v2 or a future version). */
  'unsupported_version',
  /** The archive ends before a section the header points at. */
  'truncated',
  /** Header fields are impossible (unknown compression, sections out of order, bad zooms). */
  'corrupt_header',
  /** A root or leaf directory does not decode to valid entries. */
  'corrupt_directory',
  /** The JSON metadata does not decompress or is not a JSON object. */
  'corrupt_metadata',
  /** The archive uses a compression this runtime cannot decompress (brotli, zstd). */
  'unsupported_compression',
  /** Writer input is not valid: bad z/x/y, empty tile, duplicate tile, bad header option. */
  'invalid_input',
] as const;

export type PMTilesErrorCode = (typeof PMTILES_ERROR_CODES)[number];

export class PMTilesError extends Error {
  override readonly name = 'PMTilesError';
  readonly code: PMTilesErrorCode;

  constructor(code: PMTilesErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
