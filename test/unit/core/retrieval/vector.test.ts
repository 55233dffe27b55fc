import { describe, expect, it } from 'vitest';
import { KeywordIndex } from '../../../../src/core/retrieval/keyword-index';
import { VectorMatrix, fuse, hybridSearch, normalize } from '../../../../src/core/retrieval/vector';
import type { Scene } from '../../../../src/core/types';
import { mulberry32 as rng } from '../../../fixtures/random';


function randomVector(random: () => number, dim: number): Float32Array {
  return Float32Array.from({ length: dim }, () => random() - 0.5);
}

function naiveCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

describe('normalize', () => {
  it('scales to unit length in place and leaves zero vectors alone', () => {
    const v = normalize(Float32Array.from([3, 4]));
    expect([...v]).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect([...normalize(new Float32Array(3))]).toEqual([0, 0, 0]);
  });
});

describe('VectorMatrix', () => {
  for (const simd of [true, false]) {
    it(`returns the same top-k as a naive cosine over every vector (${simd ? 'WebAssembly SIMD' : 'plain JS'})`, () => {
      const random = rng(7);
      for (const dim of [1, 5, 384]) {
        const matrix = new VectorMatrix(dim, { capacity: 2, simd }); // small capacity: exercises growth
        expect(matrix.simd).toBe(simd); // Node has WebAssembly SIMD
        const stored = new Map<string, Float32Array>();
        for (let i = 0; i < 300; i++) {
          const v = randomVector(random, dim);
          stored.set(`s${i}`, v);
          matrix.set(`s${i}`, v);
        }
        for (let trial = 0; trial < 5; trial++) {
          const query = randomVector(random, dim);
          const expected = [...stored]
            .map(([id, v]) => ({ id, score: naiveCosine(v, query) }))
            .sort((a, b) => b.score - a.score)
            .slice(0, 10);
          const hits = matrix.search(query, 10);
          // float32 sums: neighbours closer than 1e-5 may swap
          hits.forEach((hit, i) => {
            expect(hit.score).toBeCloseTo(expected[i].score, 5);
            if (hit.sceneId !== expected[i].id) expect(Math.abs(expected[i].score - hit.score)).toBeLessThan(1e-5);
          });
        }
      }
    });
  }

  it('gives the same scores on the SIMD kernel and in plain JS, across growth and removals', () => {
    const random = rng(99);
    const wasm = new VectorMatrix(384, { capacity: 1 });
    const js = new VectorMatrix(384, { capacity: 1, simd: false });
    for (let i = 0; i < 2000; i++) {
      const v = randomVector(random, 384);
      wasm.set(`s${i}`, v);
      js.set(`s${i}`, v);
      if (i % 7 === 0) {
        wasm.remove(`s${i >> 1}`);
        js.remove(`s${i >> 1}`);
      }
    }
    expect(wasm.size).toBe(js.size);
    for (let trial = 0; trial < 10; trial++) {
      const query = randomVector(random, 384);
      const a = wasm.search(query, 20);
      const b = js.search(query, 20);
      a.forEach((hit, i) => expect(hit.score).toBeCloseTo(b[i].score, 5));
      expect(a.map((h) => h.sceneId).slice(0, 5)).toEqual(b.map((h) => h.sceneId).slice(0, 5));
    }
  });

  it('replaces and removes rows, keeping the rest findable', () => {
    const matrix = new VectorMatrix(2);
    matrix.set('a', [1, 0]);
    matrix.set('b', [0, 1]);
    matrix.set('c', [-1, 0]);
    expect(matrix.search([1, 0], 1)[0].sceneId).toBe('a');
    matrix.remove('a'); // 'c' moves into row 0
    matrix.remove('zzz');
    expect(matrix.size).toBe(2);
    expect(matrix.has('a')).toBe(false);
    expect(matrix.search([-1, 0], 1)).toEqual([{ sceneId: 'c', score: expect.closeTo(1, 6) }]);
    matrix.set('b', [1, 0.0001]); // replace in place
    expect(matrix.size).toBe(2);
    expect(matrix.search([1, 0], 2).map((h) => h.sceneId)).toEqual(['b', 'c']);
  });

  it('copes with k larger than the matrix, k = 0 and an empty matrix', () => {
    const matrix = new VectorMatrix(3);
    expect(matrix.search([1, 0, 0], 5)).toEqual([]);
    matrix.set('x', [0, 0, 2]);
    expect(matrix.search([0, 0, 1], 5)).toEqual([{ sceneId: 'x', score: expect.closeTo(1, 6) }]);
    expect(matrix.search([0, 0, 1], 0)).toEqual([]);
  });

  it('refuses vectors of the wrong dimension', () => {
    const matrix = new VectorMatrix(4);
    expect(() => matrix.set('x', [1, 2, 3])).toThrow(RangeError);
    expect(() => matrix.search([1, 2, 3], 1)).toThrow(RangeError);
    expect(() => new VectorMatrix(0)).toThrow(RangeError);
  });

  it('reads scene vectors for one model, skipping scenes without one and malformed bytes', () => {
    const vec = (values: number[]) => Float32Array.from(values).buffer as ArrayBuffer;
    const scenes: Pick<Scene, 'id' | 'vectors'>[] = [
      { id: 'a', vectors: [{ model: 'bge', dim: 2, data: vec([1, 0]) }, { model: 'other', dim: 3, data: vec([0, 0, 1]) }] },
      { id: 'b', vectors: [{ model: 'bge', dim: 2, data: vec([0, 1]) }] },
      { id: 'c', vectors: [] },
      { id: 'd', vectors: [{ model: 'bge', dim: 2, data: vec([1, 2, 3]) }] },
    ];
    const matrix = VectorMatrix.fromScenes(scenes, 'bge')!;
    expect(matrix.dim).toBe(2);
    expect(matrix.size).toBe(2);
    expect(matrix.search([0.1, 1], 1)[0].sceneId).toBe('b');
    expect(VectorMatrix.fromScenes(scenes, 'missing')).toBeNull();
  });
});

describe('fuse', () => {
  it('adds 1 / (rrfK + rank) over rankings', () => {
    const fused = fuse(
      [
        [{ sceneId: 'a', score: 9 }, { sceneId: 'b', score: 5 }],
        [{ sceneId: 'b', score: 0.9 }, { sceneId: 'c', score: 0.8 }],
      ],
      10,
    );
    expect(fused.map((f) => f.sceneId)).toEqual(['b', 'a', 'c']);
    expect(fused[0].score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[0].ranks).toEqual([2, 1]);
    expect(fused[2].ranks).toEqual([undefined, 2]);
  });

  it('honours k and rrfK, keeps first-seen order on ties and counts a duplicate once', () => {
    const fused = fuse(
      [
        [{ sceneId: 'a', score: 1 }, { sceneId: 'a', score: 1 }],
        [{ sceneId: 'b', score: 1 }],
      ],
      1,
      0,
    );
    expect(fused).toEqual([{ sceneId: 'a', score: 1, ranks: [1, undefined] }]);
    expect(fuse([], 5)).toEqual([]);
  });
});

describe('hybridSearch', () => {
  const scenes = [
    { id: 'intro', title: '', text: '春日:「我对普通的人类没有兴趣。」' },
    { id: 'club', title: '', text: '春日:「先弄个新社团出来就对了。」' },
    { id: 'bunny', title: '', text: '春日:「穿上兔女郎装去发传单！」' },
    { id: 'fresh', title: '', text: '春日:「社团活动开始了！」' }, // imported, not embedded yet
  ];
  const keyword = KeywordIndex.build(scenes);
  const vectors = new VectorMatrix(3);
  vectors.set('intro', [1, 0, 0]);
  vectors.set('club', [0, 1, 0]);
  vectors.set('bunny', [0, 0, 1]);

  it('is BM25 alone without vectors or without a query vector', () => {
    const bm25 = keyword.search('社团', 3).map((h) => h.sceneId);
    for (const input of [{ keyword, query: '社团' }, { keyword, query: '社团', vectors, queryVector: null }, { keyword, query: '社团', vectors: new VectorMatrix(3), queryVector: [1, 0, 0] }]) {
      const hits = hybridSearch(input, 3);
      expect(hits.map((h) => h.sceneId)).toEqual(bm25);
      expect(hits[0].keywordRank).toBe(1);
      expect(hits[0].vectorRank).toBeUndefined();
    }
  });

  it('fuses both rankings, keeps scenes without vectors reachable through BM25, and reports the evidence', () => {
    const hits = hybridSearch({ keyword, query: '社团', vectors, queryVector: [0, 1, 0] }, 4);
    // 'club' is first in both lists; 'fresh' only has its BM25 rank.
    expect(hits[0]).toMatchObject({ sceneId: 'club', vectorRank: 1, vectorScore: expect.closeTo(1, 6) });
    expect(hits[0].keywordRank).toBeDefined();
    const fresh = hits.find((h) => h.sceneId === 'fresh');
    expect(fresh).toMatchObject({ keywordRank: expect.any(Number) });
    expect(fresh?.vectorRank).toBeUndefined();
    expect(hits.map((h) => h.sceneId)).toContain('intro'); // found by the vector ranking alone
  });

  it('finds a scene by meaning when no keyword matches', () => {
    const hits = hybridSearch({ keyword, query: 'completely unrelated', vectors, queryVector: [0, 0, 1] }, 1);
    expect(hits).toEqual([{ sceneId: 'bunny', score: 1 / 61, vectorRank: 1, vectorScore: expect.closeTo(1, 6) }]);
  });

  it('refuses a query vector from another model dimension', () => {
    expect(() => hybridSearch({ keyword, query: 'x', vectors, queryVector: [1, 0] }, 3)).toThrow(RangeError);
  });
});
