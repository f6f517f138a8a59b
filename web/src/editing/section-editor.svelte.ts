import { reasonKey } from './draw-reasons.ts';
import type { Geometry, LineString } from 'geojson';
import { ApiError, sectionApi, zoneApi } from '../api/client.ts';
import type { SectionFeature, SectionInput, SectionPreview, SectionVersion, SectionWrite } from '../api/types.ts';
import { t } from '../i18n/i18n.svelte.ts';
import { VersionHistory } from './history.svelte.ts';
import { lineOf, linesOfSection, sameLine } from './lines.ts';
import type { LineSurface, SectionTool } from './section-tools.ts';
import { type Conflict, type EditForm, type EditSession, emptyForm, type Named } from './session.ts';
import { UndoStack } from './undo-stack.ts';

export type SectionOutcome =
  | { kind: 'saved' | 'merged'; section: SectionFeature; write: SectionWrite }
  | { kind: 'restored'; from: number; section: SectionFeature; write: SectionWrite }
  | { kind: 'deleted'; name: string }
  | { kind: 'split'; count: number; sections: SectionFeature[] };

type Busy = 'open' | 'save' | 'delete' | 'split' | 'merge' | 'restore';

const PREVIEW_DELAY_MS = 300;

function conflictOf(error: unknown): SectionFeature | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const current = (error.details as { current?: SectionFeature } | undefined)?.current;
  return current?.properties ? current : null;
}

/** The versions of a road section. */
export class SectionHistory extends VersionHistory<SectionVersion> {
  constructor() {
    super((id, signal) => sectionApi.history(id, signal));
  }
}

/**
 * The road sections' editing session (责任路段): the section open (or a new
 * one), the draft line as drawn, the save form, the live feedback (the
 * stretches shared with other sections, the road taken up or left to nobody),
 * undo/redo, split at a point, merge end to end, versions and conflicts. The
 * map side (`SectionEditMap.svelte`) attaches the drawing surface.
 */
export class SectionEditor implements EditSession {
  tool = $state<SectionTool>('select');
  /** The stored section being edited, as last read or saved; null while drawing a new one. */
  target = $state.raw<SectionFeature | null>(null);
  /** The draft line as drawn (null: nothing usable drawn). */
  geometry = $state.raw<LineString | null>(null);
  dirty = $state(false);
  form = $state<EditForm>(emptyForm());
  preview = $state.raw<SectionPreview | null>(null);
  previewing = $state(false);
  previewError = $state.raw<unknown>(null);
  busy = $state<Busy | null>(null);
  error = $state.raw<unknown>(null);
  outcome = $state.raw<SectionOutcome | null>(null);
  conflict = $state.raw<Conflict<SectionFeature> | null>(null);
  /** The stored line kept in view after 继续编辑 on a conflict. */
  reference = $state.raw<Geometry | null>(null);
  /** Sections Shift+clicked to merge with the open one. */
  mergeSet = $state.raw<(Named & { version: number; geometry: Geometry })[]>([]);
  canUndo = $state(false);
  canRedo = $state(false);
  /** Grows after every write: the map reloads the section tiles, the blind-spot panel analyses again. */
  revision = $state(0);
  readonly history = new SectionHistory();

  #surface: LineSurface | null = null;
  #undo = new UndoStack<LineString[]>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #previewing: AbortController | null = null;
  #people: AbortController | null = null;
  /** The Idempotency-Key of a create, kept while the same create is tried again. */
  #attempt: { body: string; key: string } | null = null;
  readonly #written: () => void;

  constructor(written: () => void = () => {}) {
    this.#written = written;
  }

  get isNew(): boolean {
    return this.target === null;
  }

  /** The stored section is more than one line: its shape cannot be edited here (split or merge it first). */
  get multiPart(): boolean {
    return (this.target?.geometry.coordinates.length ?? 0) > 1;
  }

  /** The map side plugs its drawing surface in; returns the unplug function. */
  attach(surface: LineSurface): () => void {
    this.#surface = surface;
    surface.setTool(this.tool);
    const lines = this.#shown();
    if (lines.length > 0) surface.load(lines);
    return () => {
      if (this.#surface === surface) this.#surface = null;
      clearTimeout(this.#timer);
    };
  }

  setTool(tool: SectionTool): void {
    this.tool = tool;
    this.#surface?.setTool(tool);
  }

  /** What the drawing surface should hold: the draft, or the stored section's lines. */
  #shown(): LineString[] {
    if (this.geometry) return [this.geometry];
    return this.target ? linesOfSection(this.target.geometry) : [];
  }

  // —— from the drawing surface ——

  changed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#settle(), PREVIEW_DELAY_MS);
  }

  /** A line was drawn or an edit dropped: a step to undo. A section is one line: a new line replaces the draft. */
  finished(): void {
    let lines = this.#surface?.lines() ?? [];
    if (this.tool === 'line' && lines.length > 1 && !this.#surface?.drawing()) {
      const last = lines[lines.length - 1]!;
      lines = [last];
      this.#surface?.load(lines);
    }
    this.#undo.push(lines);
    this.geometry = lineOf(lines);
    this.dirty = true;
    this.outcome = null;
    this.#syncUndo();
    this.changed();
    if (this.tool === 'line') setTimeout(() => this.setTool('select'), 0);
  }

  #settle(): void {
    if (this.conflict) return;
    const lines = this.#surface?.lines() ?? [];
    // a vertex deleted with the Delete key finishes nothing: record it here
    const current = this.#undo.current;
    if (!this.#surface?.drawing() && current !== undefined && !sameLine(lineOf(lines), lineOf(current))) {
      this.#undo.push(lines);
      this.dirty = true;
      this.#syncUndo();
    }
    if (!this.#surface?.drawing()) this.geometry = lineOf(lines);
    void this.#runPreview(this.#surface?.drawing() ? lineOf(lines) : this.geometry);
  }

  async #runPreview(geometry: LineString | null): Promise<void> {
    this.#previewing?.abort();
    if (!geometry) {
      this.preview = null;
      this.previewing = false;
      return;
    }
    const controller = new AbortController();
    this.#previewing = controller;
    this.previewing = true;
    try {
      const excludeId = this.target?.id;
      const preview = await sectionApi.preview({ geometry, ...(excludeId ? { excludeId } : {}) }, controller.signal);
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
    const lines = this.#undo.undo();
    if (lines) this.#restoreDraft(lines);
  }

  redo(): void {
    const lines = this.#undo.redo();
    if (lines) this.#restoreDraft(lines);
  }

  #restoreDraft(lines: LineString[]): void {
    this.#surface?.load(lines);
    this.geometry = lineOf(lines);
    this.dirty = true;
    this.#syncUndo();
    this.changed();
  }

  #syncUndo(): void {
    this.canUndo = this.#undo.canUndo;
    this.canRedo = this.#undo.canRedo;
  }

  // —— opening ——

  /** Opens a stored section for editing (a click on the map). */
  async open(id: number): Promise<void> {
    if (this.target?.id === id) return;
    if (this.dirty) {
      this.error = new Error(t('edit.unsaved'));
      return;
    }
    this.busy = 'open';
    this.error = null;
    try {
      this.#begin(await sectionApi.get(id));
      this.outcome = null;
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = null;
    }
  }

  /** Makes `section` the one edited; `step` keeps the session's undo steps (after a save) instead of starting anew. */
  #begin(section: SectionFeature, step = false): void {
    this.target = section;
    this.form = {
      name: section.properties.name,
      org: { id: section.properties.ownerOrgId, name: section.properties.ownerName },
      person: section.properties.personId ? { id: section.properties.personId, name: `#${section.properties.personId}` } : null,
      comment: '',
      validFrom: '',
    };
    void this.#personName(section);
    const lines = linesOfSection(section.geometry);
    const refused = this.#surface?.load(lines) ?? [];
    if (refused.length > 0) this.error = new Error(t('edit.error.load', { reason: [...new Set(refused.map((reason) => t(reasonKey(reason))))].join(' ') }));
    if (step) this.#undo.push(lines);
    else this.#undo.reset(lines);
    this.#syncUndo();
    this.geometry = lineOf(lines);
    this.dirty = false;
    this.conflict = null;
    this.reference = null;
    this.mergeSet = [];
    if (this.history.targetId !== section.id) this.history.reset();
    this.changed();
  }

  /** The section names its person by id: find the name among the owner's people. */
  async #personName(section: SectionFeature): Promise<void> {
    const id = section.properties.personId;
    if (!id) return;
    this.#people?.abort();
    const controller = new AbortController();
    this.#people = controller;
    try {
      const { people } = await zoneApi.people(section.properties.ownerOrgId, '', controller.signal, 200);
      const person = people.find((p) => p.id === id);
      if (person && this.form.person?.id === id) this.form.person = { id, name: person.name };
    } catch {
      // the picker still holds the id; the name is only for show
    }
  }

  /** 取消修改: back to the section as stored (or to nothing, for a new one). */
  cancel(): void {
    const target = this.target;
    this.error = null;
    this.outcome = null;
    if (target) {
      this.#begin(target);
      return;
    }
    this.reset();
  }

  /** Drops the open section and the draft (leaving edit mode, or a new section). */
  reset(): void {
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

  mergeClear(): void {
    this.mergeSet = [];
  }

  // —— writes ——

  async save(): Promise<void> {
    const geometry = this.geometry;
    if (!geometry) {
      this.error = new Error(t(this.multiPart ? 'section.multiPart' : 'section.form.noGeometry'));
      return;
    }
    const { name, org, person, comment, validFrom } = this.form;
    if (!name.trim() || !org) {
      this.error = new Error(t('edit.form.required'));
      return;
    }
    const input: SectionInput = {
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

  async #create(geometry: LineString, input: SectionInput): Promise<void> {
    const body = JSON.stringify([geometry, input]);
    const key = this.#attempt?.body === body ? this.#attempt.key : crypto.randomUUID();
    this.#attempt = { body, key };
    await this.#write('save', async () => {
      const write = await sectionApi.create(geometry, input, key);
      this.#attempt = null;
      this.#saved({ kind: 'saved', section: write.section, write });
    });
  }

  async #update(id: number, version: number, geometry: LineString, input: SectionInput): Promise<void> {
    await this.#write('save', async () => {
      try {
        const write = await sectionApi.update(id, version, geometry, input);
        this.#saved({ kind: 'saved', section: write.section, write });
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        this.#showConflict({ action: 'update', mine: geometry, current, retry: () => this.#update(id, current.properties.version, geometry, input) });
      }
    });
  }

  async remove(): Promise<void> {
    const target = this.target;
    if (!target || !confirm(t('section.confirmDelete', { name: target.properties.name }))) return;
    await this.#remove(target.id, target.properties.version, target.properties.name);
  }

  async #remove(id: number, version: number, name: string): Promise<void> {
    await this.#write('delete', async () => {
      try {
        await sectionApi.remove(id, version);
        this.reset();
        this.outcome = { kind: 'deleted', name };
        this.#wrote();
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        this.#showConflict({ action: 'delete', mine: null, current, retry: () => this.#remove(id, current.properties.version, name) });
      }
    });
  }

  /** 打断: cuts the open section at a point on it; it keeps its id with the longer piece. */
  async split(point: [number, number]): Promise<void> {
    const target = this.target;
    if (!target) {
      this.error = new Error(t('section.hint.split'));
      return;
    }
    if (this.dirty) {
      this.error = new Error(t('edit.unsaved'));
      return;
    }
    this.setTool('select');
    await this.#split(target.id, target.properties.version, point);
  }

  async #split(id: number, version: number, point: [number, number]): Promise<void> {
    await this.#write('split', async () => {
      try {
        const { sections } = await sectionApi.split(id, version, point);
        const kept = sections.find((section) => section.id === id) ?? sections[0];
        if (kept) this.#begin(kept);
        this.outcome = { kind: 'split', count: sections.length, sections };
        this.#wrote();
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        const mine: Geometry = { type: 'Point', coordinates: point };
        this.#showConflict({ action: 'split', mine, current, retry: () => this.#split(id, current.properties.version, point) });
      }
    });
  }

  /** Adds a section to the merge selection, or takes it out again (Shift+click). */
  async toggleMerge(id: number): Promise<void> {
    if (id === this.target?.id) return;
    if (this.mergeSet.some((section) => section.id === id)) {
      this.mergeSet = this.mergeSet.filter((section) => section.id !== id);
      return;
    }
    try {
      const section = await sectionApi.get(id);
      this.mergeSet = [...this.mergeSet, { id, version: section.properties.version, name: section.properties.name, geometry: section.geometry }];
    } catch (error) {
      this.error = error;
    }
  }

  /** Joins the open section and the ones picked, end to end, into the open one. */
  async merge(): Promise<void> {
    const target = this.target;
    if (!target || this.mergeSet.length === 0) return;
    if (this.dirty) {
      this.error = new Error(t('edit.unsaved'));
      return;
    }
    await this.#merge([{ id: target.id, version: target.properties.version }, ...this.mergeSet.map(({ id, version }) => ({ id, version }))]);
  }

  async #merge(sections: { id: number; version: number }[]): Promise<void> {
    await this.#write('merge', async () => {
      try {
        const write = await sectionApi.merge(sections);
        this.mergeSet = [];
        this.#saved({ kind: 'merged', section: write.section, write });
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        const again = sections.map((s) => (s.id === current.id ? { id: s.id, version: current.properties.version } : s));
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
        const write = await sectionApi.restore(id, version, currentVersion);
        this.history.shown = null;
        this.#saved({ kind: 'restored', from: version, section: write.section, write });
      } catch (error) {
        const current = conflictOf(error);
        if (!current) throw error;
        this.#showConflict({ action: 'restore', mine: geometry, current, retry: () => this.#restore(id, version, current.properties.version, geometry) });
      }
    });
  }

  // —— conflicts ——

  #showConflict(conflict: Conflict<SectionFeature>): void {
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
    if (!this.conflict && this.error && this.geometry) this.#surface?.load([this.geometry]);
  }

  /** 采用当前版本: drop the edit, take the stored section. */
  takeCurrent(): void {
    const conflict = this.conflict;
    if (!conflict) return;
    this.dirty = false;
    this.#begin(conflict.current);
  }

  /** 继续编辑: keep the draft, now based on the current version, with the stored line kept in view. */
  continueEditing(): void {
    const conflict = this.conflict;
    if (!conflict) return;
    this.target = conflict.current;
    this.reference = conflict.current.geometry;
    this.conflict = null;
    if (this.geometry) this.#surface?.load([this.geometry]);
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

  #saved(outcome: Extract<SectionOutcome, { section: SectionFeature }>): void {
    const comment = this.form.comment;
    this.#begin(outcome.section, true);
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
