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
    expect(rename).toHaveBeenCalledWith('elsewhere', 'Renamed', 'From another tab');
    await waitFor(() => expect(screen.getByRole('link', { name: /Renamed/ })).toBeTruthy());

    const remove = vi.spyOn(app.conversations, 'remove');
    const renamed = screen.getByRole('link', { name: /Renamed/ }).closest('li')!;
    await fireEvent.click(within(renamed).getByRole('button', { name: 'Delete conversation' }));
    expect(remove).toHaveBeenCalledWith('elsewhere');
    await waitFor(() => expect(screen.queryByRole('link', { name: /Renamed/ })).toBeNull());
  });

  it('a rename refused because another tab renamed the chat first keeps the box open with the title, and a second save uses it', async () => {
    const { app } = await chatFixture({ loadModel: false });
    renderInApp(app, CharacterPage, { id: 'wren' });
    const link = await waitFor(() => screen.getByRole('link', { name: /Conversation with Wren/ }));
    const item = link.closest('li')!;
    const [chat] = await app.repos.conversations.listForCharacter('wren');
    await fireEvent.click(within(item).getByRole('button', { name: 'Rename conversation' }));
    // Another tab renames the chat while this box is open.
    await app.repos.conversations.rename(chat.id, 'Harbour night', chat.title);
    const box = within(item).getByRole('textbox', { name: 'Rename conversation' }) as HTMLInputElement;
    await fireEvent.input(box, { target: { value: 'My title' } });
    await fireEvent.submit(box.closest('form')!);

    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('renamed to “Harbour night” in another tab or window'));
    expect((within(item).getByRole('textbox', { name: 'Rename conversation' }) as HTMLInputElement).value).toBe('My title');
    expect((await app.repos.conversations.get(chat.id))?.title).toBe('Harbour night');

    await fireEvent.submit(within(item).getByRole('textbox', { name: 'Rename conversation' }).closest('form')!);
    await waitFor(() => expect(screen.getByRole('link', { name: /My title/ })).toBeTruthy());
  });
});

describe('CharacterPage header', () => {
  it('a character without a short description shows the first sentence of its description under the name', async () => {
    const { app } = await chatFixture({ loadModel: false });
    const wren = (await app.repos.characters.get('wren'))!;
    await app.repos.characters.put({ ...wren, shortDescription: '', description: '{{char}} keeps the lighthouse. Nobody visits.', updatedAt: wren.updatedAt + 1 });
    renderInApp(app, CharacterPage, { id: 'wren' });
    await waitFor(() => expect(screen.getByText('Wren keeps the lighthouse.')).toBeTruthy());
  });
});
