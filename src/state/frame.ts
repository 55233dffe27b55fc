// Coalesces many updates into one per animation frame (with a timer fallback for hidden tabs).

export function createFrameScheduler(run: () => void, fallbackMs = 100): { request(): void; flush(): void; cancel(): void } {
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    cancel();
    run();
  };
  function cancel() {
    if (frame !== null && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
  }
  return {
    request() {
      if (frame !== null || timer !== null) return;
      if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(fire);
      // rAF does not fire in background tabs; the timer keeps the text (and its saving) moving.
      timer = setTimeout(fire, fallbackMs);
    },
    flush: fire,
    cancel,
  };
}
