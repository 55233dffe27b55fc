// Short notices at the bottom of the screen, some with an action such as Undo.

export interface Toast {
  id: number;
  text: string;
  action?: { label: string; run: () => void | Promise<void> };
}

const TOAST_MS = 7000;

export class Toasts {
  items = $state.raw<Toast[]>([]);
  #nextId = 1;
  readonly #describe: (error: unknown) => string;

  /** `describe` words a failed action (an Undo that could not write) as a sentence for a new toast. */
  constructor(describe: (error: unknown) => string = (error) => (error instanceof Error ? error.message : String(error))) {
    this.#describe = describe;
  }

  show(text: string, action?: Toast['action']): number {
    const id = this.#nextId++;
    this.items = [...this.items, { id, text, action }];
    setTimeout(() => this.dismiss(id), TOAST_MS);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((toast) => toast.id !== id);
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
