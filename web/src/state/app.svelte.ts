import { getContext, setContext } from 'svelte';
import { LayerPanelState } from './layer-panel.svelte.ts';
import { BlindSpots } from './blindspots.svelte.ts';
import { Catalogue } from './catalogue.svelte.ts';
import { LayerToggles } from './layers.svelte.ts';
import { Selection } from './selection.svelte.ts';
import { AppStatus } from './status.svelte.ts';
import { AuditLog } from './audit.svelte.ts';
import { UserAdmin } from './users.svelte.ts';
import { CategoryAdmin } from './categories.svelte.ts';
import { IndicatorBoard } from './indicators.svelte.ts';
import { ZoneEditor } from '../editing/editor.svelte.ts';

/** The administrators' panels, on the right where the blind-spot panel opens (考核指标 also for supervisors; 工作日历 read by everyone). */
export type AdminPanel = 'users' | 'audit' | 'categories' | 'indicators' | 'calendar';

/** Everything the app's components share, one instance per page. */
export class AppState {
  readonly catalogue = new Catalogue();
  readonly toggles = new LayerToggles();
  readonly selection = new Selection();
  readonly status = new AppStatus();
  readonly blindSpots = new BlindSpots();
  readonly users = new UserAdmin();
  readonly audit = new AuditLog();
  /** 分类管理 (admins) and 考核指标 (admins, supervisors). */
  readonly categories = new CategoryAdmin();
  readonly indicators = new IndicatorBoard();
  /** 编辑: a planner's editing session; every write makes the blind-spot panel analyse again. */
  readonly editor = new ZoneEditor(() => {
    this.blindSpots.revision += 1;
  });
  /** The admin panel open, if any. */
  panel = $state<AdminPanel | null>(null);
  /** The layer list folded or not. */
  readonly layerPanel = new LayerPanelState();
  /** The basemaps on offer (GET /api/map/basemaps), the installation's default first. */
  basemaps = $state.raw<import('../api/types.ts').BasemapInfo[]>([]);
  /** The basemap a person picked, remembered across visits; null: the default. */
  private chosenBasemap = $state<string | null>(readBasemap());

  /**
   * The basemap under the district's layers: the one picked when it is on
   * offer, else the first on offer (the built-in offline basemap once it is
   * built, `none` — a plain background — without it); '' until the list is known.
   */
  get basemap(): string {
    const list = this.basemaps;
    if (list.length === 0) return '';
    return list.some((b) => b.id === this.chosenBasemap) ? (this.chosenBasemap as string) : list[0]!.id;
  }

  setBasemap(id: string): void {
    this.chosenBasemap = id;
    try {
      localStorage.setItem(BASEMAP_KEY, id);
    } catch {
      // not remembered, still switched
    }
  }

  /** The map's zoom, kept for the layer list (layers hidden below their minimum zoom say so). */
  zoom = $state(0);
}

const APP_KEY = Symbol('civgrid.app');
// a new key: the one before also stored the plain map whenever no basemap was on offer, which hid the built-in one once built
const BASEMAP_KEY = 'civgrid.basemap.choice';

function readBasemap(): string | null {
  try {
    return globalThis.localStorage?.getItem(BASEMAP_KEY) ?? null;
  } catch {
    return null;
  }
}

export function setAppContext(app: AppState): AppState {
  return setContext(APP_KEY, app);
}

export function getAppContext(): AppState {
  const app = getContext<AppState | undefined>(APP_KEY);
  if (!app) throw new Error('getAppContext() called outside <App>');
  return app;
}
