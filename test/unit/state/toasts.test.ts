// An Undo that fails says so, in a sentence, instead of doing nothing silently.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { Locale } from '../../../src/state/locale.svelte';
import { MAX_TOASTS, Toasts } from '../../../src/state/toasts.svelte';

describe('Toasts', () => {
  it('shows why an action such as Undo failed, and the failure does not escape', async () => {
    const locale = new Locale('en');
    const toasts = new Toasts(locale.describe);
    toasts.show('Mira deleted.', { label: 'Undo', run: async () => { throw new AppError('quota', 'The disk is full'); } });
    await expect(toasts.act(toasts.items[0])).resolves.toBeUndefined();
    expect(toasts.items.map((t) => t.text)).toEqual([locale.describe(new AppError('quota', 'The disk is full'))]);
    expect(toasts.items[0].text.length).toBeGreaterThan(10);
  });

  it('runs the action and removes the toast when it works', async () => {
    const toasts = new Toasts();
    let ran = 0;
    toasts.show('Deleted.', { label: 'Undo', run: () => void ran++ });
    await toasts.act(toasts.items[0]);
    expect(ran).toBe(1);
    expect(toasts.items).toEqual([]);
  });

  describe('never pile up', () => {
    afterEach(() => vi.useRealTimers());

    it('the same notice again is merged into the one on screen, counted, and stays its full time from the last one', () => {
      vi.useFakeTimers();
      const toasts = new Toasts();
      toasts.show('The reply was stopped.');
      vi.advanceTimersByTime(5000);
      toasts.show('The reply was stopped.');
      expect(toasts.items.map((t) => [t.text, t.count])).toEqual([['The reply was stopped.', 2]]);
      vi.advanceTimersByTime(5000);
      expect(toasts.items).toHaveLength(1);
      vi.advanceTimersByTime(2000);
      expect(toasts.items).toEqual([]);
    });

    it(`at most ${MAX_TOASTS} are shown: the oldest without an Undo gives way first`, () => {
      const toasts = new Toasts();
      toasts.show('Mira deleted.', { label: 'Undo', run: () => {} });
      for (let i = 1; i <= 5; i++) toasts.show(`Notice ${i}`);
      expect(toasts.items.map((t) => t.text)).toEqual(['Mira deleted.', 'Notice 4', 'Notice 5']);
      // Two notices with an Undo each are never merged: each undoes its own deletion.
      toasts.show('Message deleted.', { label: 'Undo', run: () => {} });
      toasts.show('Message deleted.', { label: 'Undo', run: () => {} });
      expect(toasts.items.map((t) => t.text)).toEqual(['Mira deleted.', 'Message deleted.', 'Message deleted.']);
    });
  });
});
