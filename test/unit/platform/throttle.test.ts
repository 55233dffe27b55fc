import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createThrottle } from '../../../src/platform/throttle';

describe('a streamed reply\'s updates, throttled', () => {
  let clock = 0;
  let runs: number[] = [];
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
    runs = [];
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };

  it('runs the first request at once and many requests within the interval as one run at its end', () => {
    const throttle = createThrottle(() => runs.push(clock), 50, () => clock);
    throttle.request();
    expect(runs).toEqual([0]);
    for (let i = 0; i < 10; i++) {
      advance(4);
      throttle.request();
    }
    expect(runs).toEqual([0]);
    advance(10);
    expect(runs).toEqual([0, 50]);
    advance(200);
    throttle.request();
    expect(runs).toEqual([0, 50, 250]);
  });

  it('asks for no animation frame: the run only starts a save, and a frame for it would draw nothing', () => {
    const requestAnimationFrame = vi.fn();
    vi.stubGlobal('requestAnimationFrame', requestAnimationFrame);
    const throttle = createThrottle(() => runs.push(clock), 50, () => clock);
    throttle.request();
    advance(10);
    throttle.request();
    advance(40);
    expect(runs).toEqual([0, 50]);
    expect(requestAnimationFrame).not.toHaveBeenCalled();
  });

  it('cancel drops a waiting run', () => {
    const throttle = createThrottle(() => runs.push(clock), 50, () => clock);
    throttle.request();
    throttle.request();
    throttle.cancel();
    advance(100);
    expect(runs).toEqual([0]);
  });
});
