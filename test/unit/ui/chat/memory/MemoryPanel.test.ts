import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ChatView from '../../../../../src/ui/chat/ChatView.svelte';
import MessageList from '../../../../../src/ui/chat/MessageList.svelte';
import { chatFixture, renderInApp, until } from '../../render-in-app';

describe('the Memory panel', () => {
  it('a pinned message is listed in the panel, can be edited and removed, and a fact can be written by hand', async () => {
    const { app, session, engine } = await chatFixture();
    engine.replies = [{ pieces: ['Noted.'] }];
    await session.send('I am allergic to cats.');
    renderInApp(app, ChatView, { id: session.conversation!.id });
    await until(() => screen.queryAllByRole('button', { name: 'Pin to memory' }).length > 0, 'the pin buttons');
    await fireEvent.click(screen.getAllByRole('button', { name: 'Pin to memory' })[1]);
    await fireEvent.click(screen.getByRole('button', { name: 'Memory' }));
    const panel = screen.getByTestId('memory-panel');
    await until(() => within(panel).queryByRole('textbox', { name: 'Pinned memory 1' }) !== null, 'the pinned message');
    expect((within(panel).getByRole('textbox', { name: 'Pinned memory 1' }) as HTMLTextAreaElement).value).toBe('I am allergic to cats.');

    await fireEvent.input(within(panel).getByRole('textbox', { name: 'A fact to remember' }), { target: { value: '{{user}} lives by the sea.' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Add' }));
    await until(() => within(panel).queryByRole('textbox', { name: 'Pinned memory 2' }) !== null, 'the written fact');

    await fireEvent.click(within(panel).getByRole('button', { name: 'Remove pinned memory 1' }));
    await until(() => within(panel).queryByRole('textbox', { name: 'Pinned memory 2' }) === null, 'the removal');
    expect((within(panel).getByRole('textbox', { name: 'Pinned memory 1' }) as HTMLTextAreaElement).value).toBe('{{user}} lives by the sea.');
    expect(within(panel).getByTestId('memory-no-summary').textContent).toContain('No summary yet');
  });

  it('the prompt inspector shows the pinned fact in its Memory section, with its tokens', async () => {
    const { app, session, engine } = await chatFixture();
    await session.memory!.addPin('Wren owes the traveller a favour.');
    engine.replies = [{ pieces: ['Indeed.'] }];
    await session.send('Remember the favour?');
    renderInApp(app, MessageList, { session });
    const shows = screen.getAllByRole('button', { name: 'Show prompt' });
    await fireEvent.click(shows[shows.length - 1]);
    const dialog = screen.getByRole('dialog', { name: 'Prompt sent for this reply' });
    expect(within(dialog).getByText('Memory: pinned facts')).toBeTruthy();
    const memory = within(dialog).getByTestId('inspector-memory');
    expect(memory.textContent!.replace(/\s+/g, ' ')).toMatch(/Pinned memory · in the prompt · \d+ tokens/);
    expect(dialog.textContent).toContain('- Wren owes the traveller a favour.');
  });

  it('an author\'s note being typed is kept while a reply is written, and saved with the scenario', async () => {
    const { app, session, engine } = await chatFixture();
    renderInApp(app, ChatView, { id: session.conversation!.id });
    await until(() => screen.queryByRole('button', { name: 'Memory' }) !== null, 'the chat');
    await fireEvent.click(screen.getByRole('button', { name: 'Memory' }));
    const panel = screen.getByTestId('memory-panel');
    const note = within(panel).getByRole('textbox', { name: 'Author’s note' }) as HTMLTextAreaElement;
    await fireEvent.input(note, { target: { value: 'Keep it light.' } });
    engine.replies = [{ pieces: ['Fine.'] }];
    await session.send('Hello there.');
    await until(() => !session.busy, 'the reply');
    expect(note.value).toBe('Keep it light.');
    await fireEvent.input(within(panel).getByRole('textbox', { name: 'Scenario for this chat (replaces the card’s)' }), { target: { value: 'On a night train.' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Save chat settings' }));
    await until(() => session.conversation?.scenario === 'On a night train.', 'the saved settings');
    expect(session.conversation?.authorsNote).toEqual({ text: 'Keep it light.', depth: 4 });
  });
});
