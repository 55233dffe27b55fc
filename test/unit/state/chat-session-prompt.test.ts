// ChatSession with the role prompt: RoleGPT few-shot turns, ChatHaruhi scenes, lorebooks, the cache-aware layout, the stored inspector.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCENES_HEADER } from '../../../src/core/role-prompt';
import { estimatePromptTokens, estimateTokens, MESSAGE_OVERHEAD_TOKENS, TokenEstimator } from '../../../src/core/tokens';
import { steadyCount } from '../../../src/state/chat-prompt';
import { DEFAULT_SAMPLING, type Character, type ChatTurn, type Conversation, type LorebookEntry, type Message, type Scene } from '../../../src/core/types';
import { CharacterRetrieval } from '../../../src/state/character-retrieval';
import { ChatSession, type ChatSessionDeps } from '../../../src/state/chat-session.svelte';
import { AppDatabase } from '../../../src/storage/db';
import { createRepositories, type Repositories } from '../../../src/storage';
import { ScriptedEngine, sendPastContextLimit } from '../helpers/scripted-engine';
import type { ChatEvent, GenerateOptions } from '../../../src/core/engine';
import { AppError } from '../../../src/core/errors';

const entry = (id: number, keys: string[], content: string, over: Partial<LorebookEntry> = {}): LorebookEntry => ({
  id, keys, secondaryKeys: [], content, enabled: true, insertionOrder: id, extensions: {}, ...over,
});

const hester: Character = {
  id: 'hester', origin: 'builtin', name: 'Hester Coyle', nickname: 'Hester', avatar: '', shortDescription: '',
  description: 'Hester keeps the light on Gannet Rock.', personality: 'Gruff, practical.', scenario: '{{user}} washed ashore.',
  firstMessage: '*You wake by the stove.* "Awake, then."', alternateGreetings: [],
  exampleDialogue: '<START>\n{{user}}: Thank you for saving me.\n{{char}}: "Thank me by not drowning again."\n<START>\n{{user}}: What is the cat called?\n{{char}}: "Bosun. He is in charge of mice."',
  systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: ['Eat. Then argue.'],
  language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
  lorebook: { extensions: {}, entries: [entry(1, ['bell'], 'The drowned bell rings under the sea before a death.')] },
};

const scenes: Scene[] = [
  { id: 'sc-teeth', characterId: 'hester', title: 'The Teeth', text: 'Hester:「Tom rowed out to the Teeth and never came back.」', lines: [], tokens: 20, source: 'chatharuhi', vectors: [] },
  { id: 'sc-stew', characterId: 'hester', title: 'Supper', text: 'Hester:「Eat your stew before it goes cold.」', lines: [], tokens: 15, source: 'chatharuhi', vectors: [] },
];

let db: AppDatabase;
let repos: Repositories;
let engine: ScriptedEngine;
let estimator: TokenEstimator;
let contextWindow: number;

async function openSession(withRetrieval = true): Promise<ChatSession> {
  const conversation: Conversation = { id: 'conv', characterId: 'hester', title: 'Chat', leafId: 'g1', createdAt: 1, updatedAt: 1, messageCount: 1 };
  const greeting: Message = {
    id: 'g1', conversationId: 'conv', parentId: null, role: 'assistant', content: hester.firstMessage, revisions: [], status: 'done', createdAt: 1, updatedAt: 1,
  };
  if (!(await repos.conversations.get('conv'))) await repos.conversations.create(conversation, [greeting]);
  const deps: ChatSessionDeps = {
    conversations: repos.conversations,
    character: hester,
    persona: () => ({ name: 'Ana', description: 'A sailor from the mainland.' }),
    sampling: () => DEFAULT_SAMPLING,
    engine: () => ({ engine, modelId: 'scripted', contextWindow, estimator }),
    onEngineLost: () => {},
    scenes: withRetrieval ? new CharacterRetrieval({ scenes: repos.scenes }) : undefined,
    lorebooks: () => repos.lorebooks.activeFor('hester'),
  };
  const session = await ChatSession.open(deps, 'conv');
  if (!session) throw new Error('session did not open');
  return session;
}

beforeEach(async () => {
  db = new AppDatabase(`chat-prompt-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  engine = new ScriptedEngine();
  estimator = new TokenEstimator({ maxRatio: 8 });
  contextWindow = 4096;
});
afterEach(() => db.close());

describe('ChatSession prompts (RoleGPT + ChatHaruhi)', () => {
  it('sends the RoleGPT layout: one system prompt, few-shot exchanges as user/assistant turns, the history, the new message last', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: ['"Eat first."'] });
    await session.send('Where am I?');
    const sent = engine.calls[0].messages;
    expect(sent[0].role).toBe('system');
    expect(sent[0].content).toContain('You are Hester in a private, fictional role-play with Ana.');
    expect(sent[0].content).toContain('Hester keeps the light on Gannet Rock.');
    expect(sent[0].content).toContain('About Ana: A sailor from the mainland.');
    expect(sent.filter((m) => m.role === 'system')).toHaveLength(1);
    expect(sent.slice(1, 5)).toEqual([
      { role: 'user', content: 'Thank you for saving me.' },
      { role: 'assistant', content: '"Thank me by not drowning again."' },
      { role: 'user', content: 'What is the cat called?' },
      { role: 'assistant', content: '"Bosun. He is in charge of mice."' },
    ]);
    // Then the context block (the chat-start marker), the greeting, and the person's message last.
    expect(sent[5].role).toBe('user');
    expect(sent[5].content).toContain('The role-play with Ana follows.');
    expect(sent[6]).toEqual({ role: 'assistant', content: hester.firstMessage });
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'Where am I?' });
    for (let i = 2; i < sent.length; i++) expect(sent[i].role).not.toBe(sent[i - 1].role);
  });

  it('puts the character\'s retrieved scenes in the ChatHaruhi block and records why they were chosen', async () => {
    await repos.scenes.bulkAdd(scenes);
    const session = await openSession();
    await session.send('What happened at the Teeth?');
    const sent = engine.calls[0].messages;
    const block = sent.find((m) => m.content.startsWith(SCENES_HEADER.en));
    expect(block?.role).toBe('user');
    expect(block?.content).toContain('Tom rowed out to the Teeth');
    // The block comes before the conversation itself.
    expect(sent.indexOf(block!)).toBeLessThan(sent.findIndex((m) => m.content === hester.firstMessage));

    const stored = (await repos.conversations.messages('conv')).find((m) => m.role === 'assistant' && m.parentId !== null)!;
    const inspector = stored.prompt?.inspector;
    expect(inspector?.scenes.chosen[0]).toMatchObject({ id: 'sc-teeth', title: 'The Teeth' });
    // The query is the new message after the exchange before it: here the greeting.
    expect(inspector?.retrieval).toMatchObject({ mode: 'keyword', query: `${hester.firstMessage}\nWhat happened at the Teeth?`, sceneCount: 2 });
    expect(inspector?.retrieval?.hits[0]).toMatchObject({ id: 'sc-teeth', keywordRank: 1 });
  });

  it('fires lorebook entries on keys in the recent messages: the card\'s book and an enabled global book, not a disabled one', async () => {
    const book = (id: string, enabled: boolean, characterId?: string, content = 'The Teeth are rocks that wreck a ship a year.') => ({
      id, enabled, characterId, sourceName: `${id}.json`, createdAt: 1, updatedAt: 1,
      book: { name: id, extensions: {}, entries: [entry(1, ['teeth'], content)] },
    });
    await repos.lorebooks.put(book('coast', true));
    await repos.lorebooks.put(book('off', false, undefined, 'DISABLED BOOK TEXT'));
    await repos.lorebooks.put(book('other', true, 'someone-else', 'OTHER CHARACTER TEXT'));
    const session = await openSession(false);
    await session.send('I heard a bell near the Teeth.');
    const sent = engine.calls[0].messages.map((m) => m.content).join('\n');
    expect(sent).toContain('The drowned bell rings under the sea');
    expect(sent).toContain('The Teeth are rocks that wreck a ship a year.');
    expect(sent).not.toContain('DISABLED BOOK TEXT');
    expect(sent).not.toContain('OTHER CHARACTER TEXT');
    const chosen = session.path.at(-1)!.prompt!.inspector!.lorebook.chosen;
    expect(chosen.map((l) => [l.id, l.matchedKeys])).toEqual([[1, ['bell']], ['coast/1', ['teeth']]]);
    expect(chosen[1].name).toBe('coast › 1');
  });

  it('replays the previous turn exactly: the next prompt is the last one plus the reply and the new message', async () => {
    await repos.scenes.bulkAdd(scenes);
    const session = await openSession();
    engine.replies.push({ pieces: ['"Rocks. Eat."'] }, { pieces: ['"Bosun. Obviously."'] }, { pieces: ['"Sleep."'] });
    await session.send('What happened at the Teeth?');
    await session.send('And the cat?');
    await session.send('Goodnight, Hester.');
    const [first, second, third] = engine.calls.map((c) => c.messages);
    expect(second).toEqual([...first, { role: 'assistant', content: '"Rocks. Eat."' }, { role: 'user', content: 'And the cat?' }]);
    expect(third.slice(0, second.length)).toEqual(second);
    const inspectors = session.path.filter((m) => m.prompt).map((m) => m.prompt!.inspector!);
    expect(inspectors.map((i) => i.refresh)).toEqual(['first', 'appended', 'appended']);
    expect(inspectors[1].layout.prefixMessages).toBe(inspectors[0].layout.prefixMessages);
  });

  it('when the talk turns to another story, the next prompt carries its scene at once, on the new message, keeping the cache', async () => {
    const lamp = (i: number): Scene => ({
      id: `sc-lamp-${i}`, characterId: 'hester', title: `Lamp ${i}`, text: `Hester:「The lamp, always the lamp: trim the lamp wick, night ${i}.」`,
      lines: [], tokens: 20, source: 'chatharuhi', vectors: [],
    });
    const bell: Scene = {
      id: 'sc-bell', characterId: 'hester', title: 'The drowned bell', text: 'Hester:「The drowned bell rang under the bay the night Tom was lost.」',
      lines: [], tokens: 20, source: 'chatharuhi', vectors: [],
    };
    const other = (i: number): Scene => ({ ...lamp(i), id: `sc-other-${i}`, title: `Chores ${i}`, text: `Hester:「Mend the net and feed Bosun, day ${i}.」` });
    await repos.scenes.bulkAdd([...Array.from({ length: 3 }, (_, i) => lamp(i)), ...Array.from({ length: 10 }, (_, i) => other(i)), bell]);
    const session = await openSession();
    engine.replies.push({ pieces: ['"The lamp is mine to keep. The lamp never sleeps."'] }, { pieces: ['"Hush."'] });
    await session.send('Who keeps the lamp lit?');
    await session.send('And the drowned bell?');
    const [first, second] = engine.calls.map((c) => c.messages);
    expect(first.map((m) => m.content).join('\n')).not.toContain('The drowned bell rang');
    // The exchange before the message is all about the lamp, yet the bell's scene comes now, riding on the new message.
    expect(second.slice(0, -1)).toEqual([...first, { role: 'assistant', content: '"The lamp is mine to keep. The lamp never sleeps."' }]);
    expect(second.at(-1)!.content).toContain('The drowned bell rang under the bay');
    expect(second.at(-1)!.content.endsWith('And the drowned bell?')).toBe(true);
    const inspector = session.path.at(-1)!.prompt!.inspector!;
    expect(inspector.refresh).toBe('appended');
    expect(inspector.scenes.chosen.find((s) => s.id === 'sc-bell')).toMatchObject({ placed: 'new' });
    expect(inspector.retrieval?.hits[0]).toMatchObject({ id: 'sc-bell', focus: true });
  });

  it('regenerating sends the very same prompt again', async () => {
    const session = await openSession();
    engine.replies.push({ pieces: ['One'] }, { pieces: ['Two'] });
    await session.send('Hello?');
    await session.regenerate(session.path.at(-1)!.id);
    expect(engine.calls[1].messages).toEqual(engine.calls[0].messages);
    expect(session.path.at(-1)!.prompt!.inspector!.refresh).toBe('regenerated');
  });

  it('stores the prompt with its inspector on the reply, readable after reopening', async () => {
    const session = await openSession();
    await session.send('Where am I?');
    const reopened = await openSession();
    const reply = reopened.path.at(-1)!;
    const prompt = reply.prompt!;
    expect(prompt.messages).toEqual(engine.calls[0].messages);
    expect(prompt.sections.map((s) => s.name)).toEqual(['system', 'character', 'persona', 'examples', 'chat-start', 'history', 'message']);
    expect(prompt.sections.reduce((sum, s) => sum + s.tokens, 0)).toBe(prompt.inspector!.budget.used);
    expect(prompt.inspector!.budget).toMatchObject({ contextWindow: 4096, replyTokens: DEFAULT_SAMPLING.maxTokens });
    expect(prompt.inspector!.examples).toEqual({ available: 2, used: 2 });
    expect(prompt.inspector!.layout.finalParts).toEqual([['message', 'Where am I?'.length]]);
  });

  it('when the engine rejects the size, it learns it and sends a fresh, smaller prompt (not the replayed one)', async () => {
    contextWindow = 1400;
    const session = await openSession();
    await sendPastContextLimit(session, engine, { repeat: 4, turns: 5, promptTokens: 1450 });
    expect(engine.calls).toHaveLength(2);
    const [tooLong, shorter] = engine.calls.map((c) => c.messages);
    expect(estimatePromptTokens(shorter)).toBeLessThan(estimatePromptTokens(tooLong));
    expect(shorter.at(-1)?.content).toBe('One more question.');
    expect(shorter[0].role).toBe('system');
    const reply = session.path.at(-1)!;
    expect(reply.content).toBe('Fits now.');
    expect(reply.prompt?.messages).toEqual(shorter);
    expect(reply.prompt?.inspector?.history.dropped).toBeGreaterThan(0);
    expect(reply.prompt?.inspector?.mode).not.toBe('appended');
    expect(session.error).toBeNull();
  });
});

describe('steadyCount', () => {
  it('rounds the learned correction up to a quarter, so small drifts leave the prompt plan (and the cache) alone', () => {
    const text = 'The lamp turns slowly above the rocks.';
    const base = estimateTokens(text);
    expect(steadyCount({ ratio: 1 })(text)).toBe(base);
    expect(steadyCount({ ratio: 1.01 })(text)).toBe(Math.ceil(base * 1.25));
    expect(steadyCount({ ratio: 1.2 })(text)).toBe(steadyCount({ ratio: 1.01 })(text));
    expect(steadyCount({ ratio: 1.3 })(text)).toBe(Math.ceil(base * 1.5));
  });
});

describe('ChatSession with the model\'s own tokenizer', () => {
  async function openExact(countTokens: (text: string) => number): Promise<ChatSession> {
    await openSession(); // creates the conversation
    const session = await ChatSession.open({
      conversations: repos.conversations, character: hester, persona: () => ({ name: 'Ana', description: '' }),
      sampling: () => DEFAULT_SAMPLING, onEngineLost: () => {},
      engine: () => ({ engine, modelId: 'scripted', contextWindow, estimator, countTokens }),
    }, 'conv');
    return session!;
  }

  it('measures every section with it', async () => {
    const byChars = (text: string) => [...text].length; // stands in for an exact tokenizer
    const session = await openExact(byChars);
    await session.send('Where am I?');
    const prompt = session.path.at(-1)!.prompt!;
    expect(prompt.sections.find((s) => s.name === 'message')?.tokens).toBe('Where am I?'.length + MESSAGE_OVERHEAD_TOKENS);
    expect(prompt.inspector!.budget.used).toBe(estimatePromptTokens(prompt.messages, byChars));
  });

  it('a retry after "too long" counts by the larger of it and the learned estimate, so the prompt shrinks', async () => {
    contextWindow = 1400;
    const undercounting = (text: string) => Math.ceil([...text].length / 20); // the template's tokens are what it misses
    const session = await openExact(undercounting);
    await sendPastContextLimit(session, engine, { repeat: 4, turns: 5, promptTokens: 1450 });
    const [tooLong, shorter] = engine.calls.map((c) => c.messages);
    expect(estimatePromptTokens(shorter)).toBeLessThan(estimatePromptTokens(tooLong));
    // By what the engine taught the estimator, the retry fits the window with the reply.
    expect(estimatePromptTokens(shorter, steadyCount(estimator))).toBeLessThanOrEqual(contextWindow - DEFAULT_SAMPLING.maxTokens);
    expect(session.path.at(-1)?.content).toBe('Fits now.');
  });
});

/**
 * An engine that counts the prompt as llama-server does, with a chat template that costs more per
 * message than the builder's flat allowance, refuses a prompt that leaves no room for the reply,
 * and reports the size it counted.
 */
class WindowedEngine extends ScriptedEngine {
  constructor(private readonly window: number, private readonly measure: (messages: readonly ChatTurn[]) => number) {
    super();
  }

  override async *chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    const promptTokens = this.measure(messages);
    if (promptTokens + options.maxTokens > this.window) {
      this.calls.push({ messages: structuredClone(messages), options });
      throw new AppError('context-exceeded', `request (${promptTokens} tokens) exceeds the available context size (${this.window} tokens)`, { promptTokens });
    }
    for await (const event of super.chat(messages, options, signal)) {
      yield event.type === 'done' ? { ...event, usage: { ...event.usage, promptTokens } } : event;
    }
  }
}

describe('ChatSession fitting the first prompt into a small window', () => {
  const byChars = (text: string) => [...text].length; // the model's own count of a message's content
  // Its chat template: 14 tokens around each message and 9 for BOS and the reply header.
  const withTemplate = (messages: readonly ChatTurn[]) => 9 + messages.reduce((sum, m) => sum + byChars(m.content) + 14, 0);
  const longCard: Character = { ...hester, description: 'Hester keeps the light on Gannet Rock, and has for forty winters. '.repeat(80) };

  async function openWindowed(countPrompt?: (messages: readonly ChatTurn[]) => number): Promise<{ session: ChatSession; windowed: WindowedEngine }> {
    await openSession(); // creates the conversation
    await repos.scenes.bulkAdd(Array.from({ length: 30 }, (_, i): Scene => ({
      id: `sc-${i}`, characterId: 'hester', title: `Night ${i}`, text: `Hester:「The light on Gannet Rock turned all night, night ${i}, and the ferry waited.」`.repeat(4),
      lines: [], tokens: 80, source: 'chatharuhi', vectors: [],
    })));
    const windowed = new WindowedEngine(1024, withTemplate);
    windowed.replies.push({ pieces: ['"The light is lit."'] });
    const session = await ChatSession.open({
      conversations: repos.conversations, character: longCard, persona: () => ({ name: 'Ana', description: 'A sailor.' }),
      sampling: () => DEFAULT_SAMPLING, onEngineLost: () => {},
      scenes: new CharacterRetrieval({ scenes: repos.scenes }),
      engine: () => ({ engine: windowed, modelId: 'tiny-1024', contextWindow: 1024, estimator, countTokens: byChars, ...(countPrompt ? { countPrompt } : {}) }),
    }, 'conv');
    return { session: session!, windowed };
  }

  it('measures the whole prompt with the template and sends one that fits with the reply: no refusal, no retry', async () => {
    const { session, windowed } = await openWindowed(withTemplate);
    await session.send('Is the light on Gannet Rock lit tonight?');
    expect(windowed.calls).toHaveLength(1);
    const reply = session.path.at(-1)!;
    expect(reply.status).toBe('done');
    expect(reply.content).toBe('"The light is lit."');
    expect(session.error).toBeNull();
    const sent = windowed.calls[0].messages;
    expect(withTemplate(sent) + DEFAULT_SAMPLING.maxTokens).toBeLessThanOrEqual(1024);
    // The card is cut, not dropped, and the scenes still have a place.
    expect(sent[0].content).toContain('Hester keeps the light on Gannet Rock');
    // The inspector shows the measured size against the real window, the engine's own number.
    const budget = reply.prompt!.inspector!.budget;
    expect(budget).toMatchObject({ contextWindow: 1024, prompt: 1024 - DEFAULT_SAMPLING.maxTokens, used: withTemplate(sent), measured: true });
    expect(reply.usage?.promptTokens).toBe(budget.used);
  });

  it('without the whole-prompt count the template overflows the window and the engine refuses the first prompt', async () => {
    const { session, windowed } = await openWindowed();
    await session.send('Is the light on Gannet Rock lit tonight?');
    expect(withTemplate(windowed.calls[0].messages) + DEFAULT_SAMPLING.maxTokens).toBeGreaterThan(1024);
  });
});
