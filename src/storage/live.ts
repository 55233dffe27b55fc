// Live reads: a query that runs again whenever a write (in this tab or another) touches what it read.

import { liveQuery } from 'dexie';

/** A stream of query results; the first arrives soon after subscribing, then one after each relevant write. */
export interface Watchable<T> {
  subscribe(next: (value: T) => void, error?: (error: unknown) => void): { unsubscribe(): void };
}

/**
 * Dexie's liveQuery behind the small interface state needs, so state never imports dexie. Other
 * tabs' writes arrive through Dexie's BroadcastChannel propagation.
 */
export function watch<T>(query: () => Promise<T>): Watchable<T> {
  const observable = liveQuery(query);
  return {
    subscribe: (next, error) => observable.subscribe(next, error ?? null),
  };
}
