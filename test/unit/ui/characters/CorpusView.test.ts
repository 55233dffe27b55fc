// A huge corpus scene must not become one element per line: the view shows a bounded chunk and
// "Show more of this scene" adds the next.
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { LINE_CHUNK, TEXT_CHUNK } from '../../../../src/core/text-chunks';
import CorpusView from '../../../../src/ui/characters/CorpusView.svelte';
import { makeScene } from '../../storage/helpers';
import { chatFixture, renderInApp } from '../render-in-app';

/** Reading a huge scene out of (fake) IndexedDB takes a while on a loaded machine: wait for it generously. */
const SLOW = { timeout: 30_000 };

async function openCorpus(container: HTMLElement): Promise<void> {
  await waitFor(() => expect(screen.getByTestId('corpus-summary')).toBeTruthy(), SLOW);
  const details = container.querySelector('details')!;
  details.open = true;
  await fireEvent(details, new Event('toggle'));
  await waitFor(() => expect(container.querySelectorAll('ol.scenes > li').length).toBeGreaterThan(0), SLOW);
}

describe('CorpusView with huge scenes', () => {
  it('renders a 100,000-line scene a chunk of lines at a time', { timeout: 120_000 }, async () => {
    const { app } = await chatFixture({ loadModel: false });
    const lines = Array.from({ length: 100_000 }, (_, i) => ({ speaker: 'Wren', text: `Line number ${i}.` }));
    await app.repos.scenes.bulkAdd([makeScene('wren', { id: 'wren:000000', title: 'Long', text: '', lines, vectors: [] })]);
    const { container } = renderInApp(app, CorpusView, { characterId: 'wren' });
    await openCorpus(container);

    expect(container.querySelectorAll('p.line')).toHaveLength(LINE_CHUNK);
    expect(screen.getByText(`Showing part of this scene: ${LINE_CHUNK} of 100,000 lines.`)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Show more of this scene' }));
    expect(container.querySelectorAll('p.line')).toHaveLength(2 * LINE_CHUNK);
    expect(container.querySelectorAll('p.line')[2 * LINE_CHUNK - 1].textContent).toBe(`Wren: Line number ${2 * LINE_CHUNK - 1}.`);
  });

  it('renders a 5 MB scene without lines as a bounded amount of text', { timeout: 120_000 }, async () => {
    const { app } = await chatFixture({ loadModel: false });
    const text = 'The rain keeps falling on the tea house. '.repeat(125_000);
    await app.repos.scenes.bulkAdd([makeScene('wren', { id: 'wren:000000', title: 'Rain', text, lines: [], vectors: [] })]);
    const { container } = renderInApp(app, CorpusView, { characterId: 'wren' });
    await openCorpus(container);

    const shown = container.querySelectorAll('p.line');
    expect(shown).toHaveLength(1);
    expect(shown[0].textContent!.length).toBeLessThanOrEqual(TEXT_CHUNK);
    expect(text.startsWith(shown[0].textContent!)).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Show more of this scene' }));
    expect(container.querySelector('p.line')!.textContent!.length).toBeGreaterThan(TEXT_CHUNK);
  });
});
