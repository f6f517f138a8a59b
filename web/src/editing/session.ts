/**
 * What the shared editing panels (save form, conflict view, history list,
 * toolbar) read and call, for the zones' session (`ZoneEditor`) and the road
 * sections' (`SectionEditor`) alike.
 */
import type { Geometry } from 'geojson';
import type { VersionHistory } from './history.svelte.ts';

/** The layers an editing session edits: a duty's zones (责任区) or the road sections (责任路段). */
export type EditLayer = 'zones' | 'road-sections';

export interface Named {
  id: number;
  name: string;
}

/** The save form: what a zone or section says besides its shape. */
export interface EditForm {
  name: string;
  org: Named | null;
  person: Named | null;
  comment: string;
  /** `YYYY-MM-DD`, or '' for "from now" (create) / unchanged (update). */
  validFrom: string;
}

export const emptyForm = (): EditForm => ({ name: '', org: null, person: null, comment: '', validFrom: '' });

/** A stored feature with a version, as the write routes answer it. */
export interface Versioned {
  id: number;
  geometry: Geometry;
  properties: { version: number; name: string; updatedAt: string; updatedBy: string | null };
}

/** A write refused because the feature changed since it was read: both shapes, and the way to do it again. */
export interface Conflict<F extends Versioned = Versioned> {
  action: 'update' | 'delete' | 'split' | 'merge' | 'restore';
  /** What the planner wanted (their shape, their cut), or null for a delete. */
  mine: Geometry | null;
  current: F;
  /** Does the same write again against the current version (保留我的修改). */
  retry: () => Promise<void>;
}

/** The part of an editing session the shared panels use. */
export interface EditSession {
  readonly target: Versioned | null;
  readonly geometry: Geometry | null;
  readonly dirty: boolean;
  readonly busy: string | null;
  readonly conflict: Conflict | null;
  readonly mergeSet: readonly Named[];
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly history: VersionHistory;
  form: EditForm;
  mergeClear(): void;
  undo(): void;
  redo(): void;
  cancel(): void;
  save(): Promise<void>;
  remove(): Promise<void>;
  merge(): Promise<void>;
  restore(version: number): Promise<void>;
  keepMine(): Promise<void>;
  takeCurrent(): void;
  continueEditing(): void;
}
