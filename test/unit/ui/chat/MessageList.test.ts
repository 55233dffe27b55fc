import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import MessageList from '../../../../src/ui/chat/MessageList.svelte';
import { chatFixture, renderInApp, until } from '../render-in-app';
import { modelFiles, scriptedReply, webLlmWithFakeWorkers } from '../../helpers/fake-webllm';

describe('MessageList, MessageItem and MessageActions', () => {
  it('shows the visible branch, each message under its speaker’s name', async () => {
    const { app, engine, session } = await chatFixture();
    await app.profile.savePersona('Lin', '');
    engine.replies = [{ pieces: ['Well met, *bows*.'] }];
    await session.send('Hi there');
    renderInApp(app, MessageList, { session });

    const log = screen.getByRole('log');
    const messages = within(log).getAllByRole('article');
    expect(messages.map((m) => m.getAttribute('aria-label'))).toEqual(['Wren', 'Lin', 'Wren']);
    expect(messages[0].textContent).toContain('Hello, traveller.');
    expect(messages[1].textContent).toContain('Hi there');
    // Role-play markup renders as text with emphasis, never as HTML from the model.
    expect(messages[2].querySelector('em')?.textContent).toBe('bows');
  });

  it('shows a reply without the empty reasoning block a Qwen3 model writes first (kept in the stored reply)', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['<think>\n\n</think>\n\n', 'The lamp is lit.'] }];
    await session.send('Is the lamp lit?');
    renderInApp(app, MessageList, { session });
    const messages = within(screen.getByRole('log')).getAllByRole('article');
    expect(messages[2].textContent).toContain('The lamp is lit.');
    expect(messages[2].textContent).not.toContain('think');
    expect(session.path.at(-1)?.content.startsWith('<think>')).toBe(true);
  });

  it('shows a streaming reply as it arrives and marks it busy', async () => {
    const { app, engine, session } = await chatFixture();
    let release: (() => void) | undefined;
    let pieces = 0;
    engine.replies = [{ pieces: ['Once', ' upon', ' a time'], gate: () => (pieces++ === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()) }];
    renderInApp(app, MessageList, { session });
    const sending = session.send('A story?');
    await until(() => release !== undefined && session.streaming?.text === 'Once', 'the first piece');
    const streaming = await screen.findByText('Once', { exact: false });
    expect(streaming.closest('article')?.getAttribute('data-status')).toBe('streaming');
    release!();
    await sending;
    await until(() => screen.queryAllByRole('article').at(-1)?.getAttribute('data-status') === 'done', 'the finished reply');
    expect(screen.getAllByRole('article').at(-1)?.textContent).toContain('Once upon a time');
  });

  it('while a reply streams, its closed paragraphs show their markup and the open one plain text until it closes', async () => {
    const { app, engine, session } = await chatFixture();
    let release: (() => void) | undefined;
    let pieces = 0;
    engine.replies = [{ pieces: ['*bows* Well met.\n\n', '*waves*', ' Welcome.'], gate: () => (pieces++ === 2 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()) }];
    renderInApp(app, MessageList, { session });
    const sending = session.send('Hello');
    await until(() => release !== undefined && session.streaming?.text === '*bows* Well met.\n\n*waves*', 'two pieces');
    const reply = () => screen.getAllByRole('article').at(-1)!;
    await until(() => reply().textContent?.includes('*waves*') === true, 'the open paragraph on screen');
    expect([...reply().querySelectorAll('em')].map((em) => em.textContent)).toEqual(['bows']);
    release!();
    await sending;
    await until(() => reply().getAttribute('data-status') === 'done', 'the finished reply');
    expect([...reply().querySelectorAll('em')].map((em) => em.textContent)).toEqual(['bows', 'waves']);
    expect(reply().textContent).not.toContain('*');
  });

  it('a reply stopped before any text says so, with Try again, instead of an empty bubble', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: [] }, { pieces: ['Second try.'] }];
    await session.send('Hi there');
    const last = session.path.at(-1)!;
    await app.repos.conversations.updateMessage(last.id, { status: 'stopped', content: '' });
    session.messages = session.messages.map((m) => (m.id === last.id ? { ...m, status: 'stopped', content: '' } : m));
    renderInApp(app, MessageList, { session });
    const reply = screen.getAllByRole('article').at(-1)!;
    expect(reply.textContent).toContain('Stopped before anything was written.');
    const regenerate = vi.spyOn(session, 'regenerate');
    await fireEvent.click(within(reply).getByRole('button', { name: 'Try again' }));
    expect(regenerate).toHaveBeenCalledWith(last.id);
  });

  it('Regenerate asks the session for a new version; the swipe buttons move between versions', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['First'] }, { pieces: ['Second'] }];
    await session.send('Hi');
    const regenerate = vi.spyOn(session, 'regenerate');
    const swipe = vi.spyOn(session, 'swipe');
    renderInApp(app, MessageList, { session });

    await fireEvent.click(screen.getByRole('button', { name: 'Regenerate' }));
    const last = session.path.at(-1)!;
    expect(regenerate).toHaveBeenCalledWith(last.id);
    await until(() => !session.busy && session.path.at(-1)?.content === 'Second', 'the new version');
    expect(await screen.findByText('Second')).toBeTruthy();

    const second = session.path.at(-1)!.id;
    await fireEvent.click(screen.getByRole('button', { name: 'Previous version' }));
    expect(swipe).toHaveBeenCalledWith(second, -1);
    await until(() => session.path.at(-1)?.content === 'First', 'the first version');
    expect(await screen.findByText('First')).toBeTruthy();
  });

  it('Continue is offered on the last reply only where the engine can continue, and the reply grows in place', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['The lamp'] }, { pieces: [' is lit.'] }];
    await session.send('Is it lit?');
    const first = renderInApp(app, MessageList, { session });
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull(); // the scripted engine says nothing of continuing
    first.unmount();

    engine.caps = { gpu: false, multiThread: false, continueReply: true };
    renderInApp(app, MessageList, { session });
    expect(screen.getAllByRole('button', { name: 'Continue' })).toHaveLength(1);
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await until(() => !session.busy && session.path.at(-1)?.content === 'The lamp is lit.', 'the continued reply');
    expect(screen.getAllByRole('article')).toHaveLength(3);
    expect(screen.getAllByRole('article').at(-1)?.textContent).toContain('The lamp is lit.');
  });

  it('on a web-llm model Continue shows where the model’s template could be read, and the reply grows in place', async () => {
    const modelId = 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC'; // the model the fixture loads
    const replies = () => [scriptedReply(['The lamp']), scriptedReply([' is lit.'])];
    const unknown = await chatFixture({ engine: webLlmWithFakeWorkers([{ replies: replies() }], { caches: null }).engine });
    await unknown.session.send('Is it lit?');
    const first = renderInApp(unknown.app, MessageList, { session: unknown.session });
    expect(screen.getAllByRole('article').at(-1)?.textContent).toContain('The lamp');
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull();
    first.unmount();

    const { app, session } = await chatFixture({ engine: webLlmWithFakeWorkers([{ replies: replies() }], { caches: modelFiles(modelId, 'qwen2') }).engine });
    await session.send('Is it lit?');
    renderInApp(app, MessageList, { session });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await until(() => !session.busy && session.path.at(-1)?.content === 'The lamp is lit.', 'the continued reply');
    expect(screen.getAllByRole('article')).toHaveLength(3);
    expect(screen.getAllByRole('article').at(-1)?.textContent).toContain('The lamp is lit.');
  });

  it('Delete removes the message through the session and offers Undo', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['Reply'] }];
    await session.send('Hi');
    const remove = vi.spyOn(session, 'remove');
    const restore = vi.spyOn(session, 'restore');
    renderInApp(app, MessageList, { session });
    const reply = session.path.at(-1)!;

    const articles = screen.getAllByRole('article');
    await fireEvent.click(within(articles.at(-1)!).getByRole('button', { name: 'Delete message' }));
    expect(remove).toHaveBeenCalledWith(reply.id);
    await until(() => screen.getAllByRole('article').length === 2 && app.toasts.items.length > 0, 'the message to go');
    const toast = app.toasts.items.at(-1)!;
    expect(toast.text).toBe('Message deleted.');
    await app.toasts.act(toast);
    expect(restore).toHaveBeenCalled();
    await until(() => screen.getAllByRole('article').length === 3, 'the message to come back');
  });

  it('Edit opens the editor and saving goes through session.edit', async () => {
    const { app, session } = await chatFixture();
    const edit = vi.spyOn(session, 'edit');
    renderInApp(app, MessageList, { session });
    await fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    const box = screen.getByRole('textbox', { name: 'Edit message' });
    await fireEvent.input(box, { target: { value: 'Hello again.' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save edit' }));
    expect(edit).toHaveBeenCalledWith(session.path[0].id, 'Hello again.', 'Hello, traveller.');
    expect(await screen.findByText('Hello again.')).toBeTruthy();
  });

  it('an edit refused because another tab changed the message keeps the editor open with the person’s text, under the reason', async () => {
    const { app, session } = await chatFixture();
    renderInApp(app, MessageList, { session });
    const greeting = session.path[0];
    await fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    // Another tab saves an edit of the same message while this editor is open.
    await app.repos.conversations.editMessage(greeting.id, 'Changed elsewhere.', greeting.content, Date.now());
    const box = screen.getByRole('textbox', { name: 'Edit message' });
    await fireEvent.input(box, { target: { value: 'My careful words.' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save edit' }));

    expect((await screen.findByRole('alert')).textContent).toContain('This message was changed in another tab or window');
    expect((screen.getByRole('textbox', { name: 'Edit message' }) as HTMLTextAreaElement).value).toBe('My careful words.');
    expect((await app.repos.conversations.getMessage(greeting.id))?.content).toBe('Changed elsewhere.');
  });
});
