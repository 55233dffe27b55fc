// A group chat session: who answers in each mode, each member's own prompt, cut-off replies, regenerate, let them talk, mute, deleted members.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, type Character, type Conversation, type GroupSpec, type Message, type StoredLorebook } from '../../../src/core/types';
import { TokenEstimator } from '../../../src/core/tokens';
import { ChatSession, type ChatSessionDeps } from '../../../src/state/chat-session.svelte';
import type { GroupCast } from '../../../src/state/group-cast';
import { AppDatabase } from '../../../src/storage/db';
import { createRepositories, type Repositories } from '../../../src/storage';
import { mulberry32 } from '../../fixtures/random';
import { ScriptedEngine } from '../helpers/scripted-engine';

const member = (id: string, name: string, description: string): Character => ({
  id, origin: 'user', name, nickname: '', avatar: '', shortDescription: `${name} the ${description}`, description: `${name} is a ${description}.`,
  personality: '', scenario: '', firstMessage: `I am ${name}.`, alternateGreetings: [], exampleDialogue: '',
  systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: '', characterVersion: '', catchphrases: [],
  language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
});

const alice = member('a', 'Alice', 'knight');
const bob = member('b', 'Bob', 'wizard');
const party: Character = { ...member('g', 'Party', 'group'), firstMessage: '', group: { members: ['a', 'b'], mode: 'list' } };

let db: AppDatabase;
let repos: Repositories;
let engine: ScriptedEngine;
let spec: GroupSpec;
let members: Character[];
let lorebookRequests: string[];

async function openGroup(): Promise<ChatSession> {
  const conversation: Conversation = { id: 'conv', characterId: 'g', title: 'Chat', leafId: 'g1', createdAt: 1, updatedAt: 1, messageCount: 1 };
  const greeting: Message = {
    id: 'g1', conversationId: 'conv', parentId: null, role: 'assistant', content: 'I am Alice.', revisions: [], status: 'done', createdAt: 1, updatedAt: 1,
    speakerId: 'a', speakerName: 'Alice',
  };
  await repos.conversations.create(conversation, [greeting]);
  const deps: ChatSessionDeps = {
    conversations: repos.conversations,
    character: party,
    persona: () => ({ name: 'Ana', description: '' }),
    sampling: () => DEFAULT_SAMPLING,
    engine: () => ({ engine, modelId: 'scripted', contextWindow: 4096, estimator: new TokenEstimator({ maxRatio: 8 }) }),
    onEngineLost: () => {},
    lorebooks: async (id): Promise<StoredLorebook[]> => {
      lorebookRequests.push(id);
      return [];
    },
    cast: (): GroupCast => ({ name: 'Party', spec, members }),
    random: mulberry32(3),
  };
  const session = await ChatSession.open(deps, 'conv');
  if (!session) throw new Error('session did not open');
  return session;
}

const shown = (session: ChatSession) => session.path.map((m) => `${m.speakerName ?? 'Ana'}: ${m.content}`);
const systemOf = (call: number) => engine.calls[call].messages[0].content;

beforeEach(async () => {
  db = new AppDatabase(`group-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  engine = new ScriptedEngine();
  spec = { members: ['a', 'b'], mode: 'list' };
  members = [alice, bob];
  lorebookRequests = [];
});
afterEach(() => db.close());

describe('group chat session', () => {
  it('in list order, the member after the last speaker answers, with their own role prompt and their speaker kept', async () => {
    const session = await openGroup();
    engine.replies.push({ pieces: ['Greetings.'] }, { pieces: ['Hi again.'] });
    await session.send('Hello both.');
    await session.send('And you?');
    expect(shown(session)).toEqual(['Alice: I am Alice.', 'Ana: Hello both.', 'Bob: Greetings.', 'Ana: And you?', 'Alice: Hi again.']);
    expect(systemOf(0)).toContain('Bob is a wizard.');
    expect(systemOf(0)).toContain('Others in this scene:\n- Alice: Alice the knight\n- Ana (the person you are talking with)');
    expect(systemOf(1)).toContain('Alice is a knight.');
    // Names on every line: the others' lines are the user's turn, the speaker's own the assistant's.
    expect(engine.calls[0].messages.at(-1)?.content).toContain('Alice: I am Alice.\n\nAna: Hello both.');
    expect(lorebookRequests).toEqual(['b', 'a']);
    const stored = await repos.conversations.messages('conv');
    expect(stored.filter((m) => m.role === 'assistant').map((m) => [m.speakerId, m.speakerName])).toEqual([['a', 'Alice'], ['b', 'Bob'], ['a', 'Alice']]);
  });

  it('in natural order, a member named in the message answers', async () => {
    spec = { ...spec, mode: 'natural' };
    const session = await openGroup();
    engine.replies.push({ pieces: ['Me again.'] });
    await session.send('Alice, tell me more.');
    expect(session.path.at(-1)?.speakerName).toBe('Alice');
  });

  it('in manual mode nobody answers until the person picks a member', async () => {
    spec = { ...spec, mode: 'manual' };
    const session = await openGroup();
    await session.send('Anyone?');
    expect(engine.calls).toHaveLength(0);
    expect(session.busy).toBe(false);
    engine.replies.push({ pieces: ['I will.'] });
    await session.replyAs('b');
    expect(shown(session).at(-1)).toBe('Bob: I will.');
  });

  it("cuts a reply where the model starts writing another member's or the person's line, and ends it as done", async () => {
    const session = await openGroup();
    engine.replies.push({ pieces: ['Bob: ', 'Fine.', '\nAlice: ', 'No!', '\nAna: more'] });
    await session.send('Go on.');
    const reply = session.path.at(-1)!;
    expect(reply.content).toBe('Fine.');
    expect(reply.status).toBe('done');
    expect((await repos.conversations.messages('conv')).find((m) => m.id === reply.id)?.content).toBe('Fine.');
  });

  it('regenerates a reply as the same member, and the same member speaking again appends to their own last prompt', async () => {
    const session = await openGroup();
    engine.replies.push({ pieces: ['One.'] }, { pieces: ['Two.'] }, { pieces: ['Three.'] });
    await session.send('Hi.');
    await session.regenerate();
    expect(session.path.at(-1)).toMatchObject({ content: 'Two.', speakerName: 'Bob' });
    expect(engine.calls[1].messages).toEqual(engine.calls[0].messages);
    await session.replyAs('b');
    expect(engine.calls[2].messages.slice(0, engine.calls[1].messages.length)).toEqual(engine.calls[1].messages);
    expect(session.path.at(-1)?.prompt?.inspector?.mode).toBe('appended');
  });

  it("builds a member's prompt on their own last one, not on the other member's in between (the cache-aware layout per speaker)", async () => {
    const session = await openGroup();
    engine.replies.push({ pieces: ['B1.'] }, { pieces: ['A1.'] }, { pieces: ['B2.'] });
    await session.send('One.');
    await session.send('Two.');
    await session.send('Three.');
    expect(session.path.filter((m) => m.prompt).map((m) => [m.speakerName, m.prompt?.inspector?.mode])).toEqual([['Bob', 'fresh'], ['Alice', 'fresh'], ['Bob', 'appended']]);
    expect(engine.calls[2].messages.slice(0, engine.calls[0].messages.length - 1)).toEqual(engine.calls[0].messages.slice(0, -1));
  });

  it('lets them talk for N replies without the person, skipping a muted member, and stop ends the run', async () => {
    members = [alice, bob, member('c', 'Cid', 'thief')];
    spec = { members: ['a', 'b', 'c'], mode: 'list', muted: ['b'] };
    const session = await openGroup();
    engine.replies.push({ pieces: ['C1.'] }, { pieces: ['A1.'] }, { pieces: ['C2.'] });
    await session.letThemTalk(3);
    expect(shown(session)).toEqual(['Alice: I am Alice.', 'Cid: C1.', 'Alice: A1.', 'Cid: C2.']);
    expect(session.talkingLeft).toBe(0);

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    engine.replies.push({ pieces: ['Wait', 'ing.'], gate: () => gate });
    const run = session.letThemTalk(5);
    while (engine.calls.length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    // While they talk, the person's message waits: the chat is busy until the run ends or is stopped.
    expect(session.busy).toBe(true);
    expect(await session.send('Me too!')).toBe(false);
    session.stop();
    release();
    await run;
    expect(engine.calls).toHaveLength(4);
    expect(session.busy).toBe(false);
    expect(session.path.some((m) => m.content === 'Me too!')).toBe(false);
  });

  it("drafts the person's line (Write my line) answering the member who spoke last, in that member's prompt", async () => {
    const session = await openGroup();
    engine.replies.push({ pieces: ['Ana: ', 'Hello, Alice.'] });
    expect(await session.impersonate()).toBe('Hello, Alice.');
    expect(systemOf(0)).toContain('Alice is a knight.');
    expect(engine.calls[0].messages.at(-1)?.content).toContain("Write Ana's next message");
    expect(engine.calls[0].messages.at(-1)?.content).toContain('answering what Alice just said');
  });

  it("keeps a deleted member's lines readable with their name, and the others go on without them", async () => {
    const session = await openGroup();
    members = [bob];
    spec = { members: ['a', 'b'], mode: 'list' };
    engine.replies.push({ pieces: ['Still here.'] });
    await session.send('Where is Alice?');
    expect(shown(session)).toEqual(['Alice: I am Alice.', 'Ana: Where is Alice?', 'Bob: Still here.']);
    expect(engine.calls[0].messages.at(-1)?.content).toContain('Alice: I am Alice.');
    await session.replyAs('a');
    expect(engine.calls).toHaveLength(1);
  });
});
