/**
 * The editing tools and the drawing surface as the editor state sees them,
 * apart from the drawing library (`draw.ts`, loaded only in edit mode).
 */
import type { LineString, Polygon } from 'geojson';

export type DrawTool = 'select' | 'polygon' | 'rectangle' | 'freehand' | 'split';
export const DRAW_TOOLS: readonly DrawTool[] = ['select', 'polygon', 'rectangle', 'freehand', 'split'];

export interface DrawEvents {
  /** Something moved (every pointer move while drawing): only schedule work here. */
  changed(): void;
  /** An area was drawn or edited (a vertex dropped, the shape moved). */
  finished(): void;
  /** A cut line was drawn (split tool). */
  line(line: LineString): void;
}

/** The editing surface the editor state drives (implemented by `ZoneDrawing`). */
export interface DrawSurface {
  setTool(tool: DrawTool): void;
  /** Replaces what is drawn with these parts and selects the first; returns the reasons of parts refused. */
  load(parts: readonly Polygon[]): string[];
  /** The areas drawn, including one still being drawn. */
  parts(): Polygon[];
  /** A shape is being drawn (not yet finished). */
  drawing(): boolean;
  clear(): void;
}
