// Coalesces many updates into one per animation frame (with a timer fallback for hidden tabs),
// and at most one per `minIntervalMs`, so fast streams do not spend the CPU the model needs.
// A browser adapter (platform/, not state/: it holds no app state, only talks to the browser).

export interface FrameScheduler {
  request(): void;
  flush(): void;
  cancel(): void;
}

export function createFrameScheduler(run: () => void, { minIntervalMs = 0, fallbackMs = 100 } = {}): FrameScheduler {
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let wait: ReturnType<typeof setTimeout> | null = null;
  let lastRun = -Infinity;
  const now = () => (typeof performance === 'undefined' ? Date.now() : performance.now());
  const fire = () => {
    cancel();
    lastRun = now();
    run();
  };
  function cancel() {
    if (frame !== null && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    if (wait !== null) clearTimeout(wait);
    frame = timer = wait = null;
  }
  function schedule() {
    wait = null;
    if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(fire);
    // rAF does not fire in background tabs; the timer keeps the text (and its saving) moving.
    timer = setTimeout(fire, fallbackMs);
  }
  return {
    request() {
      if (frame !== null || timer !== null || wait !== null) return;
      const early = minIntervalMs - (now() - lastRun);
      if (early > 0) wait = setTimeout(schedule, early);
      else schedule();
    },
    flush: fire,
    cancel,
  };
}
