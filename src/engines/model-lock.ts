// One model per browser: a Web Lock held while this tab has a model loaded (or loading), so a second
// tab is told the model is busy instead of loading a second copy into memory.

/** The part of navigator.locks used here (a fake in unit tests). */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

export const MODEL_LOCK_NAME = 'hearth-model';

export class ModelLock {
  readonly #locks: LockManagerLike | undefined;
  readonly #name: string;
  #release: (() => void) | null = null;
  #acquiring: Promise<boolean> | null = null;

  constructor(locks: LockManagerLike | undefined, name = MODEL_LOCK_NAME) {
    this.#locks = locks;
    this.#name = name;
  }

  get held(): boolean {
    return this.#release !== null;
  }

  /** True when this tab now holds the lock (or already did); false when another tab holds it. */
  acquire(): Promise<boolean> {
    if (this.#release) return Promise.resolve(true);
    // Without Web Locks (very old browsers) tabs cannot coordinate: load anyway.
    if (!this.#locks) return Promise.resolve(true);
    if (this.#acquiring) return this.#acquiring;
    const locks = this.#locks;
    this.#acquiring = new Promise<boolean>((resolve) => {
      locks
        .request(this.#name, { ifAvailable: true }, (lock) => {
          if (!lock) {
            resolve(false);
            return undefined;
          }
          // The lock is held until this promise settles, i.e. until release().
          return new Promise<void>((release) => {
            this.#release = release;
            resolve(true);
          });
        })
        .catch(() => resolve(true));
    }).finally(() => {
      this.#acquiring = null;
    });
    return this.#acquiring;
  }

  release(): void {
    this.#release?.();
    this.#release = null;
  }
}
