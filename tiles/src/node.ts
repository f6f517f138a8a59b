// Node-only entry (file access, archive writing): server and command-line tools.
export * from './index.ts';
export * from './pmtiles-file-source.ts';
export * from './pmtiles-writer.ts';
export * from './pmtiles-extract.ts';
export * from './basemap.ts';
export { BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM, NoDistrictError, buildBasemapFile } from './cli/basemap-file.ts';
