// Write example dialogues from the character's corpus view: start, follow the counts, review (edit,
// accept), see the pairs apart as generated with their prompt, remove them all and Undo.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import CorpusView from '../../../../src/ui/characters/CorpusView.svelte';
import { makeScene } from '../../storage/helpers';
import { chatFixture, renderInApp } from '../render-in-app';

const SLOW = { timeout: 20_000 };
const questions = (...texts: string[]) => ({ pieces: [JSON.stringify({ questions: texts.map((question) => ({ question, confidence: 9, completeness: 9 })) })] });
const answer = (text: string) => ({ pieces: [JSON.stringify({ answer: text })] });

describe('Write example dialogues', () => {
  it('writes pairs, shows the counts per filter, and accepted pairs join the corpus apart, removable with Undo', { timeout: 60_000 }, async () => {
    const { app, engine } = await chatFixture();
    await app.repos.scenes.bulkAdd([makeScene('wren', { id: 'wren:000000', title: 'Road', text: 'Wren: The road is long.', lines: [{ speaker: 'Wren', text: 'The road is long.' }], vectors: [] })]);
    engine.replies = [
      questions('Where did you learn to read the stars?', 'What do you carry in your pack on the road?', 'Why?'),
      answer('My grandmother taught me on the roof of the mill.'),
      answer('<img src=x onerror=alert(1)> Bread, rope and a map.'),
    ];
    const { container } = renderInApp(app, CorpusView, { characterId: 'wren' });
    await fireEvent.click(await screen.findByText('Write example dialogues', { selector: 'summary' }, SLOW));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Everyday questions, answered in character' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Out of their world (they should not know)' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Start writing' }));

    // Ten asked; after the scripted replies the engine writes no JSON, so the job ends early with the rest dropped.
    await waitFor(() => expect(app.jobs.jobs[0]?.status).toBe('done'), SLOW);
    const progress = screen.getByRole('region', { name: 'Example dialogues for Wren' });
    expect(within(progress).getByText('Kept: 2')).toBeTruthy();
    expect(within(progress).getByText('Too short: 1')).toBeTruthy();
    expect(within(progress).getByText(/Not a valid record: \d+/)).toBeTruthy();

    const pairs = await screen.findAllByTestId('review-pair');
    expect(pairs).toHaveLength(2);
    await fireEvent.input(within(pairs[0]).getByRole('textbox', { name: 'Answer 1' }), { target: { value: 'Grandmother taught me, on the mill roof.' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Accept all' }));
    await waitFor(() => expect(app.toasts.items.map((toast) => toast.text)).toContain('2 pairs added to the corpus.'), SLOW);

    const generated = await screen.findAllByTestId('generated-scene', undefined, SLOW);
    expect(generated.map((li) => li.querySelectorAll('p.line')[1]?.textContent)).toEqual([
      'Wren: Grandmother taught me, on the mill roof.',
      'Wren: <img src=x onerror=alert(1)> Bread, rope and a map.',
    ]);
    // Model text is text: no element was made from it.
    expect(container.querySelector('img[src="x"]')).toBeNull();
    expect(within(generated[0]).getByText(/About their own world and history · Qwen2\.5/)).toBeTruthy();
    expect(generated[0].querySelector('pre')?.textContent).toContain('You are Wren.');
    await waitFor(() => expect(screen.getByTestId('corpus-summary').textContent).toMatch(/^3 scenes/), SLOW);

    await fireEvent.click(screen.getByRole('button', { name: 'Remove all generated' }));
    await waitFor(() => expect(screen.queryAllByTestId('generated-scene')).toHaveLength(0), SLOW);
    expect(await app.repos.scenes.count('wren')).toBe(1);
    // The app's toast (rendered by App, outside this view) offers Undo.
    const removed = app.toasts.items.find((toast) => toast.text === 'Removed 2 generated pairs.')!;
    expect(removed.action?.label).toBe('Undo');
    await app.toasts.act(removed);
    await waitFor(() => expect(screen.queryAllByTestId('generated-scene')).toHaveLength(2), SLOW);
    expect(await app.repos.scenes.count('wren')).toBe(3);
  });
});
