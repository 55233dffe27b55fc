import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import Composer from '../../../../src/ui/chat/Composer.svelte';
import { chatFixture, renderInApp, until } from '../render-in-app';

describe('Composer', () => {
  it('sends what was typed through the session and clears the box', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['Well met.'] }];
    const send = vi.spyOn(session, 'send');
    renderInApp(app, Composer, { session });

    const box = screen.getByRole('textbox', { name: 'Message' });
    const button = screen.getByRole('button', { name: 'Send' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(box, { target: { value: 'Hi there' } });
    expect((button as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(button);

    expect(send).toHaveBeenCalledWith('Hi there');
    expect((box as HTMLTextAreaElement).value).toBe('');
    await until(() => !session.busy, 'the reply');
    expect(session.path.map((m) => m.content)).toEqual(['Hello, traveller.', 'Hi there', 'Well met.']);
  });

  it('Write my line puts the model’s draft of the person’s next line in the box, to edit; nothing is sent', async () => {
    const { app, engine, session } = await chatFixture();
    engine.replies = [{ pieces: ['I will ', 'come along.'] }];
    const send = vi.spyOn(session, 'send');
    renderInApp(app, Composer, { session });
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;

    await fireEvent.click(screen.getByRole('button', { name: 'Write my line' }));
    // While it is drafted the box shows it growing and cannot be typed in; then it is the person's.
    await until(() => !session.busy, 'the draft');
    await waitFor(() => expect(box.value).toBe('I will come along.'));
    expect(box.readOnly).toBe(false);
    expect(send).not.toHaveBeenCalled();
    expect(session.path.map((m) => m.content)).toEqual(['Hello, traveller.']);
    // The draft is the person's to change before sending.
    await fireEvent.input(box, { target: { value: 'I will come along, then.' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(send).toHaveBeenCalledWith('I will come along, then.');
  });

  it('Enter sends, Shift+Enter does not', async () => {
    const { app, session } = await chatFixture();
    const send = vi.spyOn(session, 'send').mockResolvedValue(true);
    renderInApp(app, Composer, { session });
    const box = screen.getByRole('textbox', { name: 'Message' });
    await fireEvent.input(box, { target: { value: 'Line one' } });
    await fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(send).not.toHaveBeenCalled();
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(send).toHaveBeenCalledWith('Line one');
  });

  it('on a touch screen Enter makes a new line (the keyboard has no Shift+Enter) and the placeholder does not mention keys', async () => {
    const coarse = vi.spyOn(window, 'matchMedia').mockImplementation((query: string) => ({ matches: query === '(pointer: coarse)', media: query }) as MediaQueryList);
    try {
      const { app, session } = await chatFixture();
      const send = vi.spyOn(session, 'send').mockResolvedValue(true);
      renderInApp(app, Composer, { session });
      const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
      expect(box.placeholder).toBe('Write your message…');
      await fireEvent.input(box, { target: { value: 'Line one' } });
      await fireEvent.keyDown(box, { key: 'Enter' });
      expect(send).not.toHaveBeenCalled();
      await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
      expect(send).toHaveBeenCalledWith('Line one');
    } finally {
      coarse.mockRestore();
    }
  });

  it('keeps the text when nothing could be sent (no model loaded)', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    renderInApp(app, Composer, { session });
    const box = screen.getByRole('textbox', { name: 'Message' });
    await fireEvent.input(box, { target: { value: 'Anyone?' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect((box as HTMLTextAreaElement).value).toBe('Anyone?'));
    expect(session.error?.code).toBe('no-model');
  });

  it('while a model loads, Send says Loading… and neither the button nor Enter sends', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    const send = vi.spyOn(session, 'send');
    app.models.status = 'loading';
    renderInApp(app, Composer, { session });
    const box = screen.getByRole('textbox', { name: 'Message' });
    await fireEvent.input(box, { target: { value: 'Are you there?' } });
    const button = screen.getByRole('button', { name: 'Loading…' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(send).not.toHaveBeenCalled();
    expect((box as HTMLTextAreaElement).value).toBe('Are you there?');
    expect(session.error).toBeNull();

    app.models.status = 'ready';
    await waitFor(() => expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy());
  });

  it('shows Stop while a reply is written, and Stop stops the session', async () => {
    const { app, engine, session } = await chatFixture();
    let release: (() => void) | undefined;
    engine.replies = [{ pieces: ['One', ' two'], gate: () => new Promise<void>((resolve) => (release = resolve)) }];
    const stop = vi.spyOn(session, 'stop');
    renderInApp(app, Composer, { session });
    await fireEvent.input(screen.getByRole('textbox', { name: 'Message' }), { target: { value: 'Go on' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const stopButton = await screen.findByRole('button', { name: 'Stop' });
    await until(() => release !== undefined, 'the reply to start');
    await fireEvent.click(stopButton);
    expect(stop).toHaveBeenCalled();
    release!();
    await until(() => !session.busy, 'the stop');
    expect(await screen.findByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it('names the persona in the placeholder', async () => {
    const { app, session } = await chatFixture();
    await app.profile.savePersona('Lin', '');
    renderInApp(app, Composer, { session });
    expect(screen.getByRole('textbox', { name: 'Message' }).getAttribute('placeholder')).toContain('Lin');
  });
});

describe('Composer focus after a model loads', () => {
  it('puts focus in the message box when the load ends and focus had fallen to the page', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    renderInApp(app, Composer, { session });
    const box = screen.getByRole('textbox', { name: 'Message' });
    (document.activeElement as HTMLElement | null)?.blur();
    await app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    await waitFor(() => expect(document.activeElement).toBe(box));
  });

  it('leaves focus where the person put it meanwhile', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    renderInApp(app, Composer, { session });
    const elsewhere = document.body.appendChild(document.createElement('button'));
    elsewhere.focus();
    await app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(document.activeElement).toBe(elsewhere);
    elsewhere.remove();
  });
});
