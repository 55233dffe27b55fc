import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEvent, GenerateOptions } from '../../../src/core/engine';
import { estimatePromptTokens, TokenEstimator } from '../../../src/core/tokens';
import { DEFAULT_SAMPLING, type Character, type ChatTurn, type Conversation, type Message } from '../../../src/core/types';
import { ChatMemory } from '../../../src/state/chat-memory.svelte';
import { ChatSession } from '../../../src/state/chat-session.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { AppDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';

const character: Character = {
  id: 'c1', origin: 'user', name: 'Mira', nickname: '', avatar: '', shortDescription: '', description: 'Keeps a lighthouse.',
  personality: 'gruff', scenario: '', firstMessage: 'Who goes there?', alternateGreetings: [], exampleDialogue: '',
  systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [],
  language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
};

const isSummaryRequest = (messages: ChatTurn[]) => messages[0]?.content.startsWith('You keep the memory');

/** Replies as ScriptedEngine does; summary requests wait for `release` (or an abort) and answer `summary`. */
class MemoryEngine extends ScriptedEngine {
  summaryCalls: { whileReplying: boolean; messages: ChatTurn[] }[] = [];
  summary = 'Ana told Mira she is allergic to cats.';
  #release: () => void = () => {};
  #gate = new Promise<void>((resolve) => (this.#release = resolve));
  replying = () => false;

  release(): void {
    this.#release();
  }

  override async *chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    if (!isSummaryRequest(messages)) return yield* super.chat(messages, options, signal);
    this.summaryCalls.push({ whileReplying: this.replying(), messages });
    const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([this.#gate, aborted]);
    if (signal?.aborted) {
      yield { type: 'done', finishReason: 'abort', usage: { promptTokens: 1, completionTokens: 0 } };
      return;
    }
    yield { type: 'delta', text: this.summary };
    yield { type: 'done', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 5 } };
  }
}

let db: AppDatabase;
let repos: Repositories;
let engine: MemoryEngine;

async function openChat(): Promise<{ session: ChatSession; memory: ChatMemory }> {
  const conversation: Conversation = { id: 'conv', characterId: 'c1', title: 'Chat', leafId: 'g1', createdAt: 1, updatedAt: 1, messageCount: 1 };
  const greeting: Message = { id: 'g1', conversationId: 'conv', parentId: null, role: 'assistant', content: 'Who goes there?', revisions: [], status: 'done', createdAt: 1, updatedAt: 1 };
  await repos.conversations.create(conversation, [greeting]);
  const ready = () => ({ engine, modelId: 'scripted', contextWindow: 900, estimator: new TokenEstimator({ maxRatio: 8 }) });
  const memory = new ChatMemory({ memories: repos.memories, conversations: repos.conversations, character, persona: () => ({ name: 'Ana' }), engine: ready }, 'conv');
  const session = await ChatSession.open({
    conversations: repos.conversations, character, persona: () => ({ name: 'Ana', description: '' }),
    sampling: () => ({ ...DEFAULT_SAMPLING, maxTokens: 64 }), engine: ready, onEngineLost: () => {}, memory,
  }, 'conv');
  engine.replying = () => session!.busy;
  return { session: session!, memory };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const long = (i: number) => `Turn ${i}: the lamp turns above the rocks and the tide comes in slowly over the sand. `.repeat(3);

beforeEach(async () => {
  db = new AppDatabase(`memory-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  engine = new MemoryEngine();
});
afterEach(() => db.close());

describe('the rolling summary is written only while the chat is idle', () => {
  it('starts once enough messages fell out of the prompt, stops on send (nothing saved), resumes after the reply and is kept for the branch', async () => {
    const { session, memory } = await openChat();
    let sent = 0;
    while (engine.summaryCalls.length === 0 && sent < 40) {
      engine.replies.push({ pieces: [long(sent)] });
      await session.send(long(sent++));
      await settle();
    }
    expect(engine.summaryCalls).toHaveLength(1);
    expect(memory.writing).toBe(true);
    expect(session.path.at(-1)!.prompt!.droppedMessages).toBeGreaterThanOrEqual(6);

    // The person sends while the pass runs: the pass stops and nothing is saved; the reply is written.
    engine.replies.push({ pieces: ['Go on.'] });
    await session.send('What did I tell you?');
    expect(session.path.at(-1)!.content).toBe('Go on.');
    expect((await repos.memories.list('conv')).filter((m) => m.kind === 'summary')).toEqual([]);

    // Idle again: the pass starts over and, this time, finishes.
    await settle();
    expect(engine.summaryCalls).toHaveLength(2);
    engine.release();
    while (memory.writing) await settle();
    await memory.reload();
    const summary = memory.summaryFor(session.path);
    expect(summary?.record.text).toBe('Ana told Mira she is allergic to cats.');
    expect(summary!.covers).toBeGreaterThanOrEqual(6);
    expect(engine.summaryCalls.every((c) => !c.whileReplying)).toBe(true);

    // Another branch (the first message edited into a new version) does not get it.
    const other = [session.path[0], { ...session.path[1], id: 'other' }];
    expect(memory.summaryFor(other)).toBeUndefined();
  });
});

describe('pins and chat settings reach the prompt', () => {
  it('a pinned message and the chat\'s scenario are in the next prompt; the author\'s note at depth 0 on the new message', async () => {
    const { session, memory } = await openChat();
    engine.replies.push({ pieces: ['Noted.'] });
    await session.send('I am allergic to cats.');
    await memory.pinMessage(session.path.at(-2)!);
    await memory.saveSettings({ text: 'Mira is sleepy.', depth: 0 }, 'A stormy night at the lighthouse.');
    session.conversation = (await repos.conversations.get('conv'))!;
    engine.replies.push({ pieces: ['Yes.'] });
    await session.send('Remember?');
    const sent = engine.calls.at(-1)!.messages;
    const all = sent.map((m) => m.content).join('\n');
    expect(all).toContain('- I am allergic to cats.');
    expect(sent[0].content).toContain('Scenario: A stormy night at the lighthouse.');
    expect(sent.at(-1)!.content.endsWith('Remember?\n\n[System note: Mira is sleepy.]')).toBe(true);
    expect(session.path.at(-1)!.prompt!.inspector!.memory!.pins[0]).toMatchObject({ taken: true });
  });
});

describe('a summary pass fits the model\'s window', () => {
  it('reads fewer new messages when all of them would not fit, and covers only what it read', async () => {
    await repos.conversations.create({ id: 'conv', characterId: 'c1', title: 'Chat', leafId: null, createdAt: 1, updatedAt: 1, messageCount: 0 });
    const estimator = new TokenEstimator({ maxRatio: 8 });
    const ready = () => ({ engine, modelId: 'scripted', contextWindow: 1200, estimator });
    const memory = new ChatMemory({ memories: repos.memories, conversations: repos.conversations, character, persona: () => ({ name: 'Ana' }), engine: ready }, 'conv');
    const branch: Message[] = Array.from({ length: 30 }, (_, i) => ({
      id: `m${i}`, conversationId: 'conv', parentId: i ? `m${i - 1}` : null, role: i % 2 ? 'assistant' : 'user', content: long(i), revisions: [], status: 'done', createdAt: i, updatedAt: i,
    }));
    engine.release();
    await memory.idle(branch, { messages: [], sections: [], droppedMessages: 24 });
    const sent = engine.summaryCalls[0].messages;
    expect(estimatePromptTokens(sent) + 320).toBeLessThanOrEqual(1200);
    await memory.reload();
    const covers = memory.summaryFor(branch)!.covers;
    expect(covers).toBeGreaterThan(0);
    expect(covers).toBeLessThan(24);
    expect(sent[1].content).toContain(`Turn ${covers - 1}:`);
    expect(sent[1].content).not.toContain(`Turn ${covers}:`);
  });
});
