import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ChatView from '../../../../src/ui/chat/ChatView.svelte';
import MessageList from '../../../../src/ui/chat/MessageList.svelte';
import { PersonaDraft } from '../../../../src/state/persona-draft.svelte';
import { chatFixture, renderInApp, until } from '../render-in-app';

describe('rating replies in the chat', () => {
  it('rates a reply with a radio group of four stars; one or two stars offer another reply', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['Well met.'] }];
    await session.send('Hi there');
    renderInApp(app, MessageList, { session });
    const reply = screen.getAllByRole('article').at(-1)!;
    const group = within(reply).getByRole('group', { name: 'Rate this reply' });
    const stars = within(group).getAllByRole('radio');
    expect(stars.map((star) => star.getAttribute('aria-label'))).toEqual(['1 of 4 stars', '2 of 4 stars', '3 of 4 stars', '4 of 4 stars']);
    // The person's messages and the greeting (it answers nothing) have no stars.
    expect(within(screen.getAllByRole('article')[1]).queryByRole('group', { name: 'Rate this reply' })).toBeNull();
    expect(within(screen.getAllByRole('article')[0]).queryByRole('group', { name: 'Rate this reply' })).toBeNull();

    await fireEvent.click(stars[3]);
    await until(() => session.path.at(-1)?.rating === 4, 'four stars saved');
    expect(within(reply).queryByRole('button', { name: 'Try another reply' })).toBeNull();
    await fireEvent.click(within(reply).getByRole('radio', { name: '2 of 4 stars' }));
    await until(() => session.path.at(-1)?.rating === 2, 'two stars saved');
    expect((within(reply).getByRole('radio', { name: '2 of 4 stars' }) as HTMLInputElement).checked).toBe(true);
    const regenerate = vi.spyOn(session, 'regenerate');
    await fireEvent.click(await within(reply).findByRole('button', { name: 'Try another reply' }));
    expect(regenerate).toHaveBeenCalledWith(session.path.at(-1)!.id);
  });
});

describe('personas in the chat', () => {
  it('switching the persona in the header renames the person’s messages and shows its picture', async () => {
    const { app, engine, session } = await chatFixture();
    for (const [name, avatar] of [['Lin', ''], ['Bo', 'data:image/png;base64,AAAA']]) {
      const draft = new PersonaDraft(app.profile, null);
      draft.name = name;
      draft.avatar = avatar;
      await draft.save();
    }
    engine.replies = [{ pieces: ['Well met.'] }];
    await session.send('Hi there');
    renderInApp(app, ChatView, { id: session.conversation!.id });
    const picker = await screen.findByRole('combobox', { name: 'You are' });
    expect((picker as HTMLSelectElement).value).toBe(app.profile.personas[1].id); // Lin, the default
    expect(screen.getAllByRole('article').map((m) => m.getAttribute('aria-label'))).toEqual(['Wren', 'Lin', 'Wren']);

    await fireEvent.change(picker, { target: { value: app.profile.personas[0].id } });
    await until(() => screen.getAllByRole('article')[1].getAttribute('aria-label') === 'Bo', 'the name of the new persona');
    expect(screen.getAllByRole('article')[1].querySelector('img')?.getAttribute('src')).toBe('data:image/png;base64,AAAA');
    expect((await app.repos.conversations.get(session.conversation!.id))?.personaId).toBe(app.profile.personas[0].id);
  });

  it('hides reading aloud where the browser cannot speak', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['Well met.'] }];
    await session.send('Hi there');
    renderInApp(app, ChatView, { id: session.conversation!.id });
    await screen.findAllByRole('article');
    expect(screen.queryByRole('button', { name: 'Read aloud' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Read replies aloud as they arrive' })).toBeNull();
  });
});
