// Write example dialogues as a background job: grammar-constrained steps through the filters, pause /
// resume (also after a reload) / cancel, yielding to a chat reply, and review writing generated scenes.

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/engine';
import type { DialogueGenParams, DialogueGenState } from '../../../src/core/dialogue-gen/job-state';
import { initialState } from '../../../src/core/dialogue-gen/job-state';
import { TokenEstimator } from '../../../src/core/tokens';
import type { Character, Scene } from '../../../src/core/types';
import { BackgroundJobs } from '../../../src/state/background-jobs.svelte';
import { DialogueGen } from '../../../src/state/dialogue-gen.svelte';
import { DialogueGenRunner, DIALOGUE_JOB_KIND } from '../../../src/state/dialogue-gen-job';
import { EngineTurns } from '../../../src/state/engine-turns.svelte';
import type { ReadyEngine } from '../../../src/state/model-loader.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { AppDatabase } from '../../../src/storage/db';
import { ScriptedEngine, type ScriptedReply } from '../helpers/scripted-engine';
import { makeCharacter, makeScene } from '../storage/helpers';

const opened: AppDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

async function repos(): Promise<Repositories> {
  const db = new AppDatabase(`dialogues-${crypto.randomUUID()}`);
  opened.push(db);
  await db.open();
  return createRepositories(db);
}

const haruhi: Character = makeCharacter({ id: 'c1', name: 'Haruhi', description: 'The brigade chief who wants to meet aliens.', language: 'en' });
const ownScene: Scene = makeScene('c1', { id: 'own', text: 'Haruhi: Aliens, time travellers, espers!', lines: [{ speaker: 'Haruhi', text: 'Aliens, time travellers, espers, come to me!' }] });

const questions = (...items: [string, number?][]): ScriptedReply => ({
  pieces: [JSON.stringify({ questions: items.map(([question, confidence = 8]) => ({ question, confidence, completeness: 8 })) })],
});
const answer = (text: string): ScriptedReply => ({ pieces: [JSON.stringify({ answer: text })] });

const worldOnly = (n: number): DialogueGenParams => ({ lang: 'en', plan: { world: n, everyday: 0, 'out-of-world': 0 } });

function ready(engine: ScriptedEngine): ReadyEngine {
  return { engine, modelId: 'scripted-model', contextWindow: 4096, estimator: new TokenEstimator() };
}

function setup(storage: Repositories, engine: ScriptedEngine, turns = new EngineTurns()) {
  const jobs = new BackgroundJobs({ repo: () => storage.jobs, turns, engine: () => ready(engine) });
  jobs.register(new DialogueGenRunner({ character: (id) => (id === 'c1' ? haruhi : undefined), scenes: async () => [ownScene], attachedBooks: async () => [], now: () => 1234 }));
  return { jobs, turns };
}

function start(jobs: BackgroundJobs, params: DialogueGenParams) {
  return jobs.start<DialogueGenParams, DialogueGenState>(DIALOGUE_JOB_KIND, { title: 'Dialogues', characterId: 'c1', params, state: initialState(), total: 2 });
}

const stateOf = (jobs: BackgroundJobs, id: string) => jobs.get(id)?.state as DialogueGenState;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(check()).toBe(true);
}

async function text(events: AsyncIterable<ChatEvent>): Promise<string> {
  let out = '';
  for await (const event of events) if (event.type === 'delta') out += event.text;
  return out;
}

describe('DialogueGenRunner', () => {
  it('writes questions, then answers, each call constrained to its JSON schema, and keeps what passes the filters', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    engine.replies = [
      questions(['What do you want to find most of all?'], ['What is the SOS Brigade really for?'], ['Why?'], ['Who is your best friend at school?', 2]),
      answer('Aliens, of course! Aliens, time travellers and espers, come to me!'),
      // Pieces as an engine streams them.
      { pieces: ['{"answer": "To find everything ', 'mysterious in this town!"}'] },
    ];
    const { jobs } = setup(storage, engine);
    const job = await start(jobs, worldOnly(2));
    await until(() => jobs.get(job.id)?.status === 'done');

    const state = stateOf(jobs, job.id);
    expect(state.kept.map((p) => [p.question, p.answer])).toEqual([['What is the SOS Brigade really for?', 'To find everything mysterious in this town!']]);
    // "Why?" too short, the low-confidence one dropped, the first answer repeats Haruhi's own line.
    expect(state.counts).toMatchObject({ 'too-short': 1, 'low-confidence': 1, 'near-duplicate': 1 });
    expect(jobs.get(job.id)?.progress).toMatchObject({ done: 2, total: 2, counts: { kept: 1, dropped: 3, 'near-duplicate': 1 } });

    expect(engine.calls).toHaveLength(3);
    expect(engine.calls[0].options.jsonSchema).toMatchObject({ type: 'object', required: ['questions'] });
    expect(engine.calls[0].messages[1].content).toContain('Write 2 questions');
    expect(engine.calls[1].options.jsonSchema).toMatchObject({ type: 'object', required: ['answer'] });
    expect(engine.calls[2].messages[1].content).toBe('Question: What is the SOS Brigade really for?\nAnswer it as Haruhi.');
    // The kept pair records the exact prompt it was written from, the model and the date.
    const pair = state.kept[0];
    expect(pair.prompt).toBe(`[system]\n${engine.calls[2].messages[0].content}\n\n[user]\n${engine.calls[2].messages[1].content}`);
    expect(pair).toMatchObject({ model: 'scripted-model', createdAt: 1234, kind: 'world' });
  });

  it('counts a reply that is not a valid record as a parse failure', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    engine.replies = [questions(['What is your favourite season and why?']), { pieces: ['{"answer": '] }];
    const { jobs } = setup(storage, engine);
    const job = await start(jobs, worldOnly(1));
    await until(() => jobs.get(job.id)?.status === 'done');
    expect(stateOf(jobs, job.id).counts.parse).toBe(1);
    expect(stateOf(jobs, job.id).kept).toEqual([]);
  });

  it('pauses mid-step and resumes after a reload from the saved state, without asking again', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    let release = (): void => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    engine.replies = [
      questions(['What do you do after school every day?'], ['What is the SOS Brigade really for?']),
      { ...answer('I drag Kyon to the club room, obviously.'), gate: () => hold },
    ];
    const first = setup(storage, engine);
    const job = await start(first.jobs, worldOnly(2));
    await until(() => first.turns.backgroundBusy && engine.calls.length === 2);
    const pausing = first.jobs.pause(job.id);
    release();
    await pausing;
    expect(first.jobs.get(job.id)?.status).toBe('paused');
    // The interrupted answer was not saved: both questions still wait.
    expect(stateOf(first.jobs, job.id).waiting).toHaveLength(2);

    // A reload: a new app reads the saved job and resumes it.
    engine.replies = [answer('I drag Kyon to the club room, obviously.'), answer('To find everything mysterious in this town!')];
    const after = setup(storage, engine);
    await after.jobs.load();
    expect(after.jobs.get(job.id)?.status).toBe('paused');
    await after.jobs.resume(job.id);
    await until(() => after.jobs.get(job.id)?.status === 'done');
    expect(stateOf(after.jobs, job.id).kept.map((p) => p.answer)).toEqual(['I drag Kyon to the club room, obviously.', 'To find everything mysterious in this town!']);
    // One pass-1 call in all: the questions came from the saved state.
    expect(engine.calls.filter((c) => c.options.jsonSchema?.type === 'object' && 'questions' in c.options.jsonSchema.properties)).toHaveLength(1);
  });

  it('cancel stops for good, keeping the pairs kept so far for review', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    let release = (): void => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    engine.replies = [
      questions(['What do you do after school every day?'], ['What is the SOS Brigade really for?']),
      answer('I drag Kyon to the club room, obviously.'),
      { ...answer('never finished'), gate: () => hold },
    ];
    const { jobs, turns } = setup(storage, engine);
    const job = await start(jobs, worldOnly(2));
    await until(() => turns.backgroundBusy && engine.calls.length === 3);
    const cancelling = jobs.cancel(job.id);
    release();
    await cancelling;
    expect(jobs.get(job.id)?.status).toBe('cancelled');
    expect(stateOf(jobs, job.id).kept.map((p) => p.answer)).toEqual(['I drag Kyon to the club room, obviously.']);
    await jobs.resume(job.id);
    expect(engine.calls).toHaveLength(3);
  });

  it('yields to a chat reply: the step it interrupts is written again after the reply', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    let open = (): void => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    engine.replies = [
      { pieces: ['{"questions": ', '[]}'], gate: () => gate },
      { pieces: ['Chat reply'] },
      questions(['What do you do after school every day?']),
      answer('I drag Kyon to the club room, obviously.'),
    ];
    const { jobs, turns } = setup(storage, engine);
    const job = await start(jobs, worldOnly(1));
    await until(() => turns.backgroundBusy);
    const reply = text(turns.foreground(ready(engine))!.engine.chat([{ role: 'user', content: 'Hi' }], { maxTokens: 8, temperature: 0, topP: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    open();
    expect(await reply).toBe('Chat reply');
    await until(() => jobs.get(job.id)?.status === 'done');
    const state = stateOf(jobs, job.id);
    // The interrupted pass 1 counted nothing (no parse failure); it was asked again after the reply.
    expect(state.counts.parse).toBe(0);
    expect(state.batches).toBe(1);
    expect(state.kept).toHaveLength(1);
    expect(engine.calls.map((c) => (c.options.jsonSchema ? 'step' : 'chat'))).toEqual(['step', 'chat', 'step', 'step']);
  });
});

describe('DialogueGen review', () => {
  async function reviewed() {
    const storage = await repos();
    await storage.characters.put({ ...haruhi, corpus: { scenes: 0, tokens: 0 } });
    const engine = new ScriptedEngine();
    engine.replies = [
      questions(['What do you do after school every day?'], ['What is the SOS Brigade really for?'], ['Which club did you join first?']),
      answer('I drag Kyon to the club room, obviously.'),
      answer('To find everything mysterious in this town!'),
      answer('Every single one, and every one was boring.'),
    ];
    const { jobs } = setup(storage, engine);
    let changed = 0;
    const gen = new DialogueGen('c1', { jobs, scenes: () => storage.scenes, character: () => haruhi, title: (name) => `Dialogues for ${name}`, changed: () => changed++ });
    await gen.start({ count: 10, kinds: ['world'], outOfWorldShare: 0.25, lang: 'en' });
    // The count is at least 10: three answers then the engine's default reply, which is not JSON.
    await until(() => gen.job?.status === 'done');
    return { storage, gen, jobs, changed: () => changed };
  }

  it('accepts one pair edited, rejects one, accepts the rest: each becomes a generated scene in the corpus', async () => {
    const { storage, gen, changed } = await reviewed();
    expect(gen.job?.title).toBe('Dialogues for Haruhi');
    expect(gen.pairs).toHaveLength(3);
    const [first, second, third] = gen.pairs;
    gen.edit(first.id, { answer: 'I drag Kyon to the club room. Obviously!' });
    expect(await gen.accept([first.id])).toBe(1);
    await gen.reject([second.id]);
    expect(gen.pairs.map((p) => p.id)).toEqual([third.id]);
    expect(await gen.accept()).toBe(1);
    expect(gen.pairs).toEqual([]);
    expect(changed()).toBe(2);

    const scenes = await storage.scenes.listGenerated('c1');
    expect(scenes.map((s) => s.lines)).toEqual([
      [{ speaker: 'User', text: 'What do you do after school every day?' }, { speaker: 'Haruhi', text: 'I drag Kyon to the club room. Obviously!' }],
      [{ speaker: 'User', text: 'Which club did you join first?' }, { speaker: 'Haruhi', text: 'Every single one, and every one was boring.' }],
    ]);
    expect(scenes[0].text).toBe('{{user}}: What do you do after school every day?\n{{char}}: I drag Kyon to the club room. Obviously!');
    expect(scenes[0].generated).toMatchObject({ jobId: gen.job!.id, kind: 'world', question: 'What do you do after school every day?', model: 'scripted-model', createdAt: 1234 });
    expect(scenes[0].generated!.prompt).toContain('You are Haruhi.');
    expect(await storage.scenes.stats('c1')).toMatchObject({ scenes: 2 });
  });

  it('reject all empties the review and writes nothing', async () => {
    const { storage, gen } = await reviewed();
    await gen.reject();
    expect(gen.pairs).toEqual([]);
    expect(await storage.scenes.listGenerated('c1')).toEqual([]);
  });
});
