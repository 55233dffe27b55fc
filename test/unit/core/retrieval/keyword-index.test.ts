import { describe, expect, it } from 'vitest';
import { KeywordIndex, KeywordIndexFormatError } from '../../../../src/core/retrieval/keyword-index';
import { TOKENIZER_VERSION } from '../../../../src/core/retrieval/tokenize';
import type { ScoredScene, SearchableScene } from '../../../../src/core/retrieval/types';
import { referenceMiniSearch } from '../../../fixtures/minisearch-reference';
import { FIXTURES, haveHaruhi, readPackScenes } from './haruhi-fixture';

const scenes = [
  { id: 'intro', title: '自我介绍', text: '春日:「我毕业于东中，叫做凉宫春日。我对普通的人类没有兴趣。」' },
  { id: 'club', title: '建社团', text: '春日:「什么都无所谓啊！总之，先弄个新社团出来就对了。」\n阿虚:「社团？」' },
  { id: 'bunny', title: '兔女郎', text: '春日:「朝比奈学姐，穿上兔女郎装去发传单！」' },
  { id: 'slits', title: 'Slits', text: "Sheldon:「If it's unobserved it will go through both slits.」" },
  { id: 'spot', title: 'Spot', text: 'Sheldon:「That is my spot. In an ever-changing world it is a single point of consistency.」' },
];

describe('KeywordIndex', () => {
  const index = KeywordIndex.build(scenes);

  it('finds a Chinese name the word segmenter splits', () => {
    expect(index.search('凉宫是谁？', 3)[0].sceneId).toBe('intro');
  });

  it('finds English scenes by word', () => {
    expect(index.search('Why is that your spot?', 2)[0].sceneId).toBe('spot');
    expect(index.search('SLITS', 1)[0].sceneId).toBe('slits');
  });

  it('ranks by BM25 and returns at most k hits with positive, descending scores', () => {
    const hits = index.search('春日 社团 兔女郎', 2);
    expect(hits).toHaveLength(2);
    expect(hits[0].score).toBeGreaterThanOrEqual(hits[1].score);
    expect(hits[1].score).toBeGreaterThan(0);
  });

  it('uses the title, weighted above the text', () => {
    const only = KeywordIndex.build([
      { id: 'a', title: '自我介绍', text: '春日:「……」' },
      { id: 'b', title: '其他', text: '阿虚:「自我介绍？」' },
    ]);
    expect(only.search('自我介绍', 2).map((h) => h.sceneId)).toEqual(['a', 'b']);
    const untitled = KeywordIndex.build([{ id: 'a', title: '自我介绍', text: '春日:「……」' }], { titles: false });
    expect(untitled.search('自我介绍', 2)).toEqual([]);
  });

  it('finds nothing for empty queries, unknown words or k = 0', () => {
    expect(index.search('', 5)).toEqual([]);
    expect(index.search('！？', 5)).toEqual([]);
    expect(index.search('xylophone', 5)).toEqual([]);
    expect(index.search('春日', 0)).toEqual([]);
  });

  it('adds, replaces and removes scenes incrementally', () => {
    const live = KeywordIndex.build(scenes);
    expect(live.size).toBe(5);
    live.add({ id: 'new', title: '', text: '古泉:「超能力者就在你身边。」' });
    expect(live.search('超能力者', 1)[0].sceneId).toBe('new');
    live.add({ id: 'new', title: '', text: '长门:「书。」' });
    expect(live.size).toBe(6);
    expect(live.search('超能力者', 5)).toEqual([]);
    expect(live.search('长门', 1)[0].sceneId).toBe('new');
    live.remove('new');
    live.remove('never-there');
    expect(live.has('new')).toBe(false);
    expect(live.size).toBe(5);
    expect(live.search('长门', 5)).toEqual([]);
  });

  it('round-trips through toJSON / load (object and string) with identical results', () => {
    const queries = ['凉宫春日', '社团', 'spot consistency', '兔女郎装'];
    const plain = index.toJSON();
    expect(plain.tokenizerVersion).toBe(TOKENIZER_VERSION);
    const fromObject = KeywordIndex.load(structuredClone(plain));
    const fromString = KeywordIndex.load(JSON.stringify(index));
    for (const query of queries) {
      expect(fromObject.search(query, 5)).toEqual(index.search(query, 5));
      expect(fromString.search(query, 5)).toEqual(index.search(query, 5));
    }
    fromString.add({ id: 'later', text: '长门:「书。」' });
    expect(fromString.search('长门', 1)[0].sceneId).toBe('later');
  });

  it('refuses data that is not an index, is damaged, or comes from another tokenizer version', () => {
    expect(() => KeywordIndex.load('{"hello":1}')).toThrow(KeywordIndexFormatError);
    expect(() => KeywordIndex.load('{not json')).toThrow(KeywordIndexFormatError);
    expect(() => KeywordIndex.load({ ...index.toJSON(), tokenizerVersion: TOKENIZER_VERSION + 1 })).toThrow(/tokenizer version/);
    expect(() => KeywordIndex.load({ ...index.toJSON(), lengths: [1] })).toThrow(KeywordIndexFormatError);
    const json = index.toJSON();
    expect(() => KeywordIndex.load({ ...json, postings: json.postings.map(([d, t]) => [d.map((x) => x + 100), t]) })).toThrow(
      KeywordIndexFormatError,
    );
  });

  it('leaves removed scenes out of its saved form', () => {
    const live = KeywordIndex.build(scenes);
    live.remove('intro');
    const json = live.toJSON();
    expect(json.ids).not.toContain('intro');
    expect(json.terms).not.toContain('东中');
    expect(KeywordIndex.load(json).search('春日 社团', 5)).toEqual(live.search('春日 社团', 5));
  });
});

/** The reference MiniSearch over these scenes: the scores this index must reproduce. */
function miniSearchOf(docs: readonly SearchableScene[]): (query: string, k: number) => ScoredScene[] {
  const search = referenceMiniSearch();
  search.addAll(docs.map((d) => ({ id: d.id, text: d.text, title: d.title ?? '' })));
  return (query, k) => search.search(query).slice(0, k).map((r) => ({ sceneId: r.id as string, score: r.score }));
}

function expectSameRanking(ours: ScoredScene[], reference: ScoredScene[]): void {
  expect(ours.length).toBe(reference.length);
  ours.forEach((hit, i) => {
    expect(hit.score).toBeCloseTo(reference[i].score, 9);
    // Scenes may swap only where MiniSearch's own scores tie to within rounding.
    if (hit.sceneId !== reference[i].sceneId) {
      const partner = reference.find((r) => r.sceneId === hit.sceneId);
      expect(partner && Math.abs(partner.score - hit.score)).toBeLessThan(1e-9 * hit.score);
    }
  });
}

describe('KeywordIndex scores like MiniSearch', () => {
  function random(seed: number): () => number {
    let s = seed;
    return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  }
  const words = ['春日', '阿虚', '长门', '社团', '外星人', 'spot', 'physics', 'penny', '的', '是', '团长', '兔女郎', 'laundry'];
  const make = (r: () => number, n: number) =>
    Array.from({ length: n }, () => words[Math.floor(r() * words.length)]).join(r() < 0.5 ? '' : ' ');

  it('on random mixed-language scenes, with titles', () => {
    const r = random(3);
    const docs = Array.from({ length: 80 }, (_, i) => ({ id: `d${i}`, title: r() < 0.3 ? make(r, 2) : '', text: make(r, 5 + Math.floor(r() * 30)) }));
    const reference = miniSearchOf(docs);
    const ours = KeywordIndex.build(docs);
    for (let q = 0; q < 60; q++) {
      const query = make(r, 1 + Math.floor(r() * 6));
      expectSameRanking(ours.search(query, 10), reference(query, 10));
    }
  });

  it('after adds, replacements and removals, like an index built fresh from what is left', () => {
    const r = random(11);
    const live = KeywordIndex.create();
    const current = new Map<string, SearchableScene>();
    for (let step = 0; step < 300; step++) {
      const id = `d${Math.floor(r() * 40)}`;
      if (r() < 0.3) {
        live.remove(id);
        current.delete(id);
      } else {
        const scene = { id, title: '', text: make(r, 3 + Math.floor(r() * 20)) };
        live.add(scene);
        current.delete(id); // a replaced scene goes last, as in the index: equal scores keep that order
        current.set(id, scene);
      }
    }
    const fresh = miniSearchOf([...current.values()]);
    expect(live.size).toBe(current.size);
    for (let q = 0; q < 40; q++) {
      const query = make(r, 1 + Math.floor(r() * 5));
      expectSameRanking(live.search(query, 8), fresh(query, 8));
      expectSameRanking(KeywordIndex.load(JSON.stringify(live)).search(query, 8), fresh(query, 8));
    }
  });

  it.skipIf(!haveHaruhi)('on the real Haruhi and Sheldon packs, every line of every scene as a query', () => {
    for (const pack of ['haruhi', 'Sheldon']) {
      const packScenes = readPackScenes(`${FIXTURES}/${pack}`, pack);
      const reference = miniSearchOf(packScenes);
      const ours = KeywordIndex.build(packScenes);
      for (const scene of packScenes) {
        for (const line of scene.lines.slice(0, 3)) expectSameRanking(ours.search(line.text, 10), reference(line.text, 10));
      }
    }
    // About a second alone; several times that when the whole suite shares two loaded cores.
  }, 30_000);
});
