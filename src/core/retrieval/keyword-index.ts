// BM25 keyword search over one character's scenes: a compact inverted index, incremental and cacheable as JSON.

import { TOKENIZER_VERSION, tokenize } from './tokenize';
import type { ScoredScene, SearchableScene } from './types';

/**
 * BM25+ exactly as MiniSearch 7 scores it (k 1.2, b 0.7, d 0.5; field length = distinct terms;
 * score summed over query terms and fields, then multiplied by the number of distinct query
 * terms matched), so rankings match MiniSearch's (a test checks this on a real pack).
 *
 * Why not MiniSearch itself: it spends about 1 µs per posting on per-match bookkeeping
 * (term lists, match maps, a result object per document). A long chat line touches ~1.4
 * postings per scene, which at 50k scenes is 70–100 ms a query against a 20 ms target; this
 * index walks plain arrays into one score buffer and is 10–30× faster (bench/retrieval.bench.ts).
 */
const K1 = 1.2;
const B = 0.7;
const D = 0.5;

export const KEYWORD_INDEX_FORMAT = 'hearth-keyword-index';
const FORMAT_VERSION = 1;

/** What `toJSON` returns: plain data (numbers, strings, arrays), safe to stringify or store in IndexedDB. */
export interface KeywordIndexJSON {
  format: typeof KEYWORD_INDEX_FORMAT;
  version: number;
  tokenizerVersion: number;
  fields: string[];
  ids: string[];
  /** Per document, per field: its number of distinct terms. */
  lengths: number[];
  terms: string[];
  /** Per term: document numbers delta-encoded, then per document the term frequency in each field. */
  postings: [number[], number[]][];
}

export interface KeywordIndexOptions {
  /**
   * Index scene titles as well as texts (default true). Titles such as ChatHaruhi's `自我介绍`
   * name what the scene is about.
   */
  titles?: boolean;
  /** Weight of a title match relative to a text match (default 2). */
  titleBoost?: number;
}

export class KeywordIndexFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeywordIndexFormatError';
  }
}

interface Posting {
  /** Document slots, ascending (slots only grow, so appends keep the order). */
  docs: number[];
  /** Term frequency per document and field: tfs[i * fieldCount + field]. */
  tfs: number[];
  /** Documents containing the term, per field. */
  df: number[];
}

export class KeywordIndex {
  readonly #fields: readonly string[];
  readonly #boosts: number[];
  readonly #terms = new Map<string, Posting>();
  /** Slot → scene id; undefined once removed (slots are not reused until a reload compacts them). */
  #ids: (string | undefined)[] = [];
  readonly #slots = new Map<string, number>();
  /** Distinct terms per slot and field. */
  #lengths: number[] = [];
  readonly #totalLengths: number[];
  // Scratch buffers for search, grown with the slot count: reused so a query allocates little.
  #score = new Float64Array(0);
  #matched = new Uint16Array(0);
  #epochOf = new Uint32Array(0);
  #lastTerm = new Int32Array(0);
  #epoch = 0;
  // Scratch for add.
  readonly #addRows = new Map<string, number>();
  readonly #addTfs: number[] = [];

  private constructor(fields: readonly string[], titleBoost: number) {
    this.#fields = fields;
    this.#boosts = fields.map((field) => (field === 'title' ? titleBoost : 1));
    this.#totalLengths = fields.map(() => 0);
  }

  /** An empty index; `add` scenes to it. */
  static create(options: KeywordIndexOptions = {}): KeywordIndex {
    return new KeywordIndex(options.titles === false ? ['text'] : ['text', 'title'], options.titleBoost ?? 2);
  }

  /** An index of these scenes. A later scene with an id already seen replaces the earlier one. */
  static build(scenes: Iterable<SearchableScene>, options: KeywordIndexOptions = {}): KeywordIndex {
    const index = KeywordIndex.create(options);
    for (const scene of scenes) index.add(scene);
    return index;
  }

  /**
   * An index from `toJSON` output (or its string). Throws KeywordIndexFormatError when the data
   * is not an index, is damaged, or was built by another tokenizer version: rebuild from the scenes then.
   */
  static load(json: KeywordIndexJSON | string, options: Pick<KeywordIndexOptions, 'titleBoost'> = {}): KeywordIndex {
    let data: Partial<KeywordIndexJSON> | null;
    try {
      data = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<KeywordIndexJSON> | null;
    } catch {
      throw new KeywordIndexFormatError('The saved keyword index is not valid JSON.');
    }
    if (!data || data.format !== KEYWORD_INDEX_FORMAT || data.version !== FORMAT_VERSION) {
      throw new KeywordIndexFormatError('This is not a saved keyword index of this version.');
    }
    if (data.tokenizerVersion !== TOKENIZER_VERSION) {
      throw new KeywordIndexFormatError(
        `The keyword index was built by tokenizer version ${String(data.tokenizerVersion)}; this build uses ${TOKENIZER_VERSION}.`,
      );
    }
    const { fields, ids, lengths, terms, postings } = data;
    if (!Array.isArray(fields) || !Array.isArray(ids) || !Array.isArray(lengths) || !Array.isArray(terms) || !Array.isArray(postings)) {
      throw new KeywordIndexFormatError('The saved keyword index is incomplete.');
    }
    const count = fields.length;
    if (count === 0 || lengths.length !== ids.length * count || postings.length !== terms.length) {
      throw new KeywordIndexFormatError('The saved keyword index is inconsistent.');
    }
    const index = new KeywordIndex(fields, options.titleBoost ?? 2);
    index.#ids = ids.slice();
    index.#lengths = lengths.slice();
    ids.forEach((id, slot) => index.#slots.set(id, slot));
    for (let slot = 0; slot < ids.length; slot++) {
      for (let f = 0; f < count; f++) index.#totalLengths[f] += lengths[slot * count + f];
    }
    terms.forEach((term, t) => {
      const [deltas, tfs] = postings[t] ?? [[], []];
      if (!Array.isArray(deltas) || !Array.isArray(tfs) || tfs.length !== deltas.length * count) {
        throw new KeywordIndexFormatError('The saved keyword index is inconsistent.');
      }
      const docs = new Array<number>(deltas.length);
      const df = fields.map(() => 0);
      let slot = 0;
      for (let i = 0; i < deltas.length; i++) {
        slot += deltas[i];
        if (slot >= ids.length) throw new KeywordIndexFormatError('The saved keyword index is inconsistent.');
        docs[i] = slot;
        for (let f = 0; f < count; f++) if (tfs[i * count + f] > 0) df[f]++;
      }
      index.#terms.set(term, { docs, tfs: tfs.slice(), df });
    });
    return index;
  }

  /** The index as plain data, compacted (removed scenes leave no trace). */
  toJSON(): KeywordIndexJSON {
    const count = this.#fields.length;
    const renumber = new Int32Array(this.#ids.length).fill(-1);
    const ids: string[] = [];
    const lengths: number[] = [];
    this.#ids.forEach((id, slot) => {
      if (id === undefined) return;
      renumber[slot] = ids.length;
      ids.push(id);
      for (let f = 0; f < count; f++) lengths.push(this.#lengths[slot * count + f]);
    });
    const terms: string[] = [];
    const postings: [number[], number[]][] = [];
    for (const [term, posting] of this.#terms) {
      if (posting.docs.length === 0) continue;
      const deltas = new Array<number>(posting.docs.length);
      let previous = 0;
      posting.docs.forEach((slot, i) => {
        const next = renumber[slot];
        deltas[i] = next - previous;
        previous = next;
      });
      terms.push(term);
      postings.push([deltas, posting.tfs.slice()]);
    }
    return {
      format: KEYWORD_INDEX_FORMAT,
      version: FORMAT_VERSION,
      tokenizerVersion: TOKENIZER_VERSION,
      fields: [...this.#fields],
      ids,
      lengths,
      terms,
      postings,
    };
  }

  get size(): number {
    return this.#slots.size;
  }

  has(sceneId: string): boolean {
    return this.#slots.has(sceneId);
  }

  /** Adds a scene, replacing the scene with the same id if there is one. */
  add(scene: SearchableScene): void {
    this.remove(scene.id);
    const count = this.#fields.length;
    const slot = this.#ids.length;
    this.#ids.push(scene.id);
    this.#slots.set(scene.id, slot);
    // Term → row of per-field frequencies in one flat scratch array: no allocation per term.
    const rows = this.#addRows;
    const tfs = this.#addTfs;
    rows.clear();
    for (let f = 0; f < count; f++) {
      const tokens = tokenize(this.#fields[f] === 'title' ? (scene.title ?? '') : scene.text);
      let distinct = 0;
      for (const token of tokens) {
        let row = rows.get(token);
        if (row === undefined) {
          row = rows.size;
          rows.set(token, row);
          for (let g = 0; g < count; g++) tfs[row * count + g] = 0;
        }
        if (tfs[row * count + f]++ === 0) distinct++;
      }
      this.#lengths.push(distinct);
      this.#totalLengths[f] += distinct;
    }
    for (const [term, row] of rows) {
      let posting = this.#terms.get(term);
      if (posting === undefined) {
        posting = { docs: [], tfs: [], df: new Array<number>(count).fill(0) };
        this.#terms.set(term, posting);
      }
      posting.docs.push(slot);
      for (let f = 0; f < count; f++) {
        const tf = tfs[row * count + f];
        posting.tfs.push(tf);
        if (tf > 0) posting.df[f]++;
      }
    }
  }

  /**
   * Removes a scene by id; unknown ids are ignored. Walks every term (a few milliseconds at
   * thousands of scenes): removals are rare, and keeping no per-scene term list halves memory.
   */
  remove(sceneId: string): void {
    const slot = this.#slots.get(sceneId);
    if (slot === undefined) return;
    const count = this.#fields.length;
    for (const [term, posting] of this.#terms) {
      const i = findSlot(posting.docs, slot);
      if (i < 0) continue;
      for (let f = 0; f < count; f++) if (posting.tfs[i * count + f] > 0) posting.df[f]--;
      posting.docs.splice(i, 1);
      posting.tfs.splice(i * count, count);
      if (posting.docs.length === 0) this.#terms.delete(term);
    }
    for (let f = 0; f < count; f++) this.#totalLengths[f] -= this.#lengths[slot * count + f];
    this.#ids[slot] = undefined;
    this.#slots.delete(sceneId);
  }

  /** The k best scenes for the query by BM25, best first. An empty or all-punctuation query finds nothing. */
  search(query: string, k: number): ScoredScene[] {
    const n = this.#slots.size;
    if (k <= 0 || n === 0) return [];
    const queryTerms = new Map<string, number>();
    for (const term of tokenize(query)) queryTerms.set(term, (queryTerms.get(term) ?? 0) + 1);
    if (queryTerms.size === 0) return [];

    this.#growScratch();
    const epoch = (this.#epoch = (this.#epoch + 1) >>> 0 || 1);
    const score = this.#score;
    const matched = this.#matched;
    const epochOf = this.#epochOf;
    const lastTerm = this.#lastTerm;
    const lengths = this.#lengths;
    const count = this.#fields.length;
    const touched: number[] = [];

    let ordinal = 0;
    for (const [term, occurrences] of queryTerms) {
      ordinal++;
      const posting = this.#terms.get(term);
      if (!posting) continue;
      const { docs, tfs, df } = posting;
      for (let f = 0; f < count; f++) {
        const dfField = df[f];
        if (dfField === 0) continue;
        const average = this.#totalLengths[f] / n;
        const idf = Math.log(1 + (n - dfField + 0.5) / (dfField + 0.5));
        const weight = occurrences * this.#boosts[f] * idf;
        // BM25's length normalisation, K1 * (1 - B + B * length / average), split into two constants.
        const lengthScale = average > 0 ? (K1 * B) / average : 0;
        const base = K1 * (1 - B);
        for (let i = 0; i < docs.length; i++) {
          const tf = tfs[i * count + f];
          if (tf === 0) continue;
          const slot = docs[i];
          const s = weight * (D + (tf * (K1 + 1)) / (tf + base + lengthScale * lengths[slot * count + f]));
          if (epochOf[slot] !== epoch) {
            epochOf[slot] = epoch;
            score[slot] = s;
            matched[slot] = 1;
            lastTerm[slot] = ordinal;
            touched.push(slot);
          } else {
            score[slot] += s;
            if (lastTerm[slot] !== ordinal) {
              lastTerm[slot] = ordinal;
              matched[slot]++;
            }
          }
        }
      }
    }

    // Top k by score × distinct query terms matched (MiniSearch's "quality"); ties keep first-match order, as MiniSearch's stable sort does.
    const size = Math.min(k, touched.length);
    const topScores = new Float64Array(size).fill(-Infinity);
    const topSlots = new Int32Array(size).fill(-1);
    for (const slot of touched) {
      const value = score[slot] * matched[slot];
      if (value <= topScores[size - 1]) continue;
      let at = size - 1;
      while (at > 0 && topScores[at - 1] < value) {
        topScores[at] = topScores[at - 1];
        topSlots[at] = topSlots[at - 1];
        at--;
      }
      topScores[at] = value;
      topSlots[at] = slot;
    }
    const hits: ScoredScene[] = [];
    for (let i = 0; i < size; i++) hits.push({ sceneId: this.#ids[topSlots[i]]!, score: topScores[i] });
    return hits;
  }

  #growScratch(): void {
    const slots = this.#ids.length;
    if (this.#score.length >= slots) return;
    const capacity = Math.max(64, Math.ceil(slots * 1.5));
    this.#score = new Float64Array(capacity);
    this.#matched = new Uint16Array(capacity);
    const epochs = new Uint32Array(capacity);
    epochs.set(this.#epochOf);
    this.#epochOf = epochs;
    this.#lastTerm = new Int32Array(capacity);
  }
}

function findSlot(docs: number[], slot: number): number {
  let lo = 0;
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const value = docs[mid];
    if (value === slot) return mid;
    if (value < slot) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
