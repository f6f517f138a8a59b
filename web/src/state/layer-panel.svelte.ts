const STORAGE_KEY = 'civgrid.layers.collapsed';

function stored(): boolean {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'true';
  } catch {
    return false; // storage blocked: open, as at first
  }
}

/**
 * Whether the layer list (图层) on the left of the map is folded to its
 * title: the user's choice, remembered across visits; a panel that needs the
 * left side (the blind-spot panel beside the editor) folds it while it shows.
 */
export class LayerPanelState {
  /** Folded by the user (the button in its title). */
  folded = $state(stored());

  toggle(): void {
    this.folded = !this.folded;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, String(this.folded));
    } catch {
      // not remembered, still folded
    }
  }
}
