/**
 * The drawing tool on the map (terra-draw with its MapLibre adapter), behind
 * the few verbs the editors need: pick a tool, load parts, read them back —
 * areas for the zones (`ZoneDrawing`), lines for the road sections
 * (`SectionDrawing`). Nothing else in the app talks to terra-draw.
 */
import type { LineString, Polygon, Position } from 'geojson';
import type { Map as MapLibreMap } from 'maplibre-gl';
import {
  type GeoJSONStoreFeatures,
  type SnapToCustom,
  TerraDraw,
  TerraDrawFreehandMode,
  TerraDrawLineStringMode,
  TerraDrawPolygonMode,
  TerraDrawRectangleMode,
  TerraDrawSelectMode,
  ValidateNotSelfIntersecting,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import { COORDINATE_DIGITS, rounded } from './geometry.ts';
import type { LineEvents, LineSurface, SectionTool } from './section-tools.ts';
import type { DrawEvents, DrawSurface, DrawTool } from './tools.ts';

/** terra-draw's mode for each tool: splitting draws a line. */
const MODE: Record<DrawTool, string> = { select: 'select', polygon: 'polygon', rectangle: 'rectangle', freehand: 'freehand', split: 'linestring' };
const AREA_MODES = new Set(['polygon', 'rectangle', 'freehand']);


const BLUE = '#2563eb';
const validation = (feature: GeoJSONStoreFeatures) => ValidateNotSelfIntersecting(feature);

export class ZoneDrawing implements DrawSurface {
  readonly #draw: TerraDraw;
  readonly #events: DrawEvents;

  constructor(map: MapLibreMap, snap: SnapToCustom, events: DrawEvents) {
    this.#events = events;
    const snapping = { toCustom: snap };
    const editable = {
      feature: {
        draggable: true,
        coordinates: { draggable: true, deletable: true, midpoints: true, snappable: snapping },
        validation,
      },
    };
    const area = { fillColor: BLUE, fillOpacity: 0.18, outlineColor: BLUE, outlineWidth: 2 } as const;
    this.#draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: COORDINATE_DIGITS, prefixId: 'civgrid-draw' }),
      modes: [
        new TerraDrawSelectMode({
          flags: { polygon: editable, rectangle: editable, freehand: editable },
          styles: {
            selectedPolygonColor: BLUE, selectedPolygonFillOpacity: 0.24, selectedPolygonOutlineColor: '#1e3a8a', selectedPolygonOutlineWidth: 2.5,
            selectionPointColor: '#ffffff', selectionPointOutlineColor: '#1e3a8a', selectionPointWidth: 4, selectionPointOutlineWidth: 2,
            midPointColor: '#93c5fd', midPointOutlineColor: '#1e3a8a', midPointWidth: 3,
          },
        }),
        new TerraDrawPolygonMode({
          snapping,
          validation,
          styles: { ...area, closingPointColor: '#ffffff', closingPointOutlineColor: BLUE, snappingPointColor: '#f59e0b', snappingPointWidth: 5 },
        }),
        new TerraDrawRectangleMode({ styles: area }),
        new TerraDrawFreehandMode({ styles: area }),
        new TerraDrawLineStringMode({ snapping, styles: { lineStringColor: '#be123c', lineStringWidth: 3 } }),
      ],
    });
    this.#draw.start();
    this.#draw.setMode('select');
    this.#draw.on('change', this.#onChange);
    this.#draw.on('finish', this.#onFinish);
  }

  #onChange = () => this.#events.changed();

  #onFinish = (id: string | number) => {
    const feature = this.#draw.getSnapshotFeature(id);
    if (!feature) return;
    if (feature.geometry.type === 'LineString') {
      this.#draw.removeFeatures([id]);
      this.#events.line(feature.geometry);
      return;
    }
    this.#events.finished();
  };

  setTool(tool: DrawTool): void {
    if (this.#draw.getMode() !== MODE[tool]) this.#draw.setMode(MODE[tool]);
  }

  load(parts: readonly Polygon[]): string[] {
    this.#draw.clear();
    const features = parts.map((part) => ({
      id: this.#draw.getFeatureId(),
      type: 'Feature' as const,
      geometry: rounded(part),
      properties: { mode: 'polygon' },
    }));
    const results = this.#draw.addFeatures(features);
    const first = results.find((r) => r.valid);
    if (first && this.#draw.getMode() === 'select') this.#draw.selectFeature(first.id as string);
    return results.filter((r) => !r.valid).map((r) => r.reason ?? 'invalid');
  }

  parts(): Polygon[] {
    return this.#draw
      .getSnapshot()
      .filter((f) => f.geometry.type === 'Polygon' && AREA_MODES.has(String(f.properties.mode)))
      .map((f) => f.geometry as Polygon);
  }

  drawing(): boolean {
    return this.#draw.getModeState() === 'drawing';
  }

  clear(): void {
    this.#draw.clear();
  }

  destroy(): void {
    this.#draw.off('change', this.#onChange);
    this.#draw.off('finish', this.#onFinish);
    if (this.#draw.enabled) this.#draw.stop();
  }
}

/** terra-draw's mode for each section tool: a split is a plain map click, which terra-draw leaves alone (static). */
const LINE_MODE: Record<SectionTool, string> = { select: 'select', line: 'linestring', split: 'static' };

/** A line's positions rounded to the tool's precision, repeated positions dropped. */
function roundedLine(line: LineString, digits = COORDINATE_DIGITS): LineString {
  const f = 10 ** digits;
  const out: Position[] = [];
  for (const p of line.coordinates) {
    const q = [Math.round(p[0]! * f) / f, Math.round(p[1]! * f) / f];
    const prev = out[out.length - 1];
    if (!prev || prev[0] !== q[0] || prev[1] !== q[1]) out.push(q);
  }
  return { type: 'LineString', coordinates: out };
}

/** The drawing tool for road sections (责任路段): draw a line, drag, add and delete its vertices; snapping as for zones. */
export class SectionDrawing implements LineSurface {
  readonly #draw: TerraDraw;
  readonly #events: LineEvents;

  constructor(map: MapLibreMap, snap: SnapToCustom, events: LineEvents) {
    this.#events = events;
    const snapping = { toCustom: snap };
    const editable = {
      feature: {
        draggable: false,
        coordinates: { draggable: true, deletable: true, midpoints: true, snappable: snapping },
      },
    };
    this.#draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: COORDINATE_DIGITS, prefixId: 'civgrid-section-draw' }),
      modes: [
        new TerraDrawSelectMode({
          flags: { linestring: editable },
          styles: {
            selectedLineStringColor: '#1d4ed8', selectedLineStringWidth: 5,
            selectionPointColor: '#ffffff', selectionPointOutlineColor: '#1e3a8a', selectionPointWidth: 4, selectionPointOutlineWidth: 2,
            midPointColor: '#93c5fd', midPointOutlineColor: '#1e3a8a', midPointWidth: 3,
          },
        }),
        new TerraDrawLineStringMode({
          snapping,
          styles: {
            lineStringColor: BLUE, lineStringWidth: 5,
            closingPointColor: '#ffffff', closingPointOutlineColor: BLUE, snappingPointColor: '#f59e0b', snappingPointWidth: 5,
          },
        }),
      ],
    });
    this.#draw.start();
    this.#draw.setMode('select');
    this.#draw.on('change', this.#onChange);
    this.#draw.on('finish', this.#onFinish);
  }

  #onChange = () => this.#events.changed();

  #onFinish = () => this.#events.finished();

  setTool(tool: SectionTool): void {
    if (this.#draw.getMode() !== LINE_MODE[tool]) this.#draw.setMode(LINE_MODE[tool]);
  }

  load(lines: readonly LineString[]): string[] {
    this.#draw.clear();
    const features = lines.map((line) => ({
      id: this.#draw.getFeatureId(),
      type: 'Feature' as const,
      geometry: roundedLine(line),
      properties: { mode: 'linestring' },
    }));
    const results = this.#draw.addFeatures(features);
    const first = results.find((r) => r.valid);
    if (first && this.#draw.getMode() === 'select') this.#draw.selectFeature(first.id as string);
    return results.filter((r) => !r.valid).map((r) => r.reason ?? 'invalid');
  }

  lines(): LineString[] {
    return this.#draw
      .getSnapshot()
      .filter((f) => f.geometry.type === 'LineString' && f.properties.mode === 'linestring')
      .map((f) => f.geometry as LineString);
  }

  drawing(): boolean {
    return this.#draw.getModeState() === 'drawing';
  }

  clear(): void {
    this.#draw.clear();
  }

  destroy(): void {
    this.#draw.off('change', this.#onChange);
    this.#draw.off('finish', this.#onFinish);
    if (this.#draw.enabled) this.#draw.stop();
  }
}
