import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TextEmbedder } from '../../../src/core/embedding';
import type { Scene, SceneVector } from '../../../src/core/types';
import { KeywordIndex } from '../../../src/core/retrieval';
import { CharacterRetrieval } from '../../../src/state/character-retrieval';
import { AppDatabase } from '../../../src/storage/db';
import { createRepositories, type Repositories } from '../../../src/storage';

// A fake embedding model with three "topics": texts about the sea, about food, about the lamp.
// It lets a test tell cosine search (which sees topics) from BM25 (which sees words).
const TOPICS: [RegExp, number][] = [
  [/\b(sea|ocean|tide|waves?|boat)\b/i, 0],
  [/\b(stew|bread|supper|hungry|food)\b/i, 1],
  [/\b(lamp|lens|light)\b/i, 2],
];
function topicVector(text: string): Float32Array {
  const v = new Float32Array(4);
  for (const [pattern, axis] of TOPICS) if (pattern.test(text)) v[axis] = 1;
  v[3] = 0.05; // never the zero vector
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
class TopicEmbedder implements TextEmbedder {
  readonly modelId = 'test/topics';
  readonly dim = 4;
  calls = 0;
  fail = false;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    if (this.fail) throw new Error('worker crashed');
    return texts.map(topicVector);
  }
}
const vectorOf = (text: string): SceneVector => {
  const data = topicVector(text);
  return { model: 'test/topics', dim: 4, data: data.buffer.slice(0) as ArrayBuffer };
};

function scene(id: string, title: string, text: string, withVector = true): Scene {
  return { id, characterId: 'hester', title, text, lines: [], tokens: 20, source: 'chatharuhi', vectors: withVector ? [vectorOf(text)] : [] };
}

const CORPUS = [
  scene('s-storm', 'Storm night', 'Hester:「The waves broke over the rocks all night. The boat is gone.」'),
  scene('s-stew', 'Supper', 'Hester:「Eat your stew. Bread is on the shelf.」'),
  scene('s-lens', 'Polishing', 'Hester:「Salt on the lens, the light goes dim. Small circles.」'),
];
const hester = { id: 'hester', language: 'en' as const };

let db: AppDatabase;
let repos: Repositories;
let now: number;

beforeEach(async () => {
  db = new AppDatabase(`retrieval-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  now = 1_000;
});
afterEach(() => db.close());

describe('CharacterRetrieval', () => {
  it('finds scenes by keywords (BM25) when no embedder is ready, best first, with the evidence', async () => {
    await repos.scenes.bulkAdd(CORPUS);
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    const { scenes, trace } = await retrieval.search(hester, 'Why is the light so dim tonight?');
    expect(scenes[0]).toMatchObject({ id: 's-lens', title: 'Polishing' });
    expect(scenes[0].text).toContain('Salt on the lens');
    expect(trace.mode).toBe('keyword');
    expect(trace.vectorsOff).toBe('no-embedder');
    expect(trace.sceneCount).toBe(3);
    expect(trace.hits[0]).toMatchObject({ id: 's-lens', keywordRank: 1, source: 'chatharuhi' });
    // Keyword search alone ranks by BM25 itself: the score the prompt builder sees is the BM25 score.
    expect(trace.hits[0].score).toBe(trace.hits[0].keywordScore);
    // A scene sharing only "is" with the question ranks below the one about the light.
    expect(trace.hits.find((h) => h.id === 's-stew')?.score ?? 0).toBeLessThan(trace.hits[0].score / 2);
  });

  it('returns nothing (mode none) for a character without scenes', async () => {
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    const { scenes, trace } = await retrieval.search(hester, 'Hello there');
    expect(scenes).toEqual([]);
    expect(trace).toMatchObject({ mode: 'none', sceneCount: 0, hits: [] });
  });

  it('fuses BM25 with cosine search (RRF) when an embedder and vectors exist: meaning finds what words miss', async () => {
    await repos.scenes.bulkAdd(CORPUS);
    const embedder = new TopicEmbedder();
    const keywordOnly = await new CharacterRetrieval({ scenes: repos.scenes }).search(hester, 'Ocean calm?');
    expect(keywordOnly.scenes).toEqual([]); // no scene says "ocean" or "calm"

    const retrieval = new CharacterRetrieval({ scenes: repos.scenes, embedder: (lang) => (lang === 'en' ? embedder : null) });
    const { scenes, trace } = await retrieval.search(hester, 'Ocean calm?');
    expect(scenes[0].id).toBe('s-storm');
    expect(trace.mode).toBe('hybrid');
    expect(trace.embeddingModel).toBe('test/topics');
    expect(trace.vectorCount).toBe(3);
    expect(trace.hits[0]).toMatchObject({ id: 's-storm', vectorRank: 1 });
    expect(trace.hits[0].keywordRank).toBeUndefined();
    expect(trace.hits[0].vectorScore).toBeGreaterThan(0.9);

    // Both rankings agree on "lamp" questions: the lens scene leads both lists and the fused one.
    const both = await retrieval.search(hester, 'the lens and the light');
    expect(both.trace.hits[0]).toMatchObject({ id: 's-lens', keywordRank: 1, vectorRank: 1 });
    expect(both.scenes[0].score).toBeCloseTo(2 / 61, 6);
  });

  it('falls back to keywords when the character language has no embedder, vectors are missing, or embedding fails', async () => {
    await repos.scenes.bulkAdd(CORPUS.map((s) => ({ ...s, vectors: [] })));
    const embedder = new TopicEmbedder();
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes, embedder: () => embedder, now: () => now });
    const missing = await retrieval.search(hester, 'light');
    expect(missing.trace).toMatchObject({ mode: 'keyword', vectorsOff: 'no-vectors' });
    expect(missing.scenes[0].id).toBe('s-lens');
    expect(embedder.calls).toBe(0); // no point embedding the query without scene vectors

    const zh = await new CharacterRetrieval({ scenes: repos.scenes, embedder: (lang) => (lang === 'zh' ? embedder : null) }).search(hester, 'light');
    expect(zh.trace.vectorsOff).toBe('no-embedder');

    await repos.scenes.putVectors(CORPUS.map((s) => ({ sceneId: s.id, vector: vectorOf(s.text) })));
    embedder.fail = true;
    now += 60_000;
    const failed = await retrieval.search(hester, 'light');
    expect(failed.trace).toMatchObject({ mode: 'keyword', vectorsOff: 'embed-failed' });
    expect(failed.scenes[0].id).toBe('s-lens');
  });

  it('picks up vectors the background embedder wrote, once its cached copy is stale', async () => {
    await repos.scenes.bulkAdd(CORPUS.map((s) => ({ ...s, vectors: [] })));
    const embedder = new TopicEmbedder();
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes, embedder: () => embedder, now: () => now, vectorRefreshMs: 30_000 });
    expect((await retrieval.search(hester, 'Ocean calm?')).trace.mode).toBe('keyword');
    await repos.scenes.putVectors(CORPUS.map((s) => ({ sceneId: s.id, vector: vectorOf(s.text) })));
    now += 10_000;
    expect((await retrieval.search(hester, 'Ocean calm?')).trace.mode).toBe('keyword'); // still cached
    now += 30_000;
    const later = await retrieval.search(hester, 'Ocean calm?');
    expect(later.trace.mode).toBe('hybrid');
    expect(later.scenes[0].id).toBe('s-storm');
  });

  it('rebuilds its cached index when the character gains or loses scenes, or when told to', async () => {
    await repos.scenes.bulkAdd(CORPUS);
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    expect((await retrieval.search(hester, 'bowline knot')).scenes).toEqual([]);

    await repos.scenes.bulkAdd([scene('s-knot', 'Knots', 'Hester:「A bowline: rabbit out of the hole, round the tree.」')]);
    const added = await retrieval.search(hester, 'bowline knot');
    expect(added.scenes.map((s) => s.id)).toEqual(['s-knot']);
    expect(added.trace.sceneCount).toBe(4);

    // An edit keeps the count: the cache stays until invalidate() says the scenes changed.
    await db.scenes.put(scene('s-knot', 'Knots', 'Hester:「Reef knot, left over right.」'));
    expect((await retrieval.search(hester, 'bowline')).scenes.map((s) => s.id)).toEqual(['s-knot']);
    retrieval.invalidate('hester');
    expect((await retrieval.search(hester, 'bowline')).scenes).toEqual([]);
    expect((await retrieval.search(hester, 'reef knot')).scenes.map((s) => s.id)).toEqual(['s-knot']);

    await repos.scenes.removeForCharacter('hester');
    expect((await retrieval.search(hester, 'reef knot')).trace.mode).toBe('none');
  });

  it('indexes a large corpus in chunks ahead of the first message (warm), ranking as one full build would', async () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      scene(`s-${String(i).padStart(4, '0')}`, `Log ${i}`, i === 987 ? 'Hester:「The fog bell rang at dawn.」' : `Hester:「Entry ${i}: wind, tide and oil.」`, false));
    await repos.scenes.bulkAdd(many);
    let reads = 0;
    const counting = { count: (id: string) => repos.scenes.count(id), listForCharacter: (id: string) => (reads++, repos.scenes.listForCharacter(id)) };
    const retrieval = new CharacterRetrieval({ scenes: counting });
    await retrieval.warm('hester');
    expect(reads).toBe(1);
    const found = await retrieval.search(hester, 'fog bell');
    expect(reads).toBe(1); // the warmed index served the search
    expect(found.scenes[0].id).toBe('s-0987');
    const reference = KeywordIndex.build(many).search('wind tide', 5).map((hit) => hit.sceneId);
    expect((await retrieval.search(hester, 'wind tide', undefined, 5)).scenes.map((s) => s.id)).toEqual(reference);
  });

  it('ranks knowledge passages apart from dialogue scenes, so a wiki page about the lamp never crowds the scenes out', async () => {
    const passages = Array.from({ length: 20 }, (_, i) => ({
      ...scene(`k-${String(i).padStart(2, '0')}`, `Lamp wiki · ${i + 1}/20`, `The lamp and its lens, light and lamp oil, lamp room number ${i}: the lamp, the lens, the light.`),
      kind: 'knowledge' as const,
    }));
    await repos.scenes.bulkAdd([...CORPUS, ...passages]);
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes, embedder: () => new TopicEmbedder(), k: 2 });
    const found = await retrieval.search(hester, 'the lamp light');
    const dialogue = found.scenes.filter((s) => s.kind !== 'knowledge');
    const knowledge = found.scenes.filter((s) => s.kind === 'knowledge');
    // Twenty passages match better than any scene, yet the two dialogue scenes asked for still come, the lens scene first.
    expect(dialogue.map((s) => s.id)).toHaveLength(2);
    expect(dialogue[0].id).toBe('s-lens');
    expect(knowledge.length).toBeGreaterThan(0);
    expect(knowledge.every((s) => s.id.startsWith('k-'))).toBe(true);
    expect(found.trace.hits.filter((h) => h.kind === 'knowledge')).toHaveLength(knowledge.length);
    expect(found.trace).toMatchObject({ mode: 'hybrid', sceneCount: 23, vectorCount: 23 });
  });

  it('puts the scene the new message alone clearly names first, marked, while the exchange before it still ranks the old topic first', async () => {
    await repos.scenes.bulkAdd([...CORPUS, scene('s-bell', 'The bell', 'Hester:「The drowned bell rang under the bay.」', false)]);
    const retrieval = new CharacterRetrieval({ scenes: repos.scenes });
    const history = [
      { role: 'user' as const, content: 'Why is the light so dim?' },
      { role: 'assistant' as const, content: 'Salt on the lens. The light needs polishing, the lens needs circles.' },
      { role: 'user' as const, content: 'And the drowned bell?' },
    ];
    const exchangeAlone = await retrieval.search(hester, CharacterRetrieval.queryFor(history).text);
    expect(exchangeAlone.scenes[0].id).toBe('s-lens');
    const { scenes, trace } = await retrieval.search(hester, CharacterRetrieval.queryFor(history));
    expect(scenes.map((s) => s.id)).toEqual(['s-bell', ...exchangeAlone.scenes.map((s) => s.id).filter((id) => id !== 's-bell')]);
    expect(scenes[0]).toMatchObject({ focus: true, score: exchangeAlone.scenes.find((s) => s.id === 's-bell')!.score });
    expect(scenes.slice(1).some((s) => s.focus)).toBe(false);
    expect(trace.hits[0]).toMatchObject({ id: 's-bell', focus: true, keywordRank: 2 });
    // The query shown in the inspector is the exchange and the message.
    expect(trace.query).toBe(CharacterRetrieval.queryFor(history).text);
  });

  it('searches with the new message after the exchange before it, so a vague follow-up still finds the topic', () => {
    const query = CharacterRetrieval.queryFor([
      { role: 'user', content: 'Hello.' },
      { role: 'assistant', content: 'Good evening.' },
      { role: 'user', content: 'Who keeps the lamp?' },
      { role: 'assistant', content: 'The lamp must stay lit.' },
      { role: 'user', content: 'And if the storm takes the wick?' },
    ]);
    expect(query).toEqual({ text: 'Who keeps the lamp?\nThe lamp must stay lit.\nAnd if the storm takes the wick?', message: 'And if the storm takes the wick?' });
    expect(CharacterRetrieval.queryFor([{ role: 'user', content: 'Tell me about the drowned bell.' }])).toEqual({
      text: 'Tell me about the drowned bell.',
      message: 'Tell me about the drowned bell.',
    });
  });
});
