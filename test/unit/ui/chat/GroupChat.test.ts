import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import GroupFormPage from '../../../../src/ui/characters/group/GroupFormPage.svelte';
import GroupBar from '../../../../src/ui/chat/GroupBar.svelte';
import MessageList from '../../../../src/ui/chat/MessageList.svelte';
import { makeCharacter } from '../../storage/helpers';
import { savedChat } from '../../helpers/test-app';
import { chatFixture, renderInApp, until } from '../render-in-app';

async function groupFixture() {
  const fixture = await chatFixture();
  await fixture.app.characterShelf.create(makeCharacter({ id: 'bram', name: 'Bram', firstMessage: 'Bram here.', alternateGreetings: [] }));
  return fixture;
}

describe('group chats', () => {
  it('the form makes a group of the characters ticked, in order, and refuses one without two members', async () => {
    const { app } = await groupFixture();
    renderInApp(app, GroupFormPage, {});
    await fireEvent.input(screen.getByRole('textbox', { name: 'Group name' }), { target: { value: 'Road crew' } });
    await fireEvent.click(screen.getByRole('checkbox', { name: /Bram/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save group' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose at least two members.');
    expect(app.characters.some((c) => c.group)).toBe(false);

    await fireEvent.click(screen.getByRole('checkbox', { name: /Wren/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Move Wren up' }));
    await fireEvent.change(screen.getByRole('combobox', { name: 'A new chat opens with' }), { target: { value: 'wren' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save group' }));
    await waitFor(() => expect(app.characters.find((c) => c.group)?.group).toEqual({ members: ['wren', 'bram'], mode: 'natural', greetingFrom: 'wren' }));
    await waitFor(() => expect(app.router.route).toEqual({ name: 'character', id: app.characters.find((c) => c.group)!.id }));
  });

  it('a click on a member makes them reply, under their own name; muting and the mode are saved with the group', async () => {
    const { app, engine } = await groupFixture();
    await app.characterShelf.create(makeCharacter({ id: 'crew', name: 'Road crew', firstMessage: '', group: { members: ['wren', 'bram'], mode: 'manual', greetingFrom: 'wren' } }));
    const session = (await app.openChat(await savedChat(app, 'crew')))!;
    engine.replies = [{ pieces: ['Bram', ' speaking.'] }];
    renderInApp(app, GroupBar, { session, cast: session.cast! });
    renderInApp(app, MessageList, { session });
    expect(screen.getByRole('article', { name: 'Wren' }).textContent).toContain('Hello, traveller.');

    await fireEvent.click(screen.getByRole('button', { name: 'Make Bram reply' }));
    await until(() => !session.busy, 'the reply');
    await waitFor(() => expect(within(screen.getByRole('article', { name: 'Bram' })).getByText('Bram speaking.')).toBeTruthy());

    await fireEvent.click(screen.getByRole('checkbox', { name: 'Mute Wren' }));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Who speaks next' }), { target: { value: 'list' } });
    await waitFor(() => expect(app.character('crew')?.group).toMatchObject({ muted: ['wren'], mode: 'list' }));
  });
});
