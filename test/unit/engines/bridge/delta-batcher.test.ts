import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeltaBatcher, type DeltaBatch } from '../../../../src/engines/bridge/delta-batcher';

describe('pieces of a reply batched for the page', () => {
  let clock = 0;
  let sent: DeltaBatch[] = [];
  let batcher: DeltaBatcher;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
    sent = [];
    batcher = new DeltaBatcher((batch) => sent.push(batch), { intervalMs: 20, now: () => clock });
  });
  afterEach(() => vi.useRealTimers());
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };

  it('sends the first piece at once, and the pieces that follow it within the interval together, in order and counted', () => {
    batcher.add('Once');
    expect(sent).toEqual([{ text: 'Once', pieces: 1 }]);
    batcher.add(' upon');
    advance(5);
    batcher.add(' a');
    batcher.add(' time');
    expect(sent).toHaveLength(1);
    advance(15);
    expect(sent).toEqual([{ text: 'Once', pieces: 1 }, { text: ' upon a time', pieces: 3 }]);
  });

  it('sends a slow model\'s pieces one by one, each as soon as it exists', () => {
    for (const piece of ['Slow', ' and', ' steady']) {
      batcher.add(piece);
      advance(30);
    }
    expect(sent).toEqual([{ text: 'Slow', pieces: 1 }, { text: ' and', pieces: 1 }, { text: ' steady', pieces: 1 }]);
  });

  it('flush sends what waits at once (the reply ended or failed), and nothing twice', () => {
    batcher.add('a');
    batcher.add('b');
    batcher.add('c');
    batcher.flush();
    advance(100);
    batcher.flush();
    expect(sent).toEqual([{ text: 'a', pieces: 1 }, { text: 'bc', pieces: 2 }]);
  });
});
