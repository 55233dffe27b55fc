// Bridges a storage live query into runes: the latest result in a `$state.raw` field, until disposed.

import type { Watchable } from '../storage';

/**
 * Follows one live query. `value` holds the latest result (the initial value until the first one
 * arrives); `error` the last failure. `set()` lets the owner write a value it has just read itself,
 * so its own writes show at once instead of on the query's next run.
 */
export class LiveValue<T> {
  value = $state.raw<T>() as T;
  error = $state.raw<unknown>(null);
  /** False until the first result (or a set()) arrived. */
  loaded = $state(false);
  #subscription: { unsubscribe(): void } | null = null;

  constructor(initial: T) {
    this.value = initial;
  }

  /** Start following `source` (stops following the previous one). */
  follow(source: Watchable<T>): this {
    this.dispose();
    this.#subscription = source.subscribe(
      (value) => this.set(value),
      (error) => (this.error = error),
    );
    return this;
  }

  set(value: T): void {
    this.value = value;
    this.error = null;
    this.loaded = true;
  }

  dispose(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }
}
