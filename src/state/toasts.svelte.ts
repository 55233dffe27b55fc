// Short notices at the bottom of the screen, some with an action such as Undo.

export interface Toast {
  id: number;
  text: string;
  action?: { label: string; run: () => void | Promise<void> };
  /** How many times this notice was given while it was on screen (shown as "×N" from 2). */
  count: number;
}

const TOAST_MS = 7000;
/** More than this and the stack covers the composer on a phone; the oldest notice gives way. */
export const MAX_TOASTS = 3;

export class Toasts {
  items = $state.raw<Toast[]>([]);
  #nextId = 1;
  readonly #describe: (error: unknown) => string;

  /** `describe` words a failed action (an Undo that could not write) as a sentence for a new toast. */
  constructor(describe: (error: unknown) => string = (error) => (error instanceof Error ? error.message : String(error))) {
    this.#describe = describe;
  }

  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();

  /**
   * Shows a notice. The same notice again (same text, no action) while it is on screen is merged
   * into it, counted and kept longer; past MAX_TOASTS the oldest one without an action gives way
   * (an Undo is dropped only when every notice has one).
   */
  show(text: string, action?: Toast['action']): number {
    const same = action ? undefined : this.items.find((toast) => toast.text === text && !toast.action);
    const id = same?.id ?? this.#nextId++;
    const toast: Toast = { id, text, action, count: (same?.count ?? 0) + 1 };
    let items = [...this.items.filter((item) => item.id !== id), toast];
    while (items.length > MAX_TOASTS) {
      const oldest = items.find((item) => !item.action) ?? items[0];
      this.#clearTimer(oldest.id);
      items = items.filter((item) => item !== oldest);
    }
    this.items = items;
    this.#clearTimer(id);
    this.#timers.set(id, setTimeout(() => this.dismiss(id), TOAST_MS));
    return id;
  }

  dismiss(id: number): void {
    this.#clearTimer(id);
    this.items = this.items.filter((toast) => toast.id !== id);
  }

  #clearTimer(id: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  async act(toast: Toast): Promise<void> {
    this.dismiss(toast.id);
    try {
      await toast.action?.run();
    } catch (error) {
      // The toast is gone and the button with it: without this, a failed Undo would look like success.
      this.show(this.#describe(error));
    }
  }
}
