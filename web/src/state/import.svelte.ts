import { getContext, setContext } from 'svelte';
import { type UploadProgress, api, importApi, isAbort } from '../api/client.ts';
import type { ImportCrs, ImportFeature, ImportLayer, ImportPreview, OrganisationOption } from '../api/types.ts';
import { newIdempotencyKey } from '../components/import/tone.ts';
import { type Bounds, boundsOf } from '../map/bounds.ts';
import type { Catalogue } from './catalogue.svelte.ts';

export type CrsChoice = 'auto' | ImportCrs;
export const CRS_CHOICES: readonly CrsChoice[] = ['auto', 'wgs84', 'gcj02', 'epsg3857'];

/** The last import that went through: the map reloads that layer's data on it. */
export interface Committed {
  layer: ImportLayer;
  duty: string | null;
  count: number;
  /** Where the imported features lie: the map shows them all. */
  bounds: Bounds | null;
  /** Grows with every commit, so the same layer twice still reloads. */
  serial: number;
}

/**
 * 导入数据: the file and the choices for it, the server's preview (every
 * feature with its findings), and the commit. Any change of choice asks for a
 * new preview; the commit is all or nothing, with one idempotency key per
 * commit, kept when the same commit is tried again.
 */
export class Importer {
  open = $state(false);
  file = $state.raw<File | null>(null);
  layer = $state<ImportLayer>('zones');
  duty = $state('');
  crs = $state<CrsChoice>('auto');
  /** Columns chosen by the planner; empty: the server's guess (see `mapping`). */
  nameField = $state('');
  ownerField = $state('');
  ownerOrg = $state.raw<OrganisationOption | { id: number; name: string } | null>(null);
  comment = $state('');

  preview = $state.raw<ImportPreview | null>(null);
  /** Bytes sent while uploading; null when no upload is under way. */
  progress = $state.raw<UploadProgress | null>(null);
  loading = $state(false);
  error = $state.raw<unknown>(null);
  committing = $state(false);
  commitError = $state.raw<unknown>(null);
  committed = $state.raw<Committed | null>(null);
  /** The feature (its index) highlighted on the map and in the table. */
  focus = $state<number | null>(null);

  #controller: AbortController | null = null;
  #key: string | null = null;
  #serial = 0;

  constructor(private readonly catalogue: Catalogue) {}

  /** Whether the choices are complete enough to ask for a preview. */
  get ready(): boolean {
    return this.file !== null && (this.layer === 'road-sections' || this.duty !== '');
  }

  get blocked(): number {
    return this.preview?.summary.blocked ?? 0;
  }

  get canCommit(): boolean {
    const preview = this.preview;
    return preview !== null && !this.loading && !this.committing && preview.summary.blocked === 0 && preview.summary.importable > 0;
  }

  feature(index: number | null): ImportFeature | undefined {
    return index === null ? undefined : this.preview?.features.find((feature) => feature.index === index);
  }

  choose(file: File): void {
    this.file = file;
    this.nameField = '';
    this.ownerField = '';
    this.committed = null;
    void this.run();
  }

  /** Asks for a preview with the current choices (when they are complete); an earlier request still under way is dropped. */
  async run(): Promise<void> {
    this.#controller?.abort();
    this.#key = null;
    this.focus = null;
    this.error = null;
    this.commitError = null;
    const file = this.file;
    if (!file || !this.ready) {
      this.preview = null;
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.loading = true;
    this.progress = { loaded: 0, total: file.size };
    try {
      const preview = await importApi.preview(
        {
          file,
          layer: this.layer,
          duty: this.layer === 'zones' ? this.duty : undefined,
          crs: this.crs === 'auto' ? undefined : this.crs,
          nameField: this.nameField || undefined,
          ownerField: this.ownerField || undefined,
          ownerOrgId: this.ownerOrg?.id,
        },
        { signal: controller.signal, onProgress: (progress) => (this.progress = progress) },
      );
      if (controller.signal.aborted) return;
      this.preview = preview;
    } catch (error) {
      if (isAbort(error) || controller.signal.aborted) return;
      this.preview = null;
      this.error = error;
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.loading = false;
        this.progress = null;
      }
    }
  }

  /** Imports the previewed features, all or nothing. */
  async commit(): Promise<void> {
    const preview = this.preview;
    if (!preview || !this.canCommit) return;
    this.#key ??= newIdempotencyKey();
    this.committing = true;
    this.commitError = null;
    try {
      const answer = await importApi.commit(preview.previewId, this.comment.trim() || undefined, this.#key);
      this.#key = null;
      const bounds = boundsOf(preview.features.map((feature) => feature.geometry));
      this.committed = { layer: preview.layer, duty: preview.duty, count: answer.count, bounds, serial: ++this.#serial };
      this.preview = null;
      this.file = null;
      this.comment = '';
      this.focus = null;
      void this.#refreshCounts();
    } catch (error) {
      this.commitError = error; // the key stays: trying again is the same commit
    } finally {
      this.committing = false;
    }
  }

  /** Forgets the file and its preview (the choices stay for the next file). */
  discard(): void {
    this.#controller?.abort();
    this.#controller = null;
    this.#key = null;
    this.file = null;
    this.preview = null;
    this.error = null;
    this.commitError = null;
    this.loading = false;
    this.progress = null;
    this.focus = null;
  }

  close(): void {
    this.discard();
    this.open = false;
  }

  /** The layer list's counts, now that a layer has grown. */
  async #refreshCounts(): Promise<void> {
    try {
      this.catalogue.counts = await api.layerCounts(AbortSignal.timeout(30_000));
    } catch (error) {
      if (!isAbort(error)) console.warn('layer counts after an import', error);
    }
  }
}

const IMPORT_KEY = Symbol('civgrid.import');

export function setImportContext(importer: Importer): Importer {
  return setContext(IMPORT_KEY, importer);
}

export function getImportContext(): Importer {
  const importer = getContext<Importer | undefined>(IMPORT_KEY);
  if (!importer) throw new Error('getImportContext() called outside <App>');
  return importer;
}
