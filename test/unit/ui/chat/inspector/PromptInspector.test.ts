import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { inspectPrompt } from '../../../../../src/core/role-prompt';
import InspectorLeftOut from '../../../../../src/ui/chat/inspector/InspectorLeftOut.svelte';
import InspectorScenes from '../../../../../src/ui/chat/inspector/InspectorScenes.svelte';
import InspectorSummary from '../../../../../src/ui/chat/inspector/InspectorSummary.svelte';
import MessageList from '../../../../../src/ui/chat/MessageList.svelte';
import { chatFixture, renderInApp } from '../../render-in-app';

/** A chat with one sent message and its reply, which keeps the prompt it was written from. */
async function repliedChat() {
  const fixture = await chatFixture();
  fixture.engine.replies = [{ pieces: ['Well met.'] }];
  await fixture.session.send('Who are you?');
  const reply = fixture.session.path.at(-1)!;
  return { ...fixture, reply, view: inspectPrompt(reply.prompt!) };
}

describe('the prompt inspector', () => {
  it('opens from the reply’s "Show prompt", lists the sections sent, and closes', async () => {
    const { app, session } = await repliedChat();
    renderInApp(app, MessageList, { session });
    expect(screen.getAllByRole('button', { name: 'Show prompt' })).toHaveLength(1); // only the reply has a prompt
    await fireEvent.click(screen.getByRole('button', { name: 'Show prompt' }));

    const dialog = screen.getByRole('dialog', { name: 'Prompt sent for this reply' });
    const sections = within(dialog).getByText('Sections, in the order sent').closest('section')!;
    expect(within(sections).getByText('Your new message')).toBeTruthy();
    expect(dialog.textContent).toContain('Who are you?');
    expect(within(dialog).getByTestId('inspector-left-out').textContent).toContain('Nothing was left out for lack of room.');

    await fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('the summary shows the tokens used against the window', async () => {
    const { app, view } = await repliedChat();
    renderInApp(app, InspectorSummary, { view });
    const budget = view.inspector!.budget;
    expect(screen.getByTestId('inspector-total').textContent).toContain(`a ${budget.contextWindow}-token window`);
  });

  it('the summary of a prompt from before the inspector says only the messages are shown', async () => {
    const { app, view } = await repliedChat();
    renderInApp(app, InspectorSummary, { view: { ...view, inspector: undefined } });
    expect(screen.getByText(/written before the prompt inspector existed/)).toBeTruthy();
  });

  it('"Left out" names the older messages that did not fit', async () => {
    const { app, view } = await repliedChat();
    const inspector = view.inspector!;
    renderInApp(app, InspectorLeftOut, { inspector: { ...inspector, history: { ...inspector.history, dropped: 3 } } });
    expect(screen.getByTestId('inspector-left-out').textContent).toContain('3 older messages did not fit.');
  });

  it('says for each scene why it was or was not taken', async () => {
    const { app, view } = await repliedChat();
    const scenes = {
      chosen: [
        { id: 'club', title: 'The club room', score: 3, tokens: 80, placed: 'earlier' as const },
        { id: 'film', title: 'The festival film', score: 2.5, tokens: 120, placed: 'new' as const },
      ],
      leftOut: [
        { id: 'rooftop', title: 'The rooftop', score: 2, tokens: 900, reason: 'no-room' as const },
        { id: 'rain', title: 'Rain at the station', score: 1, tokens: 90, reason: 'below-others' as const },
        { id: 'bus', title: 'The bus', score: 0.5, tokens: 60, reason: 'not-refreshed' as const },
      ],
      reused: false,
    };
    const inspector = { ...view.inspector!, scenes };
    renderInApp(app, InspectorScenes, { inspector });
    const chosen = screen.getByTestId('inspector-scenes');
    expect(within(chosen).getByText('The club room').closest('li')!.textContent).toContain('already in the prompt from an earlier turn');
    expect(within(chosen).getByText('The festival film').closest('li')!.textContent).toContain('put in for this reply');
    renderInApp(app, InspectorLeftOut, { inspector });
    const left = screen.getByTestId('inspector-left-out');
    expect(within(left).getByText('The rooftop').closest('li')!.textContent).toContain('larger than all the room scenes had');
    expect(within(left).getByText('Rain at the station').closest('li')!.textContent).toContain('better-ranked scenes took the room');
    expect(within(left).getByText('The bus').closest('li')!.textContent).toContain('the topic had not moved');
  });

  it('says which scene the new message alone pointed at (why it went first)', async () => {
    const { app, view } = await repliedChat();
    const inspector = view.inspector!;
    const chosen = [
      { id: 'club', title: 'The club room', score: 3, tokens: 80, placed: 'earlier' as const },
      { id: 'film', title: 'The festival film', score: 1.2, tokens: 120, placed: 'new' as const },
    ];
    const retrieval = {
      mode: 'keyword' as const, query: 'Tea?\nTea.\nWhat about the film?', sceneCount: 2, ms: 1,
      hits: [{ id: 'film', score: 1.2, keywordRank: 2, keywordScore: 1.2, focus: true as const }, { id: 'club', score: 3, keywordRank: 1, keywordScore: 3 }],
    };
    renderInApp(app, InspectorScenes, { inspector: { ...inspector, retrieval, scenes: { ...inspector.scenes, chosen } } });
    const section = screen.getByTestId('inspector-scenes');
    const film = within(section).getByText('The festival film').closest('li')!.textContent!;
    expect(film).toContain('BM25 1.20, rank 2');
    expect(film).toContain('the new message’s own clear best match, so it goes first');
    expect(film).toContain('put in for this reply');
    expect(within(section).getByText('The club room').closest('li')!.textContent).not.toContain('best match');
  });

  it('lists knowledge passages apart from the scenes chosen', async () => {
    const { app, view } = await repliedChat();
    const inspector = view.inspector!;
    const chosen = [
      { id: 's1', title: 'Storm night', score: 3.2, tokens: 40 },
      { id: 'k1', title: 'Lamp wiki · 1/4', score: 5.1, tokens: 90, kind: 'knowledge' as const },
    ];
    renderInApp(app, InspectorScenes, { inspector: { ...inspector, scenes: { ...inspector.scenes, chosen } } });
    const section = screen.getByTestId('inspector-scenes');
    expect(section.textContent).toContain('Chosen (1)');
    const knowledge = screen.getByTestId('inspector-knowledge');
    expect(knowledge.textContent).toBe('Knowledge passages chosen (1)');
    expect(knowledge.nextElementSibling!.textContent).toContain('Lamp wiki · 1/4');
    expect(knowledge.nextElementSibling!.textContent).not.toContain('Storm night');
  });
});
