import { reasonKey } from './draw-reasons.ts';
import type { Geometry, LineString, Polygon } from 'geojson';
import { ApiError, zoneApi } from '../api/client.ts';
import type { FindingProps, ZoneFeature, ZoneInput, ZonePreview, ZoneWrite } from '../api/types.ts';
import { t } from '../i18n/i18n.svelte.ts';
import { AsOfView } from './as-of.svelte.ts';
import type { DrawSurface, DrawTool } from './tools.ts';
import { type Area, areaOf, partsOf } from './geometry.ts';
import { ZoneHistory } from './history.svelte.ts';
import { SectionEditor } from './section-editor.svelte.ts';
import { type EditForm, type EditLayer, type EditSession, emptyForm, type Named, type Conflict as SessionConflict } from './session.ts';
import { UndoStack } from './undo-stack.ts';

export type { Named } from './session.ts';
/** The save form: what a zone says besides its shape. */
export type ZoneForm = EditForm;

export type EditOutcome =
  | { kind: 'saved' | 'merged' | 'filled'; zone: ZoneFeature; write: ZoneWrite }
  | { kind: 'restored'; from: number; zone: ZoneFeature; write: ZoneWrite }
  | { kind: 'deleted'; name: string }
  | { kind: 'split'; count: number };

/** A zone write refused because the zone changed since it was read. */
export type Conflict = SessionConflict<ZoneFeature>;

type Finding = { geometry: Geometry; properties: FindingProps };
type Busy = 'open' | 'save' | 'delete' | 'split' | 'merge' | 'restore' | 'fill';

const PREVIEW_DELAY_MS = 300;
const AREA_TOOLS: readonly DrawTool[] = ['polygon', 'rectangle', 'freehand'];

function conflictOf(error: unknown): ZoneFeature | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const current = (error.details as { current?: ZoneFeature } | undefined)?.current;
  return current?.properties ? current : null;
}

/**
 * One planner's editing session (编辑): the layer edited (a duty's zones, or
 * the road sections, whose own session is `sections`), the zone open (or a
 * new one), the draft shape as drawn, the save form, the live feedback,
 * undo/redo, and what the last write did or why it was refused. The map side
 * (`EditMap.svelte`) attaches the drawing surface; the panels read and call this.
 */
export class ZoneEditor implements EditSession {
  active = $state(false);
  /** 责任区 or 责任路段: which layer the map and the panel edit. */
  layer = $state<EditLayer>('zones');
  duty = $state('');
  tool = $state<DrawTool>('select');
  /** The stored zone being edited, as last read or saved; null while drawing a new one. */
  target = $state.raw<ZoneFeature | null>(null);
  /** The draft shape as drawn (null: nothing usable drawn). */
  geometry = $state.raw<Area | null>(null);
  dirty = $state(false);
  form = $state<ZoneForm>(emptyForm());
  preview = $state.raw<ZonePreview | null>(null);
  previewing = $state(false);
  previewError = $state.raw<unknown>(null);
  busy = $state<Busy | null>(null);
  error = $state.raw<unknown>(null);
  outcome = $state.raw<EditOutcome | null>(null);
  conflict = $state.raw<Conflict | null>(null);
  /** The stored shape kept in view after 继续编辑 on a conflict. */
  reference = $state.raw<Geometry | null>(null);
  /** Zones Shift+clicked to merge with the open one. */
  mergeSet = $state.raw<(Named & { version: number; geometry: Geometry })[]>([]);
  canUndo = $state(false);
  canRedo = $state(false);
  /** Grows after every write: the map reloads the zone tiles, the blind-spot panel analyses again. */
  revision = $state(0);
  readonly history = new ZoneHistory();
  readonly asOf = new AsOfView();
  /** The road sections' editing session (责任路段), the other layer of edit mode. */
  readonly sections: SectionEditor;

  #surface: DrawSurface | null = null;
  #undo = new UndoStack<Polygon[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #previewing: AbortController | null = null;
  #people: AbortController | null = null;
  /** The draft is off the map (a past day's map is shown). */
  #hidden = false;
  /** The Idempotency-Key of a create, kept while the same create is tried again. */
  #attempt: { body: string; key: string } | null = null;
  readonly #written: () => void;

  constructor(written: () => void = () => {}) {
    this.#written = written;
    this.sections = new SectionEditor(written);
  }

  get isNew(): boolean {
    return this.target === null;
  }

  /** The map side plugs its drawing surface in; returns the unplug function. */
  attach(surface: DrawSurface): () => void {
    this.#surface = surface;
    surface.setTool(this.tool);
    if (this.geometry) surface.load(partsOf(this.geometry));
    return () => {
      if (this.#surface === surface) this.#surface = null;
      clearTimeout(this.#timer);
    };
  }

  start(duty: string): void {
    if (!this.active) {
      this.active = true;
      this.#reset();
    }
    if (duty && this.duty !== duty && !this.dirty) this.duty = duty;
    else if (!this.duty) this.duty = duty;
  }

  /** Leaves edit mode; false when the planner keeps unsaved changes. */
  stop(): boolean {
    if ((this.dirty || this.sections.dirty) && !confirm(t('edit.confirmDiscard'))) return false;
    this.#reset();
    this.sections.reset();
    this.asOf.clear();
    this.layer = 'zones';
    this.active = false;
    return true;
  }

  /** Switches between the zones and the road sections; refused (false) while either has unsaved changes. */
  setLayer(layer: EditLayer): boolean {
    if (layer === this.layer) return true;
    if (this.dirty || this.sections.dirty || this.conflict || this.sections.conflict) {
      const message = new Error(t('edit.unsaved'));
      if (this.layer === 'zones') this.error = message;
      else this.sections.error = message;
      return false;
    }
    this.error = null;
    this.sections.error = null;
    this.asOf.clear();
    this.setTool('select');
    this.sections.setTool('select');
    this.layer = layer;
    return true;
  }

  mergeClear(): void {
    this.mergeSet = [];
  }

  setDuty(duty: string): void {
    if (duty === this.duty) return;
    if (this.dirty) {
      this.error = new Error(t('edit.unsaved'));
      return;
    }
    this.#reset();
    this.duty = duty;
  }

  setTool(tool: DrawTool): void {
    this.tool = tool;
    this.#surface?.setTool(tool);
  }

  // —— from the drawing surface ——

  /** Something moved: the feedback follows a moment after the last move. */
  changed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#settle(), PREVIEW_DELAY_MS);
  }

  /** A shape was drawn or an edit dropped: a step to undo. */
  finished(): void {
    const parts = this.#surface?.parts() ?? [];
    this.#undo.push(parts);
    this.geometry = areaOf(parts);
    this.dirty = true;
    this.outcome = null;
    this.#syncUndo();
    this.changed();
    // a new shape is ready to adjust: back to select/modify
    if (AREA_TOOLS.includes(this.tool)) setTimeout(() => this.setTool('select'), 0);
  }

  #settle(): void {
    if (this.conflict || this.#hidden) return; // the draft is off the map meanwhile
    const parts = this.#surface?.parts() ?? [];
    // a part deleted with the Delete key finishes nothing: record it here
    if (!this.#surface?.drawing() && parts.length !== (this.#undo.current?.length ?? 0) && this.#undo.current !== undefined) {
      this.#undo.push(parts);
      this.dirty = true;
      this.#syncUndo();
    }
    this.geometry = areaOf(parts);
    void this.#runPreview();
  }

  async #runPreview(): Promise<void> {
    this.#previewing?.abort();
    const geometry = this.geometry;
    if (!geometry || !this.duty) {
      this.preview = null;
      this.previewing = false;
      return;
    }
    const controller = new AbortController();
    this.#previewing = controller;
    this.previewing = true;
    try {
      const excludeId = this.target?.id;
      const preview = await zoneApi.preview({ geometry, duty: this.duty, ...(excludeId ? { excludeId } : {}) }, controller.signal);
      if (controller.signal.aborted) return;
      this.preview = preview;
      this.previewError = null;
    } catch (error) {
      if (!controller.signal.aborted) this.previewError = error;
    } finally {
      if (!controller.signal.aborted) this.previewing = false;
    }
  }

  // —— undo / redo ——

  undo(): void {
    const parts = this.#undo.undo();
    if (parts) this.#restoreDraft(parts);
  }

  redo(): void {
    const parts = this.#undo.redo();
    if (parts) this.#restoreDraft(parts);
  }

  #restoreDraft(parts: Polygon[]): void {
    this.#surface?.load(parts);
    this.geometry = areaOf(parts);
    this.dirty = true;
    this.#syncUndo();
    this.changed();
  }

  #syncUndo(): void {
    this.canUndo = this.#undo.canUndo;
    this.canRedo = this.#undo.canRedo;
  }

  // —— opening ——

  /** Opens a stored zone for editing (a click on the map). */
  async open(id: number): Promise<void> {
    if (this.target?.id === id) return;
    if (this.dirty) {
      this.error = new Error(t('edit.unsaved'));
      return;
    }
    this.busy = 'open';
    this.error = null;
    try {
      this.#begin(await zoneApi.get(id));
      this.outcome = null;
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = null;
    }
  }

  /** A new zone, from a shape (a blind spot) and an owner, or empty to draw. */
  newZone(geometry: Geometry | null = null, owner: Named | null = null): void {
    if (!this.setLayer('zones')) return;
    this.#reset();
    this.form = { ...emptyForm(), org: owner };
    const parts = partsOf(geometry);
    this.#undo.reset([]);
    if (parts.length > 0) {
      this.#undo.push(parts);
      this.#surface?.load(parts);
      this.geometry = areaOf(parts);
      this.dirty = true;
      this.#syncUndo();
      this.changed();
    }
  }

  /** Makes `zone` the one edited; `step` keeps the session's undo steps (after a save) instead of starting anew. */
  #begin(zone: ZoneFeature, step = false): void {
    this.target = zone;
    this.form = {
      name: zone.properties.name,
      org: { id: zone.properties.ownerOrgId, name: zone.properties.ownerName },
      person: zone.properties.personId ? { id: zone.properties.personId, name: `#${zone.properties.personId}` } : null,
      comment: '',
      validFrom: '',
    };
    void this.#personName(zone);
    const parts = partsOf(zone.geometry);
    const refused = this.#surface?.load(parts) ?? [];
    if (refused.length > 0) this.error = new Error(t('edit.error.load', { reason: [...new Set(refused.map((reason) => t(reasonKey(reason))))].join(' ') }));
    if (step) this.#undo.push(parts);
    else this.#undo.reset(parts);
    this.#syncUndo();
    this.geometry = areaOf(parts);
    this.dirty = false;
    this.conflict = null;
    this.reference = null;
    this.mergeSet = [];
    if (this.history.targetId !== zone.id) this.history.reset();
    this.changed();
  }

  /** The zone names its person by id: find the name among the owner's people. */
  async #personName(zone: ZoneFeature): Promise<void> {
    const id = zone.properties.personId;
    if (!id) return;
    this.#people?.abort();
    const controller = new AbortController();
    this.#people = controller;
    try {
      const { people } = await zoneApi.people(zone.properties.ownerOrgId, '', controller.signal, 200);
      const person = people.find((p) => p.id === id);
      if (person && this.form.person?.id === id) this.form.person = { id, name: person.name };
    } catch {
      // the picker still holds the id; the name is only for show
    }
  }

  /** 取消修改: back to the zone as stored (or to nothing, for a new one). */
  cancel(): void {
    const target = this.target;
    this.error = null;
    this.outcome = null;
    if (target) {
      this.#begin(target);
      return;
    }
    this.#reset();
  }

  #reset(): void {
    clearTimeout(this.#timer);
    this.#previewing?.abort();
    this.#surface?.clear();
    this.target = null;
    this.geometry = null;
    this.dirty = false;
    this.form = emptyForm();
    this.preview = null;
    this.previewing = false;
    this.previewError = null;
    this.error = null;
    this.conflict = null;
    this.reference = null;
    this.mergeSet = [];
    this.#attempt = null;
    this.#undo.reset([]);
    this.#syncUndo();
    this.history.reset();
  }

  // —— writes ——

  async save(): Promise<void> {
    const geometry = this.geometry;
    if (!geometry) {
      this.error = new Error(t('edit.form.noGeometry'));
      return;
    }
    const { name, org, person, comment, validFrom } = this.form;
    if (!name.trim() || !org) {
      this.error = new Error(t('edit.form.required'));
      return;
    }
    const input: ZoneInput = {
      duty: this.duty,
      name: name.trim(),
      ownerOrgId: org.id,
      personId: person?.id ?? null,
      ...(comment.trim() ? { comment: comment.trim() } : {}),
      ...(validFrom ? { validFrom } : {}),
    };
    const target = this.target;
    if (target) await this.#update(target.id, target.properties.version, geometry, input);
    else await this.#create(geometry, input);
  }

  async #create(geometry: Area, input: ZoneInput): Promise<void> {
    const body = JSON.stringify([geometry, input]);
    const key = this.#attempt?.body === body ? this.#attempt.key : crypto.randomUUID();
    this.#attempt = { body, key };
    await this.#write('save', async () => {
      const write = await zoneApi.create(geometry, input, key);
      this.#attempt = null;
      this.#saved({ kind: 'saved', zone: write.zone, write });
    });
  }

  async #update(id: number, version: number, geometry: Area, input: ZoneInput): Promise<void> {
    await this.#write('save', async () => {
      try {
        const write = await zoneApi.update(id, version, geometry, input);
        this.#saved({ kind: 'saved', zone: write.zone, write });
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        this.#showConflict({ action: 'update', mine: geometry, current, retry: () => this.#update(id, current.properties.version, geometry, input) });
      }
    });
  }

  async remove(): Promise<void> {
    const target = this.target;
    if (!target || !confirm(t('edit.confirmDelete', { name: target.properties.name }))) return;
    await this.#remove(target.id, target.properties.version, target.properties.name);
  }

  async #remove(id: number, version: number, name: string): Promise<void> {
    await this.#write('delete', async () => {
      try {
        await zoneApi.remove(id, version);
        this.#reset();
        this.outcome = { kind: 'deleted', name };
        this.#wrote();
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        this.#showConflict({ action: 'delete', mine: null, current, retry: () => this.#remove(id, current.properties.version, name) });
      }
    });
  }

  /** Cuts the open zone along a drawn line; the zone keeps its id with the largest piece. */
  async split(line: LineString): Promise<void> {
    const target = this.target;
    this.setTool('select');
    if (!target) {
      this.error = new Error(t('edit.hint.split'));
      return;
    }
    await this.#split(target.id, target.properties.version, line);
  }

  async #split(id: number, version: number, line: LineString): Promise<void> {
    await this.#write('split', async () => {
      try {
        const { zones } = await zoneApi.split(id, version, line);
        const kept = zones.find((zone) => zone.id === id) ?? zones[0];
        if (kept) this.#begin(kept);
        this.outcome = { kind: 'split', count: zones.length };
        this.#wrote();
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        this.#showConflict({ action: 'split', mine: line, current, retry: () => this.#split(id, current.properties.version, line) });
      }
    });
  }

  /** Adds a zone to the merge selection, or takes it out again (Shift+click). */
  async toggleMerge(id: number): Promise<void> {
    if (id === this.target?.id) return;
    if (this.mergeSet.some((zone) => zone.id === id)) {
      this.mergeSet = this.mergeSet.filter((zone) => zone.id !== id);
      return;
    }
    try {
      const zone = await zoneApi.get(id);
      this.mergeSet = [...this.mergeSet, { id, version: zone.properties.version, name: zone.properties.name, geometry: zone.geometry }];
    } catch (error) {
      this.error = error;
    }
  }

  async merge(): Promise<void> {
    const target = this.target;
    if (!target || this.mergeSet.length === 0) return;
    if (this.dirty) {
      this.error = new Error(t('edit.unsaved'));
      return;
    }
    await this.#merge([{ id: target.id, version: target.properties.version }, ...this.mergeSet.map(({ id, version }) => ({ id, version }))]);
  }

  async #merge(zones: { id: number; version: number }[]): Promise<void> {
    await this.#write('merge', async () => {
      try {
        const write = await zoneApi.merge(zones);
        this.mergeSet = [];
        this.#saved({ kind: 'merged', zone: write.zone, write });
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        const again = zones.map((zone) => (zone.id === current.id ? { id: zone.id, version: current.properties.version } : zone));
        this.#showConflict({ action: 'merge', mine: this.geometry, current, retry: () => this.#merge(again) });
      }
    });
  }

  /** 恢复此版本: an old version made current again, as a new version. */
  async restore(version: number): Promise<void> {
    const target = this.target;
    if (!target) return;
    const old = this.history.versions.find((v) => v.version === version);
    await this.#restore(target.id, version, target.properties.version, old?.geometry ?? null);
  }

  async #restore(id: number, version: number, currentVersion: number, geometry: Geometry | null): Promise<void> {
    await this.#write('restore', async () => {
      try {
        const write = await zoneApi.restore(id, version, currentVersion);
        this.history.shown = null;
        this.#saved({ kind: 'restored', from: version, zone: write.zone, write });
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        this.#showConflict({ action: 'restore', mine: geometry, current, retry: () => this.#restore(id, version, current.properties.version, geometry) });
      }
    });
  }

  /**
   * 划给建议单位: merges a blind spot into the suggested neighbour's zone — the
   * zone the finding names, or else that owner's zone among the neighbours.
   */
  async fill(finding: Finding): Promise<ZoneWrite> {
    const suggested = finding.properties.suggested_owner;
    const zoneId = suggested?.zone_id ?? finding.properties.neighbours?.find((n) => n.owner_id === suggested?.owner_id)?.zone_id;
    if (!zoneId) throw new Error(t('edit.fill.noZone'));
    this.busy = 'fill';
    try {
      const zone = await zoneApi.get(zoneId);
      const write = await zoneApi.fill(zoneId, zone.properties.version, finding.geometry);
      if (this.target?.id === zoneId && !this.dirty) this.#begin(write.zone);
      this.#wrote();
      return write;
    } finally {
      this.busy = null;
    }
  }

  // —— conflicts ——

  /** Takes the draft off the map while a past day's map shows (read-only), and puts it back. */
  hideDraft(hidden: boolean): void {
    if (hidden === this.#hidden) return;
    this.#hidden = hidden;
    if (hidden) this.#surface?.clear();
    else if (this.geometry) this.#surface?.load(partsOf(this.geometry));
  }

  /** Shows a conflict: the two shapes on the map, the draft taken off it meanwhile. */
  #showConflict(conflict: Conflict): void {
    clearTimeout(this.#timer);
    this.conflict = conflict;
    this.#surface?.clear();
  }

  /** 保留我的修改: the same write again, against the version now stored. */
  async keepMine(): Promise<void> {
    const conflict = this.conflict;
    if (!conflict) return;
    this.conflict = null;
    await conflict.retry();
    // refused for another reason: the draft is back on the map to work on
    if (!this.conflict && this.error && this.geometry) this.#surface?.load(partsOf(this.geometry));
  }

  /** 采用当前版本: drop the edit, take the stored zone. */
  takeCurrent(): void {
    const conflict = this.conflict;
    if (!conflict) return;
    this.dirty = false;
    this.#begin(conflict.current);
  }

  /** 继续编辑: keep the draft, now based on the current version, with the stored shape kept in view. */
  continueEditing(): void {
    const conflict = this.conflict;
    if (!conflict) return;
    this.target = conflict.current;
    this.reference = conflict.current.geometry;
    this.conflict = null;
    if (this.geometry) this.#surface?.load(partsOf(this.geometry));
  }

  // —— helpers ——

  async #write(busy: Busy, run: () => Promise<void>): Promise<void> {
    this.busy = busy;
    this.error = null;
    this.outcome = null;
    try {
      await run();
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = null;
    }
  }

  #saved(outcome: Extract<EditOutcome, { zone: ZoneFeature }>): void {
    const comment = this.form.comment;
    // the saved shape is a step of the session too: undo goes back to the shape before it
    this.#begin(outcome.zone, true);
    this.form.comment = outcome.kind === 'saved' ? '' : comment;
    this.outcome = outcome;
    this.#wrote();
  }

  #wrote(): void {
    this.revision += 1;
    if (this.history.targetId !== null) this.history.targetId = null; // reload on next open
    this.#written();
  }
}
