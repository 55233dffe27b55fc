// Continue (the last reply written on, in the same message), Impersonate (the person's next line
// drafted into the message box, saved nowhere) and which sampling a reply is sent.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, type Character, type Conversation, type Message, type SamplingSettings } from '../../../src/core/types';
import { TokenEstimator } from '../../../src/core/tokens';
import { ChatSession, type ChatSessionDeps } from '../../../src/state/chat-session.svelte';
import { AppDatabase } from '../../../src/storage/db';
import { createRepositories, type Repositories } from '../../../src/storage';
import { ScriptedEngine } from '../helpers/scripted-engine';
import type { ChatEngine } from '../../../src/core/engine';
import { chunk, finalChunk, MODEL, modelFiles, scriptedReply, usageChunk, webLlmWithFakeWorkers, type FakeMLCEngine } from '../helpers/fake-webllm';

const baseCharacter: Character = {
  id: 'c1', origin: 'user', name: 'Mira', nickname: '', avatar: '', shortDescription: 'A keeper', description: 'Keeps a lighthouse.',
  personality: 'gruff', scenario: '', firstMessage: 'Who goes there?', alternateGreetings: [], exampleDialogue: '',
  systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [],
  language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
};

let db: AppDatabase;
let repos: Repositories;
let engine: ScriptedEngine;
let personSampling: SamplingSettings;

async function openSession(character: Character = baseCharacter, chatEngine: ChatEngine = engine): Promise<ChatSession> {
  const conversation: Conversation = { id: 'conv', characterId: 'c1', title: 'Chat', leafId: 'g1', createdAt: 1, updatedAt: 1, messageCount: 1 };
  const greeting: Message = {
    id: 'g1', conversationId: 'conv', parentId: null, role: 'assistant', content: 'Who goes there?', revisions: [], status: 'done', createdAt: 1, updatedAt: 1,
  };
  await repos.conversations.create(conversation, [greeting]);
  const deps: ChatSessionDeps = {
    conversations: repos.conversations,
    character,
    persona: () => ({ name: 'Ana', description: 'A traveller' }),
    sampling: () => personSampling,
    engine: () => ({ engine: chatEngine, modelId: 'scripted', contextWindow: 2048, estimator: new TokenEstimator({ maxRatio: 8 }) }),
    onEngineLost: () => {},
  };
  const session = await ChatSession.open(deps, 'conv');
  if (!session) throw new Error('session did not open');
  return session;
}

/** Sends "Is the lamp lit?" and gets "The lamp" back: a reply to continue. */
async function replied(session: ChatSession): Promise<Message> {
  engine.replies.push({ pieces: ['The ', 'lamp'] });
  await session.send('Is the lamp lit?');
  return session.path.at(-1)!;
}

beforeEach(async () => {
  db = new AppDatabase(`continue-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  engine = new ScriptedEngine();
  engine.caps = { gpu: false, multiThread: false, continueReply: true };
  personSampling = DEFAULT_SAMPLING;
});
afterEach(() => db.close());

describe('Continue', () => {
  it('writes on in the same message: the text grows, the earlier text is kept as a revision, and it is stored', async () => {
    const session = await openSession();
    const reply = await replied(session);
    engine.calls.length = 0;
    engine.replies.push({ pieces: [' is', ' lit.'] });

    await session.continue();

    expect(session.path.map((m) => m.id)).toEqual(['g1', session.path[1].id, reply.id]);
    const stored = (await repos.conversations.getMessage(reply.id))!;
    expect(stored).toMatchObject({ content: 'The lamp is lit.', revisions: ['The lamp'], status: 'done' });
    expect(session.path.at(-1)?.content).toBe('The lamp is lit.');
    expect((await repos.conversations.messages('conv')).length).toBe(3); // no new message
    // The engine is asked to continue the open assistant turn, which carries the text so far.
    const [call] = engine.calls;
    expect(call.options.continueLast).toBe(true);
    expect(call.messages.at(-1)).toEqual({ role: 'assistant', content: 'The lamp' });
    expect(call.messages.at(-2)).toEqual({ role: 'user', content: 'Is the lamp lit?' });
  });

  it('a stopped continuation keeps what it wrote, after the earlier text', async () => {
    const session = await openSession();
    const reply = await replied(session);
    let release: (() => void) | null = null;
    let pieces = 0;
    engine.replies.push({ pieces: [' is', ' lit', ' tonight.'], gate: () => (pieces++ < 1 ? Promise.resolve() : new Promise((resolve) => (release = resolve))) });

    const continuing = session.continue();
    await expect.poll(() => release !== null).toBe(true);
    session.stop();
    release!();
    await continuing;

    const stored = (await repos.conversations.getMessage(reply.id))!;
    expect(stored).toMatchObject({ content: 'The lamp is', revisions: ['The lamp'], status: 'stopped' });
    expect(session.busy).toBe(false);
  });

  it('does nothing on an engine that cannot continue a turn, or for a reply that is not the last', async () => {
    const session = await openSession();
    await replied(session);
    engine.calls.length = 0;
    engine.caps = { gpu: false, multiThread: false };
    await session.continue();
    engine.caps = { gpu: false, multiThread: false, continueReply: true };
    await session.continue('g1');
    expect(engine.calls).toHaveLength(0);
    expect(session.path.at(-1)?.content).toBe('The lamp');
  });
});

describe('Continue on a web-llm engine (web-llm’s own client and worker handler around a scripted MLCEngine)', () => {
  /** A loaded Qwen2.5 whose mlc-chat-config.json web-llm has cached; it replies "The lamp" first. */
  async function webLlmChat(options: { templateCached?: boolean } = {}) {
    const caches = options.templateCached === false ? null : modelFiles(MODEL, 'qwen2');
    const replies = [scriptedReply(['The ', 'lamp'])];
    const { engine: webllm, workers } = webLlmWithFakeWorkers([{ replies }], { caches });
    await webllm.load({ kind: 'webllm', modelId: MODEL }, () => {});
    const session = await openSession(baseCharacter, webllm);
    await session.send('Is the lamp lit?');
    return { session, reply: session.path.at(-1)!, replies, fake: workers[0]!.engine };
  }

  it('writes on in the same message from the open reply in the model’s template; the earlier text is a revision', async () => {
    const { session, reply, replies, fake } = await webLlmChat();
    replies.push(scriptedReply([' is', ' lit.']));

    await session.continue();

    const stored = (await repos.conversations.getMessage(reply.id))!;
    expect(stored).toMatchObject({ content: 'The lamp is lit.', revisions: ['The lamp'], status: 'done' });
    expect(stored.usage).toMatchObject({ promptTokens: 42, completionTokens: 2 });
    expect((await repos.conversations.messages('conv')).length).toBe(3);
    // Raw text, ending inside the reply: the chat API would refuse a last assistant turn.
    expect(fake.completionRequests).toHaveLength(1);
    expect(fake.completionRequests[0]!.prompt.startsWith('<|im_start|>system\n')).toBe(true);
    expect(fake.completionRequests[0]!.prompt.endsWith('<|im_start|>user\nIs the lamp lit?<|im_end|>\n<|im_start|>assistant\nThe lamp')).toBe(true);
  });

  it('a stopped continuation keeps what it wrote, after the earlier text', async () => {
    const { session, reply, replies } = await webLlmChat();
    let release: (() => void) | null = null;
    replies.push(async function* (fake: FakeMLCEngine) {
      fake.interruptSignal = false;
      yield chunk(' is');
      await new Promise<void>((resolve) => (release = resolve));
      if (!fake.interruptSignal) yield chunk(' lit');
      yield finalChunk(fake.interruptSignal ? 'abort' : 'stop');
      yield usageChunk(1);
    });

    const continuing = session.continue();
    await expect.poll(() => release !== null).toBe(true);
    session.stop();
    release!();
    await continuing;

    const stored = (await repos.conversations.getMessage(reply.id))!;
    expect(stored).toMatchObject({ content: 'The lamp is', revisions: ['The lamp'], status: 'stopped' });
    expect(session.busy).toBe(false);
  });

  it('does nothing where the model’s template could not be read', async () => {
    const { session, fake } = await webLlmChat({ templateCached: false });
    await session.continue();
    expect(fake.completionRequests).toHaveLength(0);
    expect(session.path.at(-1)?.content).toBe('The lamp');
    expect(session.error).toBeNull();
  });
});

describe('Impersonate', () => {
  it('returns the person’s drafted line (without a leading name) and saves nothing', async () => {
    const session = await openSession();
    await replied(session);
    const before = await repos.conversations.messages('conv');
    const conversationBefore = await repos.conversations.get('conv');
    engine.calls.length = 0;
    engine.replies.push({ pieces: ['Ana: ', 'Then let us ', 'climb up.'] });

    const line = await session.impersonate();
    expect(session.error).toBeNull();
    expect(line).toBe('Then let us climb up.');

    expect(await repos.conversations.messages('conv')).toEqual(before);
    expect(await repos.conversations.get('conv')).toEqual(conversationBefore);
    expect(session.path.at(-1)?.content).toBe('The lamp');
    expect(session.busy).toBe(false);
    // The whole visible chat is sent, then the request for the person's line, by the persona's name.
    const sent = engine.calls[0].messages;
    expect(sent.at(-2)).toEqual({ role: 'assistant', content: 'The lamp' });
    expect(sent.at(-1)?.role).toBe('user');
    expect(sent.at(-1)?.content).toContain("Write Ana's next message");
  });

  it('asks an engine that can open the person\'s turn to write it there (a raw continuation); others get the request', async () => {
    const session = await openSession();
    await replied(session);
    engine.calls.length = 0;
    engine.replies.push({ pieces: ['Then let us climb up.'] }, { pieces: ['Up we go.'] });
    await session.impersonate();
    expect(engine.calls[0].options.openPersonTurn).toBeUndefined();
    engine.caps = { ...engine.caps, personTurn: true };
    expect(await session.impersonate()).toBe('Up we go.');
    expect(engine.calls[1].options.openPersonTurn).toBe(true);
  });

  it('the draft grows in view while it is written, and Stop keeps what was drafted', async () => {
    const session = await openSession();
    let release: (() => void) | null = null;
    let pieces = 0;
    engine.replies.push({ pieces: ['Let us', ' go', ' up.'], gate: () => (pieces++ < 1 ? Promise.resolve() : new Promise((resolve) => (release = resolve))) });
    const drafting = session.impersonate();
    await expect.poll(() => session.impersonating?.text).toBe('Let us');
    expect(session.busy).toBe(true);
    session.stop();
    release!();
    expect(await drafting).toBe('Let us');
    expect(session.impersonating).toBeNull();
    expect(session.busy).toBe(false);
  });
});

describe('sampling a reply is sent', () => {
  it('the chat’s override wins over the character’s, which wins over the person’s settings', async () => {
    personSampling = { ...DEFAULT_SAMPLING, temperature: 0.8, topP: 0.9, seed: 7 };
    engine.caps = { gpu: false, multiThread: false, samplers: ['topK', 'seed'] };
    const session = await openSession({ ...baseCharacter, sampling: { temperature: 0.5, topK: 12 } });

    await replied(session);
    expect(engine.calls[0].options).toEqual({ maxTokens: DEFAULT_SAMPLING.maxTokens, temperature: 0.5, topP: 0.9, topK: 12, seed: 7 });

    await session.setSampling({ temperature: 0.3 });
    expect((await repos.conversations.get('conv'))?.sampling).toEqual({ temperature: 0.3 });
    await session.send('And now?');
    expect(engine.calls[1].options).toEqual({ maxTokens: DEFAULT_SAMPLING.maxTokens, temperature: 0.3, topP: 0.9, topK: 12, seed: 7 });
    // The reply keeps exactly what was sent (the prompt inspector shows it).
    expect(session.path.at(-1)?.sampling).toEqual(engine.calls[1].options);

    await session.setSampling(undefined);
    expect((await repos.conversations.get('conv'))?.sampling).toBeUndefined();
    expect(session.sampling.temperature).toBe(0.5);
  });

  it('an engine receives exactly the samplers it supports, and out-of-range overrides are clamped', async () => {
    personSampling = { ...DEFAULT_SAMPLING, stop: ['\nAna:'], seed: 3 };
    engine.caps = { gpu: false, multiThread: false, samplers: ['presencePenalty', 'stop'] };
    const session = await openSession({ ...baseCharacter, sampling: { presencePenalty: 9, temperature: -1 } });
    await replied(session);
    expect(engine.calls[0].options).toEqual({
      maxTokens: DEFAULT_SAMPLING.maxTokens, temperature: 0, topP: DEFAULT_SAMPLING.topP, presencePenalty: 2, stop: ['\nAna:'],
    });
  });

  it('an engine that does not list its samplers gets the basic ones (repetition penalty, seed, stop)', async () => {
    personSampling = { ...DEFAULT_SAMPLING, seed: 3 };
    engine.caps = { gpu: false, multiThread: false };
    const session = await openSession();
    await replied(session);
    expect(engine.calls[0].options).toEqual({
      maxTokens: DEFAULT_SAMPLING.maxTokens, temperature: DEFAULT_SAMPLING.temperature, topP: DEFAULT_SAMPLING.topP,
      repetitionPenalty: DEFAULT_SAMPLING.repetitionPenalty, seed: 3,
    });
  });
});
