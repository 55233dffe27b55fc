import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TextEmbedder } from '../../../src/core/embedding';
import { AppError } from '../../../src/core/errors';
import { configMatrix, pendingCells } from '../../../src/core/evaluation/configs';
import { assembleTestSet, heldOutSceneIds } from '../../../src/core/evaluation/test-sets';
import { TokenEstimator } from '../../../src/core/tokens';
import { DEFAULT_SAMPLING, type PromptInspector, type Scene } from '../../../src/core/types';
import { CharacterRetrieval } from '../../../src/state/character-retrieval';
import { cellPrompt, cellScenes, excludingFinder, runCell, type EvalContext } from '../../../src/state/evaluation-cell';
import type { ReadyEngine } from '../../../src/state/model-loader.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { AppDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { makeCharacter } from '../storage/helpers';

const scene = (id: string, asked: string, answer: string): Scene => ({
  id, characterId: 'hester', title: id, tokens: 20, source: 'chatharuhi', vectors: [],
  text: `Tom:「${asked}」\nHester:「${answer}」`,
  lines: [{ speaker: 'Tom', text: asked }, { speaker: 'Hester', text: answer }],
});

const CORPUS = [
  scene('s-storm', 'Did the boat come back after the storm?', 'The waves broke over the rocks all night. The boat is gone.'),
  scene('s-stew', 'What is for supper tonight?', 'Eat your stew. Bread is on the shelf.'),
  scene('s-lens', 'Why is the lamp light so dim?', 'Salt on the lens, the light goes dim. Small circles.'),
  scene('s-storm2', 'Will the storm reach the boat?', 'The storm will pass the boat by, the waves are low.'),
];

const hester = makeCharacter({ id: 'hester', name: 'Hester', language: 'en', exampleDialogue: '<START>\n{{user}}: Good morning.\n{{char}}: Morning. Mind the stairs.' });

/** Embeds by counting a few words, so a reply's cosine to its reference is easy to reason about. */
class WordEmbedder implements TextEmbedder {
  readonly modelId = 'test/words';
  readonly dim = 3;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => new Float32Array([/boat/i.test(t) ? 1 : 0, /stew/i.test(t) ? 1 : 0, 0.1]));
  }
}

let db: AppDatabase;
let repos: Repositories;
let engine: ScriptedEngine;
let ready: ReadyEngine;

beforeEach(async () => {
  db = new AppDatabase(`evaluation-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  await repos.scenes.bulkAdd(CORPUS);
  engine = new ScriptedEngine();
  ready = { engine, modelId: 'gguf:tiny', contextWindow: 2048, estimator: new TokenEstimator() };
});
afterEach(() => db.close());

function contextFor(retrieval: CharacterRetrieval, exclude: ReadonlySet<string>, over: Partial<EvalContext> = {}): EvalContext {
  return {
    character: hester, persona: { name: 'Tom', description: '' }, scenes: excludingFinder(retrieval, exclude), lorebooks: [],
    sampling: { ...DEFAULT_SAMPLING, maxTokens: 64 }, embedder: null, lineVectors: [], identityChoices: ['Hester', 'A', 'B', 'C'], now: () => 9,
    ...over,
  };
}

describe('an evaluation cell', () => {
  it('never lets a held-out scene into the prompt during the run, and retrieval finds it again afterwards', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    const before = await retrieval.search(hester, { text: 'Did the boat come back after the storm?', message: 'Did the boat come back after the storm?' });
    expect(before.scenes[0].id).toBe('s-storm');

    const questions = assembleTestSet(CORPUS, 'Hester', { counts: { 'held-out': 4 }, seed: 'run' }).filter((q) => q.sceneId === 's-storm' || q.sceneId === 's-lens');
    const exclude = heldOutSceneIds(questions);
    const context = contextFor(retrieval, exclude);
    for (const cell of pendingCells(questions, configMatrix(['scenes', 'memory'], ['gguf:tiny']), [])) {
      const prompt = cellPrompt(cell, ready, context, await cellScenes(cell, context));
      const sent = prompt.messages.map((m) => m.content).join('\n');
      expect(sent).not.toContain('The boat is gone.');
      expect(sent).not.toContain('Salt on the lens');
      const found = (prompt.inspector as PromptInspector).retrieval?.hits.map((h) => h.id) ?? [];
      expect(found).not.toContain('s-storm');
      expect(found).not.toContain('s-lens');
      if (cell.question.sceneId === 's-storm') expect(sent).toContain('The storm will pass the boat by'); // the other scenes still come
    }

    const after = await retrieval.search(hester, { text: 'Did the boat come back after the storm?', message: 'Did the boat come back after the storm?' });
    expect(after.scenes).toEqual(before.scenes);
  });

  it('sends the system prompt alone zero-shot, the card\'s examples few-shot, and scenes only from the scenes configuration on', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    const question = { id: 'written:0', source: 'written' as const, prompt: 'Is there stew for supper?' };
    const context = contextFor(retrieval, new Set(), { memory: { pins: [{ id: 'p', text: 'Tom hates fish.' }] } });
    const sent = async (mode: 'zero-shot' | 'few-shot' | 'scenes' | 'memory') => {
      const cell = { question, config: configMatrix([mode], ['gguf:tiny'])[0] };
      return cellPrompt(cell, ready, context, await cellScenes(cell, context)).messages.map((m) => m.content).join('\n');
    };
    const zero = await sent('zero-shot');
    const few = await sent('few-shot');
    const scenes = await sent('scenes');
    const memory = await sent('memory');
    expect(zero).not.toContain('Mind the stairs');
    expect(few).toContain('Mind the stairs');
    expect(few).not.toContain('Eat your stew');
    expect(scenes).toContain('Eat your stew');
    expect(scenes).not.toContain('Tom hates fish.');
    expect(memory).toContain('Tom hates fish.');
  });

  it('scores the reply: Rouge-L and cosine against the reference, the judge\'s pick under the JSON schema, markers and length', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    const [question] = assembleTestSet(CORPUS, 'Hester', { counts: { 'held-out': 4 }, seed: 'run' }).filter((q) => q.sceneId === 's-storm');
    const embedder = new WordEmbedder();
    const lineVectors = await embedder.embed(['Eat your stew.']);
    const context = contextFor(retrieval, heldOutSceneIds([question]), { embedder, lineVectors });
    engine.caps = { ...engine.caps, structuredOutput: true };
    engine.replies.push({ pieces: ['The boat is gone, ', 'as an AI I know.'] }, { pieces: ['{"speaker": "Hester"}'] });
    const result = await runCell({ question, config: configMatrix(['zero-shot'], ['gguf:tiny'])[0] }, ready, context, new AbortController().signal);
    expect(result).toMatchObject({ questionId: question.id, configId: 'zero-shot@gguf:tiny', reply: 'The boat is gone, as an AI I know.', at: 9 });
    // Reference: "The waves broke over the rocks all night. The boat is gone." (12 tokens); reply: 9 tokens (the boat is gone as an ai i know); LCS "the boat is gone" = 4: F = 8/21.
    expect(result.scores.rougeL).toBeCloseTo(8 / 21, 10);
    expect(result.scores.cosineReference).toBeCloseTo(1, 6);
    // [1, 0, 0.1] against [0, 1, 0.1]: 0.01 / 1.01.
    expect(result.scores.cosineLines).toBeCloseTo(0.01 / 1.01, 6);
    expect(result.scores).toMatchObject({ identityPick: 'Hester', identityRight: true, oocMarkers: 1, length: 34 });
    const judge = engine.calls[1];
    expect(judge.options).toMatchObject({ temperature: 0, jsonSchema: { type: 'object', required: ['speaker'] } });
    const schema = judge.options.jsonSchema as unknown as { properties: { speaker: { enum: string[] } } };
    expect([...schema.properties.speaker.enum].sort()).toEqual(['A', 'B', 'C', 'Hester']);
  });

  it('asks the judge again without the schema when the engine cannot set up its grammar, and reads the name from its text', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    engine.caps = { ...engine.caps, structuredOutput: true };
    engine.replies.push(
      { pieces: ['A keeper.'] },
      { pieces: [], failWith: new AppError('generation-failed', 'Failed to initialize samplers: std::exception') },
      { pieces: ['I would say B wrote it.'] },
    );
    const question = { id: 'written:0', source: 'written' as const, prompt: 'Who are you?' };
    const result = await runCell({ question, config: configMatrix(['zero-shot'], ['gguf:tiny'])[0] }, ready, contextFor(retrieval, new Set()), new AbortController().signal);
    expect(result).toMatchObject({ reply: 'A keeper.', scores: { identityPick: 'B', identityRight: false } });
    expect(engine.calls[1].options.jsonSchema).toBeDefined();
    expect(engine.calls[2].options.jsonSchema).toBeUndefined();
  });

  it('asks an engine without structured output without a schema, and keeps the reply when the judge fails', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    engine.replies.push({ pieces: ['A keeper.'] }, { pieces: [], failWith: new AppError('generation-failed', 'broken') });
    const question = { id: 'written:0', source: 'written' as const, prompt: 'Who are you?' };
    const result = await runCell({ question, config: configMatrix(['zero-shot'], ['gguf:tiny'])[0] }, ready, contextFor(retrieval, new Set()), new AbortController().signal);
    expect(result.reply).toBe('A keeper.');
    expect(result.scores.identityPick).toBeUndefined();
    expect(engine.calls).toHaveLength(2);
    expect(engine.calls[1].options.jsonSchema).toBeUndefined();
  });

  it('builds a smaller prompt when the engine says it is too long, as a chat reply does', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    engine.caps = { ...engine.caps, structuredOutput: true };
    engine.replies.push({ pieces: [], failWith: new AppError('context-exceeded', 'too long', { promptTokens: 5000 }) }, { pieces: ['Fits now.'] }, { pieces: ['{"speaker": "A"}'] });
    const question = { id: 'written:0', source: 'written' as const, prompt: 'Hello?' };
    const result = await runCell({ question, config: configMatrix(['scenes'], ['gguf:tiny'])[0] }, ready, contextFor(retrieval, new Set()), new AbortController().signal);
    expect(result.reply).toBe('Fits now.');
    expect(result.scores).toMatchObject({ identityPick: 'A', identityRight: false });
    expect(ready.estimator.ratio).toBeGreaterThan(1);
  });

  it('throws when stopped mid-reply, so nothing half-written is kept (the step is run again)', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    const abort = new AbortController();
    engine.replies.push({ pieces: ['Half', ' a reply'], gate: async () => abort.abort() });
    const question = { id: 'written:0', source: 'written' as const, prompt: 'Hello?' };
    await expect(runCell({ question, config: configMatrix(['zero-shot'], ['gguf:tiny'])[0] }, ready, contextFor(retrieval, new Set()), abort.signal)).rejects.toThrow();
  });
});
