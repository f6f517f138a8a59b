export type NoticeTone = 'info' | 'error';

/** A short message at the top of the page that goes away by itself (a refused action, a saved password). */
class Notice {
  current = $state.raw<{ id: number; text: string; tone: NoticeTone } | null>(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #next = 1;

  show(text: string, tone: NoticeTone = 'info', ms = 5000): void {
    clearTimeout(this.#timer);
    const id = this.#next++;
    this.current = { id, text, tone };
    this.#timer = setTimeout(() => {
      if (this.current?.id === id) this.current = null;
    }, ms);
  }

  dismiss(): void {
    clearTimeout(this.#timer);
    this.current = null;
  }
}

export const notice = new Notice();
