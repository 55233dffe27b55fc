// Recall of the scene holding the character's answer, on the real ChatHaruhi packs (read in place, never copied).

import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeywordIndex } from '../../../../src/core/retrieval/keyword-index';
import { appHeldOutEngine, heldOutRecall, readHeldOutPack } from '../../../fixtures/held-out-exchanges';
import { VectorMatrix, hybridSearch } from '../../../../src/core/retrieval/vector';
import type { Scene } from '../../../../src/core/types';
import { FIXTURES, HARUHI, bagOfCharsEmbedding, haveHaruhi, labelPairs, readChatPairs, readPackScenes, type Labelling } from './haruhi-fixture';

const K = 5;
const DIM = 256;
const MODEL = 'test-bag-of-chars';

if (!haveHaruhi) console.warn(`Skipping retrieval recall tests: no ChatHaruhi fixtures at ${FIXTURES}`);

function withVectors(scenes: Scene[], embed: (text: string) => Float32Array): Scene[] {
  return scenes.map((scene) => {
    const v = embed(scene.text);
    return { ...scene, vectors: [{ model: MODEL, dim: v.length, data: v.buffer as ArrayBuffer }] };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

describe.skipIf(!haveHaruhi)('recall@5 on ChatHaruhi Haruhi: all_chat_datas.jsonl query → scene holding the response', () => {
  let scenes: Scene[];
  let labels: Labelling;
  let keyword: KeywordIndex;
  let vectors: VectorMatrix;
  const embed = bagOfCharsEmbedding(DIM);

  beforeAll(() => {
    scenes = withVectors(readPackScenes(HARUHI, 'haruhi'), embed);
    labels = labelPairs(scenes, readChatPairs(join(HARUHI, 'all_chat_datas.jsonl')));
    keyword = KeywordIndex.build(scenes);
    vectors = VectorMatrix.fromScenes(scenes, MODEL)!;
    console.log(
      `[recall] Haruhi pairs: ${labels.total} in the file, ${labels.pairs.length} used ` +
        `(${labels.exact} with the response verbatim in a scene, ${labels.quoted} quoting a run of it), ` +
        `${labels.skipped} skipped (response in no scene)`,
    );
  });

  function recall(search: (query: string) => string[], only?: 'exact'): number {
    const pairs = labels.pairs.filter((p) => !only || p.match === only);
    const found = pairs.filter((p) => search(p.query).some((id) => p.targets.includes(id))).length;
    return found / pairs.length;
  }

  const bm25 = (query: string) => keyword.search(query, K).map((h) => h.sceneId);
  const hybrid = (query: string) =>
    hybridSearch({ keyword, query, vectors, queryVector: embed(query) }, K).map((h) => h.sceneId);

  it('labels enough pairs to measure', () => {
    expect(scenes).toHaveLength(172);
    expect(labels.total).toBe(556);
    expect(labels.pairs.length).toBeGreaterThanOrEqual(15);
  });

  it('BM25 finds the scene in the top 5 at least as often as measured', () => {
    const all = recall(bm25);
    const exact = recall(bm25, 'exact');
    console.log(`[recall] Haruhi pairs BM25 recall@5: ${pct(all)} of ${labels.pairs.length} (verbatim-only: ${pct(exact)} of ${labels.exact})`);
    expect(all).toBeGreaterThanOrEqual(0.6);
  });

  it('hybrid (BM25 + bag-of-characters cosine, RRF) at least as often as measured', () => {
    const all = recall(hybrid);
    const exact = recall(hybrid, 'exact');
    const cosine = recall((q) => vectors.search(embed(q), K).map((h) => h.sceneId));
    console.log(
      `[recall] Haruhi pairs hybrid recall@5: ${pct(all)} (verbatim-only: ${pct(exact)}); cosine alone ${pct(cosine)}`,
    );
    expect(all).toBeGreaterThanOrEqual(0.4);
  });
});

/**
 * A larger, steadier check on the same and other packs: hold out the first line another speaker
 * says to the character, and search with it for the rest of its scene (the line removed through
 * the incremental add, so the scene no longer contains the query verbatim).
 */
describe.skipIf(!haveHaruhi)('recall@5 of held-out lines on ChatHaruhi packs', () => {
  const embed = bagOfCharsEmbedding(DIM);

  function heldOut(pack: string) {
    const scenes = withVectors(readPackScenes(join(FIXTURES, pack), pack), embed);
    const counts = new Map<string, number>();
    for (const scene of scenes) for (const line of scene.lines) counts.set(line.speaker, (counts.get(line.speaker) ?? 0) + 1);
    const main = [...counts].sort((a, b) => b[1] - a[1])[0][0];
    const keyword = KeywordIndex.build(scenes);
    const vectors = VectorMatrix.fromScenes(scenes, MODEL)!;
    let cases = 0, bm25 = 0, hybrid = 0;
    for (const scene of scenes) {
      const raw = scene.text.split(/\r?\n/).filter((line) => line.trim());
      if (raw.length !== scene.lines.length) continue;
      const at = scene.lines.findIndex(
        (line, i) => line.speaker && line.speaker !== main && scene.lines[i + 1]?.speaker === main && line.text.length >= 4,
      );
      if (at < 0) continue;
      const query = scene.lines[at].text;
      const rest = raw.filter((_, i) => i !== at).join('\n');
      keyword.add({ id: scene.id, title: scene.title, text: rest });
      vectors.set(scene.id, embed(rest));
      cases++;
      if (keyword.search(query, K).some((h) => h.sceneId === scene.id)) bm25++;
      if (hybridSearch({ keyword, query, vectors, queryVector: embed(query) }, K).some((h) => h.sceneId === scene.id)) hybrid++;
      keyword.add(scene);
      vectors.set(scene.id, embed(scene.text));
    }
    console.log(
      `[recall] ${pack} held-out lines (${cases} of ${scenes.length} scenes, main speaker ${main}): ` +
        `BM25 ${pct(bm25 / cases)}, hybrid ${pct(hybrid / cases)}`,
    );
    return { cases, bm25: bm25 / cases, hybrid: hybrid / cases };
  }

  it('Haruhi (Chinese)', () => {
    const r = heldOut('haruhi');
    expect(r.cases).toBeGreaterThan(150);
    expect(r.bm25).toBeGreaterThanOrEqual(0.3);
    expect(r.hybrid).toBeGreaterThanOrEqual(0.26);
  });

  it('Sheldon (English)', () => {
    const r = heldOut('Sheldon');
    expect(r.cases).toBeGreaterThan(250);
    expect(r.bm25).toBeGreaterThanOrEqual(0.19);
    expect(r.hybrid).toBeGreaterThanOrEqual(0.09);
  });

  it('Hu Tao (Chinese, Genshin)', () => {
    const r = heldOut('hutao');
    expect(r.cases).toBeGreaterThan(100);
    expect(r.bm25).toBeGreaterThanOrEqual(0.34);
    expect(r.hybrid).toBeGreaterThanOrEqual(0.21);
  });
});

/**
 * Issue 11's targets on held-out exchanges (bench/retrieval-quality.bench.ts prints the full
 * table): with the app's query (the exchange before the message, and the message), English
 * recall@5 is at least 1.5× the 25.0% measured before, and no Chinese pack loses more than 1 point.
 */
describe.skipIf(!haveHaruhi)('held-out exchanges with the app’s query, against the figures before issue 11', () => {
  it.each([
    ['Sheldon', 0.25 * 1.5],
    ['haruhi', 0.315 - 0.01],
    ['hutao', 0.294 - 0.01],
    ['tangshiye', 0.544 - 0.01],
  ] as const)('%s recall@5 ≥ %f', (pack, floor) => {
    const recallAt5 = heldOutRecall(readHeldOutPack(join(FIXTURES, pack)), appHeldOutEngine)[1];
    expect(recallAt5).toBeGreaterThanOrEqual(floor);
  });
});
