// A card with 20,000 alternate greetings: the editor shows one page of them, and adding, removing
// and reordering still work across pages.
import { fireEvent, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { CharacterEditor, GREETINGS_PAGE_SIZE } from '../../../../src/state/character-editor.svelte';
import GreetingsEditor from '../../../../src/ui/characters/editor/GreetingsEditor.svelte';
import { makeCharacter } from '../../storage/helpers';
import { chatFixture, renderInApp } from '../render-in-app';

/** 20,000 greetings in a proxied list: the tests get room for a loaded machine. */
const MANY = 20_000;

async function setup() {
  const { app } = await chatFixture({ loadModel: false });
  const character = makeCharacter({ id: 'many', name: 'Many', alternateGreetings: Array.from({ length: MANY }, (_, i) => `Greeting ${i + 1}`) });
  const editor = new CharacterEditor(app, character);
  const view = renderInApp(app, GreetingsEditor, { editor });
  return { editor, ...view };
}

const textareas = (container: HTMLElement) => [...container.querySelectorAll('textarea')].map((box) => box.value);

describe('GreetingsEditor with 20,000 alternate greetings', () => {
  it('renders one page of editors and pages through the rest', { timeout: 60_000 }, async () => {
    const { container } = await setup();
    expect(container.querySelectorAll('textarea')).toHaveLength(GREETINGS_PAGE_SIZE);
    expect(container.querySelectorAll('li')).toHaveLength(GREETINGS_PAGE_SIZE);
    expect(textareas(container)[0]).toBe('Greeting 1');
    expect(screen.getAllByText(`Alternate greetings 1–${GREETINGS_PAGE_SIZE} of 20,000`).length).toBeGreaterThan(0);

    await fireEvent.click(screen.getAllByRole('button', { name: 'Next alternate greetings' })[0]);
    expect(container.querySelectorAll('textarea')).toHaveLength(GREETINGS_PAGE_SIZE);
    expect(textareas(container)[0]).toBe(`Greeting ${GREETINGS_PAGE_SIZE + 1}`);
    expect(screen.getByRole('textbox', { name: `Alternate greeting ${GREETINGS_PAGE_SIZE + 1}` })).toBeTruthy();
  });

  it('adds a greeting at the end and shows its page with it focused', { timeout: 60_000 }, async () => {
    const { container, editor } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Add alternate greeting' }));
    await tick();
    expect(editor.fields.alternateGreetings).toHaveLength(MANY + 1);
    const added = screen.getByRole('textbox', { name: `Alternate greeting ${MANY + 1}` });
    expect(document.activeElement).toBe(added);
    expect(container.querySelectorAll('textarea').length).toBeLessThanOrEqual(GREETINGS_PAGE_SIZE);
    await fireEvent.input(added, { target: { value: 'The newest way in.' } });
    expect(editor.fields.alternateGreetings[MANY]).toBe('The newest way in.');
  });

  it('moves a greeting across a page edge and follows it; removes one on a later page', { timeout: 60_000 }, async () => {
    const { container, editor } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: `Move alternate greeting ${GREETINGS_PAGE_SIZE} down` }));
    await tick();
    expect(editor.fields.alternateGreetings[GREETINGS_PAGE_SIZE]).toBe(`Greeting ${GREETINGS_PAGE_SIZE}`);
    expect(textareas(container)[0]).toBe(`Greeting ${GREETINGS_PAGE_SIZE}`);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: `Move alternate greeting ${GREETINGS_PAGE_SIZE + 1} down` }));

    await fireEvent.click(screen.getByRole('button', { name: `Remove alternate greeting ${GREETINGS_PAGE_SIZE + 2}` }));
    expect(editor.fields.alternateGreetings).toHaveLength(MANY - 1);
    expect(editor.fields.alternateGreetings[GREETINGS_PAGE_SIZE + 1]).toBe(`Greeting ${GREETINGS_PAGE_SIZE + 3}`);
    expect(container.querySelectorAll('textarea')).toHaveLength(GREETINGS_PAGE_SIZE);
  });
});
