import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import CharacterPage from '../../../../src/ui/characters/CharacterPage.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

describe('CharacterPage chat list', () => {
  it('follows storage: a chat started elsewhere appears, rename and delete go through app.conversations', async () => {
    const { app } = await chatFixture({ loadModel: false });
    renderInApp(app, CharacterPage, { id: 'wren' });
    await waitFor(() => expect(screen.getAllByRole('link', { name: /Conversation with Wren/ })).toHaveLength(1));

    // Another tab (here: straight into storage) starts a chat: it shows without a reload.
    await app.repos.conversations.create({ ...(await app.repos.conversations.listForCharacter('wren'))[0], id: 'elsewhere', title: 'From another tab', updatedAt: Date.now() + 1000 }, []);
    await waitFor(() => expect(screen.getByRole('link', { name: /From another tab/ })).toBeTruthy());

    const rename = vi.spyOn(app.conversations, 'rename');
    const item = screen.getByRole('link', { name: /From another tab/ }).closest('li')!;
    await fireEvent.click(within(item).getByRole('button', { name: 'Rename conversation' }));
    const box = within(item).getByRole('textbox', { name: 'Rename conversation' });
    await fireEvent.input(box, { target: { value: 'Renamed' } });
    await fireEvent.submit(box.closest('form')!);
    expect(rename).toHaveBeenCalledWith('elsewhere', 'Renamed');
    await waitFor(() => expect(screen.getByRole('link', { name: /Renamed/ })).toBeTruthy());

    const remove = vi.spyOn(app.conversations, 'remove');
    const renamed = screen.getByRole('link', { name: /Renamed/ }).closest('li')!;
    await fireEvent.click(within(renamed).getByRole('button', { name: 'Delete conversation' }));
    expect(remove).toHaveBeenCalledWith('elsewhere');
    await waitFor(() => expect(screen.queryByRole('link', { name: /Renamed/ })).toBeNull());
  });
});
