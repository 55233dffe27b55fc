// An Undo that fails says so, in a sentence, instead of doing nothing silently.

import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { Locale } from '../../../src/state/locale.svelte';
import { Toasts } from '../../../src/state/toasts.svelte';

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
});
