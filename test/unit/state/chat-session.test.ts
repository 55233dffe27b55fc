import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { DEFAULT_SAMPLING, type Character, type Conversation, type Message } from '../../../src/core/types';
import { estimatePromptTokens, TokenEstimator } from '../../../src/core/tokens';
import { ChatSession, type ChatSessionDeps } from '../../../src/state/chat-session.svelte';
import { AppDatabase } from '../../../src/storage/db';
import { createRepositories, type Repositories } from '../../../src/storage';
import { ScriptedEngine, sendPastContextLimit } from '../helpers/scripted-engine';

const character: Character = {
  id: 'c1', origin: 'user', name: 'Mira', nickname: '', avatar: '', shortDescription: 'A keeper', description: 'Keeps a lighthouse.',
  personality: 'gruff', scenario: '', firstMessage: 'Who goes there?', alternateGreetings: ['Back again?'], exampleDialogue: '',
  systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [],
  language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
};

let db: AppDatabase;
let repos: Repositories;
let engine: ScriptedEngine;
let lost: AppError[];
let estimator: TokenEstimator;
let contextWindow: number;

async function openSession(): Promise<ChatSession> {
  const conversation: Conversation = { id: 'conv', characterId: 'c1', title: 'Chat', leafId: 'g1', createdAt: 1, updatedAt: 1, messageCount: 2 };
  const greeting = (id: string, content: string, at: number): Message => ({
    id, conversationId: 'conv', parentId: null, role: 'assistant', content, revisions: [], status: 'done', createdAt: at, updatedAt: at,
  });
  await repos.conversations.create(conversation, [greeting('g1', 'Who goes there?', 1), greeting('g2', 'Back again?', 2)]);
  const deps: ChatSessionDeps = {
    conversations: repos.conversations,
    character,
    persona: () => ({ name: 'Ana', description: '' }),
    sampling: () => DEFAULT_SAMPLING,
    engine: () => ({ engine, modelId: 'scripted', contextWindow, estimator }),
    onEngineLost: (error) => lost.push(error),
  };
  const session = await ChatSession.open(deps, 'conv');
  if (!session) throw new Error('session did not open');
  return session;
}

/** The stored conversation opened again, with no model loaded. */
function openWithoutEngine(): Promise<ChatSession | null> {
  return ChatSession.open({
    conversations: repos.conversations, character, persona: () => ({ name: 'Ana', description: '' }),
    sampling: () => DEFAULT_SAMPLING, engine: () => null, onEngineLost: () => {},
  }, 'conv');
}

beforeEach(async () => {
  db = new AppDatabase(`chat-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  engine = new ScriptedEngine();
  lost = [];
  estimator = new TokenEstimator({ maxRatio: 8 });
  contextWindow = 2048;
});
afterEach(() => db.close());

describe('ChatSession', () => {
  it('opens on the greeting and offers alternate greetings as swipes', async () => {
    const session = await openSession();
    expect(session.path.map((m) => m.content)).toEqual(['Who goes there?']);
    expect(session.tree.siblings('g1').map((m) => m.id)).toEqual(['g1', 'g2']);
    await session.swipe('g1', 1);
    expect(session.path.map((m) => m.content)).toEqual(['Back again?']);
    expect((await repos.conversations.get('conv'))?.leafId).toBe('g2');
  });

  it('sends a message, streams the reply and saves both', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: ['*nods* ', '"Come in."'] });
    expect(await session.send('Hello?')).toBe(true);
    expect(session.path.map((m) => m.content)).toEqual(['Who goes there?', 'Hello?', '*nods* "Come in."']);
    const prompt = engine.calls[0].messages;
    expect(prompt[0].role).toBe('system');
    expect(prompt.at(-1)).toEqual({ role: 'user', content: 'Hello?' });
    const stored = await repos.conversations.messages('conv');
    const reply = stored.find((m) => m.content === '*nods* "Come in."');
    expect(reply?.status).toBe('done');
    expect(reply?.usage?.completionTokens).toBe(2);
    expect(reply?.prompt?.messages.at(-1)?.content).toBe('Hello?');
    expect(session.busy).toBe(false);
  });

  it('when storage refuses the finished reply, the text stays on screen, the reason is shown and the chat is usable', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: ['Fine ', 'weather.'] });
    const real = repos.conversations.updateMessage.bind(repos.conversations);
    // The first final write fails as a full disk would; later writes work again.
    let failures = 0;
    repos.conversations.updateMessage = async (id, changes) => {
      if (changes.status === 'done' && failures++ === 0) throw new AppError('quota', 'The disk is full');
      return real(id, changes);
    };
    expect(await session.send('Weather?')).toBe(true);
    expect(session.path.at(-1)?.content).toBe('Fine weather.');
    expect(session.error?.code).toBe('quota');
    expect(session.busy).toBe(false);
    engine.replies.push({ pieces: ['Still here.'] });
    expect(await session.send('And now?')).toBe(true);
    expect(session.path.at(-1)?.content).toBe('Still here.');
  });

  it('a streaming reply shows only text already stored, so a reload keeps at least what was on screen', async () => {
    const session = await openSession();
    // Each piece waits for the test, so the reply is seen at every length it is drawn.
    const gates: (() => void)[] = [];
    engine.replies.push({ pieces: ['one ', 'two ', 'three ', 'four'], gate: () => new Promise<void>((resolve) => gates.push(resolve)) });
    const sending = session.send('Tell me a story');
    for (const drawn of ['one ', 'one two ', 'one two three ']) {
      await expect.poll(() => gates.length).toBeGreaterThan(0);
      gates.shift()!();
      await expect.poll(() => session.streaming?.text).toBe(drawn);
      const stored = (await repos.conversations.getMessage(session.streaming!.id))!.content;
      expect(stored.startsWith(drawn)).toBe(true);
    }
    await expect.poll(() => gates.length).toBeGreaterThan(0);
    gates.shift()!();
    await sending;
    expect(session.path.at(-1)?.content).toBe('one two three four');
  });

  it('keeps the partial reply when stopped', async () => {
    const session = await openSession();
    let release!: () => void;
    let arrived = 0;
    engine.replies.push({
      pieces: ['one ', 'two ', 'three'],
      gate: () => (arrived++ < 2 ? Promise.resolve() : new Promise<void>((resolve) => (release = resolve))),
    });
    const sending = session.send('Tell me a story');
    await expect.poll(() => arrived).toBe(3);
    session.stop();
    release();
    await sending;
    const reply = session.path.at(-1)!;
    expect(reply.content).toBe('one two ');
    expect(reply.status).toBe('stopped');
    expect((await repos.conversations.messages('conv')).find((m) => m.id === reply.id)?.content).toBe('one two ');
  });

  it('regenerates a reply as a new swipe without losing the old one', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: ['First answer'] }, { pieces: ['Second answer'] });
    await session.send('Hi');
    const first = session.path.at(-1)!;
    await session.regenerate(first.id);
    const second = session.path.at(-1)!;
    expect(second.content).toBe('Second answer');
    expect(session.tree.siblings(second.id).map((m) => m.content)).toEqual(['First answer', 'Second answer']);
    await session.swipe(second.id, -1);
    expect(session.path.at(-1)?.content).toBe('First answer');
    // The regenerated prompt is the same conversation: it ends with the same user message.
    expect(engine.calls[1].messages.at(-1)).toEqual({ role: 'user', content: 'Hi' });
  });

  it('edits keep the earlier text, and deletes can be undone', async () => {
    const session = await openSession();
    await session.send('Hi');
    const reply = session.path.at(-1)!;
    await session.edit(reply.id, 'Edited', reply.content);
    expect(session.path.at(-1)?.content).toBe('Edited');
    expect(session.tree.get(reply.id)?.revisions).toEqual(['Hello there']);

    const leaf = session.leafId;
    await session.remove(reply.id);
    expect(session.path.map((m) => m.content)).toEqual(['Who goes there?', 'Hi']);
    await session.restore(reply.id, leaf);
    expect(session.path.map((m) => m.content)).toEqual(['Who goes there?', 'Hi', 'Edited']);
  });

  it('keeps partial text and reports a lost GPU when generation fails', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: ['Half a'], failWith: new AppError('device-lost', 'GPU device was lost') });
    await session.send('Go on');
    const reply = session.path.at(-1)!;
    expect(reply.content).toBe('Half a');
    expect(reply.status).toBe('error');
    expect(session.error?.code).toBe('device-lost');
    expect(lost).toHaveLength(1);
  });

  it('reports a crashed engine as lost, so the model shows as unloaded with a reload offered', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: [], failWith: new AppError('engine-crashed', 'Invalid typed array length: 1163217991') });
    await session.send('Hello?');
    const reply = session.path.at(-1)!;
    expect(reply.status).toBe('error');
    expect(session.error?.code).toBe('engine-crashed');
    expect(lost.map((e) => e.code)).toEqual(['engine-crashed']);
  });

  it('refuses to send without a model and keeps nothing half-made', async () => {
    const session = await openSession();
    const noEngine = await openWithoutEngine();
    expect(await noEngine!.send('Hello')).toBe(false);
    expect(noEngine!.error?.code).toBe('no-model');
    expect((await repos.conversations.messages('conv')).length).toBe(session.messages.length);
  });

  it('reopens a conversation exactly as it was left', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: ['Reply A'] });
    await session.send('First');
    const reopened = await openWithoutEngine();
    expect(reopened!.path.map((m) => m.content)).toEqual(['Who goes there?', 'First', 'Reply A']);
  });

  it('a model server’s usage counts the whole prompt, so a frugal vocabulary lowers the estimate below 1', async () => {
    Object.defineProperty(engine, 'kind', { value: 'server' });
    const session = await openSession();
    // The server's tokenizer needs 0.6 of the estimate (Chinese under a large vocabulary does).
    engine.replies.push({ pieces: ['Noted.'], promptTokens: (messages) => Math.round(estimatePromptTokens(messages) * 0.6) });
    await session.send('A long enough message to be measured. '.repeat(8));
    expect(estimator.ratio).toBeLessThan(1);
  });

  it('when the engine says the prompt is too long, it learns the real size and sends a shorter one', async () => {
    contextWindow = 1200;
    const session = await openSession();
    await sendPastContextLimit(session, engine, {
      repeat: 5,
      turns: 6,
      promptTokens: 9000,
      message: 'request (9000 tokens) exceeds the available context size',
    });
    expect(engine.calls).toHaveLength(2);
    const [tooLong, shorter] = engine.calls.map((call) => call.messages);
    expect(estimatePromptTokens(shorter)).toBeLessThan(estimatePromptTokens(tooLong));
    expect(shorter.at(-1)?.content).toBe('One more question.');
    expect(estimator.ratio).toBeGreaterThan(1.5);
    expect(session.path.at(-1)?.content).toBe('Fits now.');
    expect(session.error).toBeNull();
  });
});
