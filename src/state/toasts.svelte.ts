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
    await toast.action?.run();
  }
}
