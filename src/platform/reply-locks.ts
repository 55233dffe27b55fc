// Which replies are being written right now, in any tab: a Web Lock per reply, held while it streams.
//
// At start-up the app marks every message still saved as 'streaming' as 'interrupted' (a reload or
// a closed tab cut it off). A second tab opened while the first one writes a reply must not do that
// to a reply that is alive; the lock tells it apart, and goes away by itself when a tab closes or
// crashes, so a reply that really was cut off is still recovered.

const PREFIX = 'hearth-reply:';

/** The part of navigator.locks used here (a fake in unit tests). */
export interface ReplyLockManager {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

export interface ReplyLocks {
  /** Holds the lock of reply `id` until the returned function is called. */
  hold(id: string): () => void;
  /** Ids of the replies some tab is writing now. */
  live(): Promise<Set<string>>;
}

export function replyLocks(locks: ReplyLockManager | undefined = browserLocks()): ReplyLocks {
  return {
    hold(id) {
      if (!locks) return () => {};
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      // Without locks (an old browser, a failed request) a second tab may mark it interrupted: the old behaviour.
      locks.request(PREFIX + id, () => held).catch(() => {});
      return release;
    },
    async live() {
      if (!locks) return new Set();
      try {
        const { held = [] } = await locks.query();
        return new Set(held.flatMap((lock) => (lock.name?.startsWith(PREFIX) ? [lock.name.slice(PREFIX.length)] : [])));
      } catch {
        return new Set();
      }
    },
  };
}

function browserLocks(): ReplyLockManager | undefined {
  return typeof navigator !== 'undefined' && navigator.locks ? (navigator.locks as unknown as ReplyLockManager) : undefined;
}
