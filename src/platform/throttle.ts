// Runs a task at most once per interval however often it is asked for: the first request at once,
// a request within the interval at its end, and many requests in between as that one run.
// Plain timers, not animation frames: a streamed reply's run only starts a save, and its text is
// drawn when the save lands (state/chat-session.svelte.ts); a frame asked for the run itself would
// be a rendering pass with nothing new to draw, CPU time a model on the same cores needs. Timers
// also keep a reply in a background tab saved as it streams.

export interface Throttle {
  request(): void;
  cancel(): void;
}

export function createThrottle(run: () => void, intervalMs: number, now: () => number = () => performance.now()): Throttle {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastRun = -Infinity;
  const fire = () => {
    timer = null;
    lastRun = now();
    run();
  };
  return {
    request() {
      if (timer !== null) return;
      const wait = lastRun + intervalMs - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
