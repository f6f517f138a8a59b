/**
 * Undo and redo within one editing session: a stack of the states the draft
 * has been in (after each drawing, edit or save). `reset` starts a new session
 * from a state; `push` records a new one and forgets what had been undone.
 */
export class UndoStack<T> {
  #past: T[] = [];
  #future: T[] = [];
  #current: T | undefined;

  constructor(private readonly limit = 100) {}

  get current(): T | undefined {
    return this.#current;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  reset(state?: T): void {
    this.#past = [];
    this.#future = [];
    this.#current = state;
  }

  push(state: T): void {
    if (this.#current !== undefined) this.#past.push(this.#current);
    if (this.#past.length > this.limit) this.#past.splice(0, this.#past.length - this.limit);
    this.#current = state;
    this.#future = [];
  }

  /** The state before the current one, which becomes current; undefined when there is none. */
  undo(): T | undefined {
    const previous = this.#past.pop();
    if (previous === undefined) return undefined;
    if (this.#current !== undefined) this.#future.push(this.#current);
    this.#current = previous;
    return previous;
  }

  redo(): T | undefined {
    const next = this.#future.pop();
    if (next === undefined) return undefined;
    if (this.#current !== undefined) this.#past.push(this.#current);
    this.#current = next;
    return next;
  }
}
