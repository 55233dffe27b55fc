// Vector search and rank fusion: brute-force cosine over one contiguous matrix, RRF, and the hybrid search built on them.

import type { Scene } from '../types';
import { createDotKernel, type DotKernel } from './dot-kernel';
import type { KeywordIndex } from './keyword-index';
import { withMessageFocus } from './message-focus';
import type { ScoredScene } from './types';

/** Scales a vector to unit length in place (a zero vector stays zero) and returns it. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < vector.length; i++) vector[i] *= scale;
  }
  return vector;
}

export interface VectorMatrixOptions {
  /** Rows to reserve up front. */
  capacity?: number;
  /** Use the WebAssembly SIMD kernel where the runtime has it (default true); false forces plain JS. */
  simd?: boolean;
}

/**
 * Unit vectors for a set of scenes, rows of one contiguous float32 block: a query is one pass over
 * memory. Where WebAssembly SIMD exists (every current browser and Node) the block lives in the
 * kernel's memory and the dot products run four lanes at a time; otherwise a plain JS loop does
 * the same work. Rows are kept dense: removing a scene moves the last row into its place.
 */
export class VectorMatrix {
  readonly dim: number;
  /** Floats per row: dim rounded up to a multiple of 8 (the kernel's step), padding kept at zero. */
  readonly #stride: number;
  readonly #kernel: DotKernel | null;
  #data: Float32Array;
  #ids: string[] = [];
  #rows = new Map<string, number>();

  constructor(dim: number, options: VectorMatrixOptions = {}) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`Vector dimension must be a positive integer, got ${dim}.`);
    this.dim = dim;
    this.#stride = Math.ceil(dim / 8) * 8;
    this.#kernel = options.simd === false ? null : createDotKernel();
    this.#data = this.#kernel ? new Float32Array(this.#kernel.memory.buffer) : new Float32Array(0);
    this.#ensureFloats(Math.max(1, options.capacity ?? 16) * this.#stride);
  }

  /** Whether queries run on the WebAssembly SIMD kernel. */
  get simd(): boolean {
    return this.#kernel !== null;
  }

  /**
   * The scenes' vectors for one embedding model. Scenes without a vector for that model, or whose
   * stored bytes do not hold `dim` floats, are left out: keyword search still finds them.
   */
  static fromScenes(scenes: Iterable<Pick<Scene, 'id' | 'vectors'>>, model: string, options: VectorMatrixOptions = {}): VectorMatrix | null {
    const pending: [string, Float32Array][] = [];
    let dim = 0;
    for (const scene of scenes) {
      const stored = scene.vectors.find((v) => v.model === model);
      if (!stored || stored.dim <= 0 || stored.data.byteLength !== stored.dim * 4) continue;
      if (dim && stored.dim !== dim) continue;
      dim = stored.dim;
      pending.push([scene.id, new Float32Array(stored.data)]);
    }
    if (!dim) return null;
    const matrix = new VectorMatrix(dim, { ...options, capacity: pending.length });
    for (const [id, vector] of pending) matrix.set(id, vector);
    return matrix;
  }

  get size(): number {
    return this.#ids.length;
  }

  has(sceneId: string): boolean {
    return this.#rows.has(sceneId);
  }

  /** Adds or replaces a scene's vector; it is copied and normalised. */
  set(sceneId: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) {
      throw new RangeError(`Vector for scene ${sceneId} has ${vector.length} dimensions; this matrix holds ${this.dim}.`);
    }
    let row = this.#rows.get(sceneId);
    if (row === undefined) {
      row = this.#ids.length;
      this.#ensureFloats((row + 1) * this.#stride);
      this.#ids.push(sceneId);
      this.#rows.set(sceneId, row);
    }
    const target = this.#view().subarray(row * this.#stride, row * this.#stride + this.dim);
    target.set(vector);
    normalize(target);
  }

  /** Removes a scene's vector; unknown ids are ignored. */
  remove(sceneId: string): void {
    const row = this.#rows.get(sceneId);
    if (row === undefined) return;
    const last = this.#ids.length - 1;
    if (row !== last) {
      const movedId = this.#ids[last];
      const stride = this.#stride;
      this.#view().copyWithin(row * stride, last * stride, (last + 1) * stride);
      this.#ids[row] = movedId;
      this.#rows.set(movedId, row);
    }
    this.#ids.pop();
    this.#rows.delete(sceneId);
  }

  /** The k scenes with the highest cosine similarity to the query, best first. */
  search(query: ArrayLike<number>, k: number): ScoredScene[] {
    if (query.length !== this.dim) {
      throw new RangeError(`Query vector has ${query.length} dimensions; this matrix holds ${this.dim}.`);
    }
    const n = this.#ids.length;
    const count = Math.min(k, n);
    if (count <= 0) return [];
    const stride = this.#stride;
    // Scratch after the last row: the query (padded to the stride), then one score per row.
    const queryAt = n * stride;
    const scoresAt = queryAt + stride;
    this.#ensureFloats(scoresAt + n);
    const data = this.#view();
    const q = data.subarray(queryAt, queryAt + stride);
    q.fill(0);
    for (let i = 0; i < this.dim; i++) q[i] = query[i];
    normalize(q);
    const scores = data.subarray(scoresAt, scoresAt + n);
    if (this.#kernel) this.#kernel.scores(queryAt * 4, 0, n, stride, scoresAt * 4);
    else scoreRows(data, q, n, stride, scores);

    // Sorted best-first; a row enters only when it beats the current k-th score.
    const topScores = new Float64Array(count).fill(-Infinity);
    const topRows = new Int32Array(count).fill(-1);
    for (let row = 0; row < n; row++) {
      const score = scores[row];
      if (score <= topScores[count - 1]) continue;
      let at = count - 1;
      while (at > 0 && topScores[at - 1] < score) {
        topScores[at] = topScores[at - 1];
        topRows[at] = topRows[at - 1];
        at--;
      }
      topScores[at] = score;
      topRows[at] = row;
    }
    const hits: ScoredScene[] = [];
    for (let i = 0; i < count && topRows[i] >= 0; i++) hits.push({ sceneId: this.#ids[topRows[i]], score: topScores[i] });
    return hits;
  }

  /** The current view of the storage (growing WebAssembly memory detaches the old one). */
  #view(): Float32Array {
    if (this.#kernel && this.#data.buffer !== this.#kernel.memory.buffer) this.#data = new Float32Array(this.#kernel.memory.buffer);
    return this.#data;
  }

  #ensureFloats(floats: number): void {
    const have = this.#view().length;
    if (floats <= have) return;
    const wanted = Math.max(floats, Math.ceil(have * 1.5));
    if (this.#kernel) {
      this.#kernel.memory.grow(Math.ceil((wanted * 4 - this.#kernel.memory.buffer.byteLength) / 65536));
      this.#view();
    } else {
      const grown = new Float32Array(wanted);
      grown.set(this.#data.subarray(0, this.#ids.length * this.#stride));
      this.#data = grown;
    }
  }
}

/** Plain-JS dot products, four partial sums like the SIMD kernel's lanes. */
function scoreRows(data: Float32Array, q: Float32Array, n: number, stride: number, out: Float32Array): void {
  for (let row = 0, base = 0; row < n; row++, base += stride) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < stride; i += 4) {
      s0 += data[base + i] * q[i];
      s1 += data[base + i + 1] * q[i + 1];
      s2 += data[base + i + 2] * q[i + 2];
      s3 += data[base + i + 3] * q[i + 3];
    }
    out[row] = s0 + s1 + s2 + s3;
  }
}

/** A fused hit: the RRF score, and for each input ranking the 1-based rank there (undefined when absent). */
export interface FusedScene extends ScoredScene {
  ranks: (number | undefined)[];
}

/**
 * Reciprocal rank fusion: each ranking adds 1 / (rrfK + rank) to the scenes it lists. Scores of
 * different kinds (BM25, cosine) never have to be put on one scale. Ties keep the order in which
 * scenes first appear, walking rankings in the order given.
 */
export function fuse(rankings: readonly (readonly ScoredScene[])[], k: number, rrfK = 60): FusedScene[] {
  const fused = new Map<string, FusedScene>();
  rankings.forEach((ranking, which) => {
    ranking.forEach((hit, position) => {
      let entry = fused.get(hit.sceneId);
      if (!entry) {
        entry = { sceneId: hit.sceneId, score: 0, ranks: new Array<number | undefined>(rankings.length).fill(undefined) };
        fused.set(hit.sceneId, entry);
      }
      if (entry.ranks[which] !== undefined) return; // a scene listed twice in one ranking counts once
      entry.ranks[which] = position + 1;
      entry.score += 1 / (rrfK + position + 1);
    });
  });
  // Array.prototype.sort is stable, so equal scores stay in first-appearance order.
  return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, Math.max(0, k));
}

export interface HybridQuery {
  keyword: KeywordIndex;
  /** What the person wrote (or the ChatHaruhi-style `role:「text」` line), or a chat's exchange and new message. */
  query: string;
  /**
   * A chat's new message alone: its own best keyword match goes first when it is a clear one and
   * the query found it too (message-focus.ts).
   */
  message?: string;
  /** Scene vectors for the loaded embedding model; absent until scenes are embedded. */
  vectors?: VectorMatrix | null;
  /** The query embedded by the same model as `vectors`. */
  queryVector?: ArrayLike<number> | null;
  /**
   * Scenes that must not be found (an evaluation's held-out scenes): left out of every ranking
   * before fusion, so the k hits are the best of the other scenes.
   */
  exclude?: ReadonlySet<string>;
}

export interface HybridOptions {
  /** How many hits each ranking contributes before fusion (default max(50, 4k)). */
  depth?: number;
  rrfK?: number;
}

/** A hybrid hit with the evidence for it, for the prompt inspector. */
export interface HybridHit extends ScoredScene {
  keywordRank?: number;
  keywordScore?: number;
  vectorRank?: number;
  vectorScore?: number;
  /** The new message's own best keyword match, moved first (message-focus.ts). */
  focus?: true;
}

/**
 * BM25 and cosine top lists fused by reciprocal rank. With no vectors (no model loaded, nothing
 * embedded yet) or no query vector it is BM25 alone; scenes not embedded yet still come in
 * through their BM25 rank. With a `message`, the message's own clear best keyword match among the
 * k goes first (withMessageFocus).
 */
export function hybridSearch(input: HybridQuery, k: number, options: HybridOptions = {}): HybridHit[] {
  if (k <= 0) return [];
  const depth = Math.max(k, options.depth ?? Math.max(50, 4 * k));
  const { keyword, query, message, vectors, queryVector, exclude } = input;
  // Each ranking is searched deeper by as many scenes as may be left out of it.
  const extra = exclude?.size ?? 0;
  const kept = <T extends ScoredScene>(hits: T[]): T[] => (extra ? hits.filter((hit) => !exclude!.has(hit.sceneId)) : hits);
  const keywordHits = kept(keyword.search(query, depth + extra));
  const vectorHits = vectors && vectors.size > 0 && queryVector ? kept(vectors.search(queryVector, depth + extra)) : null;
  const fused = fuse(vectorHits ? [keywordHits, vectorHits] : [keywordHits], k, options.rrfK);
  return withMessageFocus(fused, message?.trim() ? kept(keyword.search(message, 2 + extra)) : []).map((hit) => {
    const out: HybridHit = { sceneId: hit.sceneId, score: hit.score, ...(hit.focus ? { focus: true as const } : {}) };
    const keywordRank = hit.ranks[0];
    if (keywordRank !== undefined) {
      out.keywordRank = keywordRank;
      out.keywordScore = keywordHits[keywordRank - 1].score;
    }
    const vectorRank = hit.ranks[1];
    if (vectorHits && vectorRank !== undefined) {
      out.vectorRank = vectorRank;
      out.vectorScore = vectorHits[vectorRank - 1].score;
    }
    return out;
  });
}
