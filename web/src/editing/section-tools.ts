/**
 * The road-section tools and their drawing surface as the section editor sees
 * them, apart from the drawing library (`draw.ts`, loaded only in edit mode).
 */
import type { LineString } from 'geojson';

/** 选择/修改, 画路段 (a line along a road), 打断 (split at a clicked point). */
export type SectionTool = 'select' | 'line' | 'split';
export const SECTION_TOOLS: readonly SectionTool[] = ['select', 'line', 'split'];

export interface LineEvents {
  /** Something moved (every pointer move while drawing): only schedule work here. */
  changed(): void;
  /** A line was drawn or edited (a vertex dropped, the line moved). */
  finished(): void;
}

/** The surface the section editor drives (implemented by `SectionDrawing`). */
export interface LineSurface {
  setTool(tool: SectionTool): void;
  /** Replaces what is drawn with these lines and selects the first; returns the reasons of lines refused. */
  load(lines: readonly LineString[]): string[];
  /** The lines drawn, including one still being drawn, oldest first. */
  lines(): LineString[];
  /** A line is being drawn (not yet finished). */
  drawing(): boolean;
  clear(): void;
}
