// The gallery's keyboard path: the tag filter is one Tab stop, walked with the arrow keys, and each
// card's link is named by what it shows.

import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Gallery from '../../../../src/ui/characters/Gallery.svelte';
import { makeCharacter } from '../../storage/helpers';
import { chatFixture, renderInApp } from '../render-in-app';

async function galleryWithTags() {
  const { app } = await chatFixture();
  await app.characterShelf.create(makeCharacter({ id: 'ash', name: 'Ash', tags: ['fantasy', 'inn'] }));
  await app.characterShelf.create(makeCharacter({ id: 'bo', name: 'Bo', tags: ['mystery'] }));
  renderInApp(app, Gallery, {});
  const toolbar = await screen.findByRole('toolbar', { name: 'Filter by tag' });
  await waitFor(() => expect(toolbar.querySelectorAll('button').length).toBeGreaterThan(3));
  return { toolbar, buttons: () => [...toolbar.querySelectorAll('button')] };
}

const tabStops = (buttons: HTMLButtonElement[]) => buttons.filter((button) => button.tabIndex === 0).map((b) => b.textContent);

describe('Gallery tag filter', () => {
  it('is a single Tab stop (the pressed tag) that the arrow keys, Home and End walk', async () => {
    const { buttons } = await galleryWithTags();
    expect(tabStops(buttons())).toEqual(['All']);

    const [all] = buttons();
    all.focus();
    await fireEvent.keyDown(all, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons()[1]);
    expect(tabStops(buttons())).toEqual([buttons()[1].textContent]);
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toBe(buttons().at(-1));
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons()[0]);
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(buttons().at(-1));

    // Pressing a tag makes it the way back in once focus leaves the row.
    const mystery = buttons().find((b) => b.textContent === '#mystery')!;
    mystery.focus();
    await fireEvent.click(mystery);
    (document.activeElement as HTMLElement).blur();
    await fireEvent.focusOut(mystery, { relatedTarget: null });
    expect(tabStops(buttons())).toEqual(['#mystery']);
  });

  it('names each card link by its visible text', async () => {
    await galleryWithTags();
    const card = await screen.findByRole('link', { name: /^Open Bo/ });
    const visible = card.querySelector('.text')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(card.getAttribute('aria-label')).toBeNull();
    expect(card.textContent!.replace(/\s+/g, ' ')).toContain(visible);
    expect(card.textContent).toMatch(/^Open/);
  });
});
