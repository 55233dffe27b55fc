// Rows of every table that are whole and valid (every optional field set), and hostile variants of each naming the field that is wrong.

import { expect } from 'vitest';
import { BackupError, type BackupRows, type BackupTable } from '../../../src/core/backup';
import type { Character, Message, StoredLorebook } from '../../../src/core/types';
import { makeChain, makeCharacter, makeConversation, makePersona, makeScene } from '../storage/helpers';

/** One row of every table (two settings), each with its optional fields filled, all referring to each other. */
export function fullRows(): BackupRows {
  const entry = {
    id: 7, keys: ['moon'], secondaryKeys: ['night'], content: 'The moon is made of cheese.', enabled: true, insertionOrder: -2,
    caseSensitive: true, name: 'Moon', priority: 3, comment: '', selective: true, selectiveLogic: 'and-any' as const, constant: false,
    useRegex: false, position: 'after_char' as const, extensions: { depth: 4, 'weird key': [null, { a: 1 }] },
  };
  const alice: Character = makeCharacter({
    id: 'alice',
    tags: ['fantasy'],
    alternateGreetings: ['Hi.'],
    catchphrases: ['Indeed.'],
    builtin: { version: 2, base: { ...makeCharacter(), tags: ['x'] } },
    extensions: { chub: { id: 12 }, list: [1, 'two', null] },
    lorebook: { name: 'Book', description: '', scanDepth: 4, tokenBudget: 400, recursiveScanning: false, extensions: {}, entries: [entry, { ...entry, id: 'e2', keys: ['sun'], secondaryKeys: [] }] },
    assets: [{ type: 'emotion', name: 'joy', ext: 'png', uri: 'embeded://joy.png', data: new Uint8Array([1, 2]), mime: 'image/png', extra: { x: 1 } }],
    sampling: { temperature: 0.5, topK: 10 },
  });
  delete (alice.builtin!.base as Partial<Character>).id;
  const messages: Message[] = makeChain('k1', 2);
  messages[1] = {
    ...messages[1],
    role: 'assistant',
    status: 'error',
    errorCode: 'generation-failed',
    deletedAt: 5,
    model: 'gguf:tiny',
    revisions: ['first try'],
    prompt: { messages: [{ role: 'system', content: 'You are Alice.' }, { role: 'user', content: 'Hello' }], sections: [{ name: 'system', tokens: 5 }], droppedMessages: 0, inspector: { language: 'en', mode: 'fresh' } as never },
    sampling: { temperature: 0.7, topP: 0.9, topK: 40, minP: 0.05, maxTokens: 64, repetitionPenalty: 1.1, presencePenalty: 0.2, frequencyPenalty: -0.1, stop: ['\nBob:'], seed: 42 },
    usage: { promptTokens: 10, completionTokens: 3, tokensPerSecond: 12.5 },
    speakerId: 'alice',
    speakerName: 'Alice',
  };
  // A group (a character row with members): its members, mode and the rest survive a backup.
  const party: Character = makeCharacter({
    id: 'party',
    name: 'The party',
    group: { members: ['alice', 'gone'], muted: ['gone'], mode: 'natural', talkativeness: { alice: 0.8, gone: 0 }, greetingFrom: 'alice', scenario: 'A tavern.' },
  });
  const book: StoredLorebook = { id: 'b1', characterId: 'alice', sourceName: 'world.json', enabled: true, book: { extensions: {}, entries: [entry] }, createdAt: 1, updatedAt: 2 };
  return {
    characters: [alice, party],
    scenes: [makeScene('alice', { id: 's1', generated: { jobId: 'j1', kind: 'out-of-world', question: 'What is a phone?', prompt: '[system]\nYou are Alice.', model: 'gguf:tiny', createdAt: 3 } })],
    conversations: [
      makeConversation('alice', {
        id: 'k1', personaId: 'p1', leafId: messages[1].id, messageCount: 2, sampling: { temperature: 0.3, stop: ['END'] },
        originConversationId: 'k0', originMessageId: 'm0', authorsNote: { text: 'Keep it light.', depth: 2 }, scenario: 'On the moon.',
      }),
    ],
    messages,
    memories: [
      { id: 'pin1', conversationId: 'k1', kind: 'pin', text: '{{user}} is allergic to cats.', createdAt: 1, updatedAt: 2, messageId: messages[0].id },
      { id: 'sum1', conversationId: 'k1', kind: 'summary', text: 'They met.', createdAt: 1, updatedAt: 2, coversId: messages[1].id, coversHash: 'abc', coversCount: 2 },
    ],
    evalRuns: [{
      id: 'run1', characterId: 'alice', title: 'First run', identityChoices: ['Alice', 'Bob', 'Carol', 'Dan'], embeddingModel: 'Xenova/bge-small-en-v1.5',
      jobId: 'job1', createdAt: 1, updatedAt: 2, finishedAt: 3,
      questions: [{ id: 'held-out:s1', source: 'held-out', prompt: 'Hello?', reference: 'Hi.', sceneId: 's1' }, { id: 'written:0', source: 'written', prompt: 'Who are you?' }],
      configs: [{ id: 'zero-shot@gguf:tiny', mode: 'zero-shot', model: 'gguf:tiny' }],
      results: [{
        questionId: 'held-out:s1', configId: 'zero-shot@gguf:tiny', reply: 'Hi there.', at: 2,
        scores: { rougeL: 0.5, cosineReference: 0.9, cosineLines: -0.1, identityPick: 'Bob', identityRight: false, oocMarkers: 0, length: 9 },
      }],
    }],
    personas: [makePersona({ id: 'p1', isDefault: true })],
    lorebooks: [book],
    settings: [
      { key: 'sampling', value: { temperature: 0.7, topP: 1, maxTokens: 64, repetitionPenalty: 1 } },
      { key: 'ui.lang', value: 'zh' },
      { key: 'builtins.removed', value: ['builtin-x'] },
      { key: 'some.future.setting', value: { anything: [1, 'goes', { here: null }] } },
      { key: 'sampling.presets', value: [{ id: 'mine', name: 'Stormy', values: { temperature: 1.4, minP: 0.02 } }] },
    ],
  };
}

export interface HostileCase {
  name: string;
  table: BackupTable;
  /** Index of the row it changes in fullRows()[table]. */
  row: number;
  /** The field the error must name. */
  field: string;
  change: (row: Record<string, unknown>) => Record<string, unknown>;
}

const without = (key: string) => (row: Record<string, unknown>) => {
  const { [key]: _gone, ...rest } = row;
  return rest;
};
const set = (key: string, value: unknown) => (row: Record<string, unknown>) => ({ ...row, [key]: value });
const deep = (change: (row: any) => void) => (row: Record<string, unknown>) => {
  const copy = structuredClone(row);
  change(copy);
  return copy;
};

/** The defects seen in the field, and one of each kind (missing, wrong type, NaN/Infinity, string for number, huge list) per table. */
export const HOSTILE: HostileCase[] = [
  { name: 'a character without tags', table: 'characters', row: 0, field: 'tags', change: without('tags') },
  { name: 'a generated scene of an unknown kind', table: 'scenes', row: 0, field: 'generated.kind', change: deep((s) => (s.generated.kind = 'dream')) },
  { name: 'a generated scene without its prompt', table: 'scenes', row: 0, field: 'generated.prompt', change: deep((s) => delete s.generated.prompt) },
  { name: 'a message whose usage figure is a string', table: 'messages', row: 1, field: 'usage.promptTokens', change: deep((m) => (m.usage.promptTokens = '10')) },
  { name: 'removed built-ins that are a number', table: 'settings', row: 2, field: 'value', change: set('value', 3) },
  { name: 'a character name that is a number', table: 'characters', row: 0, field: 'name', change: set('name', 42) },
  { name: 'a character updatedAt of NaN', table: 'characters', row: 0, field: 'updatedAt', change: set('updatedAt', NaN) },
  { name: 'a character with 20 000 tags', table: 'characters', row: 0, field: 'tags', change: set('tags', new Array(20_000).fill('t')) },
  { name: 'a character language that is not one the app speaks', table: 'characters', row: 0, field: 'language', change: set('language', 'fr') },
  { name: 'a character whose extensions are a list', table: 'characters', row: 0, field: 'extensions', change: set('extensions', [1]) },
  { name: 'a lorebook entry key that is a number', table: 'characters', row: 0, field: 'lorebook.entries[1].keys[0]', change: deep((c) => (c.lorebook.entries[1].keys[0] = 5)) },
  { name: 'an asset whose data is a string', table: 'characters', row: 0, field: 'assets[0].data', change: deep((c) => (c.assets[0].data = 'AQI=')) },
  { name: 'a scene without text', table: 'scenes', row: 0, field: 'text', change: without('text') },
  { name: 'a scene whose tokens are a string', table: 'scenes', row: 0, field: 'tokens', change: set('tokens', '4') },
  { name: 'a scene vector whose data is a plain list', table: 'scenes', row: 0, field: 'vectors[0].data', change: deep((s) => (s.vectors[0].data = [0.5, -1, 2])) },
  { name: 'a scene vector of dimension Infinity', table: 'scenes', row: 0, field: 'vectors[0].dim', change: deep((s) => (s.vectors[0].dim = Infinity)) },
  { name: 'a scene with 100 vectors', table: 'scenes', row: 0, field: 'vectors', change: deep((s) => (s.vectors = new Array(100).fill(s.vectors[0]))) },
  { name: 'a conversation whose messageCount is Infinity', table: 'conversations', row: 0, field: 'messageCount', change: set('messageCount', Infinity) },
  { name: 'a conversation whose leafId is a number', table: 'conversations', row: 0, field: 'leafId', change: set('leafId', 3) },
  { name: 'a branch whose origin is a number', table: 'conversations', row: 0, field: 'originConversationId', change: set('originConversationId', 7) },
  { name: 'a conversation without a title', table: 'conversations', row: 0, field: 'title', change: without('title') },
  { name: 'a message whose revisions are a string', table: 'messages', row: 0, field: 'revisions', change: set('revisions', 'old') },
  { name: 'a message of an unknown role', table: 'messages', row: 0, field: 'role', change: set('role', 'wizard') },
  { name: 'a message whose createdAt is Infinity', table: 'messages', row: 0, field: 'createdAt', change: set('createdAt', Infinity) },
  { name: 'a message whose prompt holds a turn without content', table: 'messages', row: 1, field: 'prompt.messages[1].content', change: deep((m) => delete m.prompt.messages[1].content) },
  { name: 'a message whose sampling temperature is NaN', table: 'messages', row: 1, field: 'sampling.temperature', change: deep((m) => (m.sampling.temperature = NaN)) },
  { name: 'a message whose parentId is an empty string', table: 'messages', row: 1, field: 'parentId', change: set('parentId', '') },
  { name: 'a persona whose isDefault is a string', table: 'personas', row: 0, field: 'isDefault', change: set('isDefault', 'yes') },
  { name: 'a persona without a name', table: 'personas', row: 0, field: 'name', change: without('name') },
  { name: 'a lorebook without its book', table: 'lorebooks', row: 0, field: 'book', change: without('book') },
  { name: 'a lorebook whose entries are an object', table: 'lorebooks', row: 0, field: 'book.entries', change: deep((b) => (b.book.entries = { 0: {} })) },
  { name: 'a lorebook entry without content', table: 'lorebooks', row: 0, field: 'book.entries[0].content', change: deep((b) => delete b.book.entries[0].content) },
  { name: 'sampling settings whose temperature is a string', table: 'settings', row: 0, field: 'value.temperature', change: deep((s) => (s.value.temperature = 'hot')) },
  { name: 'sampling settings whose reply length is negative', table: 'settings', row: 0, field: 'value.maxTokens', change: deep((s) => (s.value.maxTokens = -5)) },
  { name: 'sampling settings whose reply length is 10^12', table: 'settings', row: 0, field: 'value.maxTokens', change: deep((s) => (s.value.maxTokens = 1e12)) },
  { name: 'sampling settings whose top-p is 7', table: 'settings', row: 0, field: 'value.topP', change: deep((s) => (s.value.topP = 7)) },
  { name: 'a message whose sampling reply length is a fraction', table: 'messages', row: 1, field: 'sampling.maxTokens', change: deep((m) => (m.sampling.maxTokens = 64.5)) },
  { name: 'a language setting that is a number', table: 'settings', row: 1, field: 'value', change: set('value', 1) },
  { name: 'a removed built-in that is not an id', table: 'settings', row: 2, field: 'value[0]', change: set('value', [{ id: 'x' }]) },
  { name: 'a setting whose key is a number', table: 'settings', row: 3, field: 'key', change: set('key', 7) },
  { name: 'a character whose sampling override has a temperature of 9', table: 'characters', row: 0, field: 'sampling.temperature', change: deep((c) => (c.sampling.temperature = 9)) },
  { name: 'a conversation whose sampling has 100 stop strings', table: 'conversations', row: 0, field: 'sampling.stop', change: deep((c) => (c.sampling.stop = Array.from({ length: 100 }, () => 'x'))) },
  { name: 'a group whose mode is unknown', table: 'characters', row: 1, field: 'group.mode', change: deep((c) => (c.group.mode = 'chaos')) },
  { name: 'a group whose talkativeness is 3', table: 'characters', row: 1, field: 'group.talkativeness.alice', change: deep((c) => (c.group.talkativeness.alice = 3)) },
  { name: 'a group whose members are a string', table: 'characters', row: 1, field: 'group.members', change: deep((c) => (c.group.members = 'alice')) },
  { name: 'a message whose speaker is a number', table: 'messages', row: 1, field: 'speakerId', change: set('speakerId', 4) },
  { name: 'an evaluation run whose results are an object', table: 'evalRuns', row: 0, field: 'results', change: set('results', {}) },
  { name: 'an evaluation result with a Rouge-L of 7', table: 'evalRuns', row: 0, field: 'results[0].scores.rougeL', change: deep((r) => (r.results[0].scores.rougeL = 7)) },
  { name: 'an evaluation configuration of an unknown mode', table: 'evalRuns', row: 0, field: 'configs[0].mode', change: deep((r) => (r.configs[0].mode = 'telepathy')) },
  { name: 'an evaluation question without its line', table: 'evalRuns', row: 0, field: 'questions[1].prompt', change: deep((r) => delete r.questions[1].prompt) },
  { name: 'a sampling preset without a name', table: 'settings', row: 4, field: 'value[0].name', change: deep((s) => delete s.value[0].name) },
];

/** fullRows() with one hostile case applied. */
export function hostileRows(test: HostileCase): BackupRows {
  const rows = fullRows();
  const list = rows[test.table] as unknown as Record<string, unknown>[];
  list[test.row] = test.change(list[test.row]);
  return rows;
}

/** The BackupError a read or a restore throws (the test fails when it throws nothing or something else). */
export function backupRejection(run: () => unknown): BackupError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BackupError);
    return error as BackupError;
  }
  throw new Error('expected the backup to be rejected');
}
