// Finds a character's scenes for a new message: a cached BM25 index per character, fused with cosine search (RRF) when an embedder and vectors exist.

import type { TextEmbedder } from '../core/embedding';
import { KeywordIndex, VectorMatrix, corpusFingerprint, hybridSearch, type SavedKeywordIndexes } from '../core/retrieval';
import type { RetrievalHit, RetrievalTrace, RetrievedScene } from '../core/role-prompt';
import type { ChatTurn, Lang, Scene, SceneKind } from '../core/types';

/** What the service reads scenes from (SceneRepository fits). */
export interface SceneSource {
  listForCharacter(characterId: string): Promise<Scene[]>;
  count(characterId: string): Promise<number>;
}

/** Where a character's keyword indexes are kept between sessions (the settings table fits). */
export interface SavedIndexStore {
  get(characterId: string): Promise<SavedKeywordIndexes | undefined>;
  put(characterId: string, saved: SavedKeywordIndexes): Promise<void>;
}

export interface CharacterRetrievalOptions {
  scenes: SceneSource;
  /** Without it every session indexes each corpus again (seconds at 50k scenes). */
  savedIndexes?: SavedIndexStore;
  /** The embedder for a language, or null while none is ready (keyword search alone then). */
  embedder?: (lang: Lang) => TextEmbedder | null;
  /** How many scenes a search returns (the prompt builder keeps what fits its budget). Default 16. */
  k?: number;
  /**
   * How long a cached index is trusted to have every vector: scenes are embedded in the background,
   * which changes no count, so after this long a search missing vectors reads the scenes again.
   */
  vectorRefreshMs?: number;
  /** Longest wait for the query's embedding before searching by keywords alone. Default 4000 ms. */
  embedTimeoutMs?: number;
  now?: () => number;
}

/**
 * What a chat searches with: `text`, the exchange before the new message and the message (the topic
 * a short or vague message continues), and `message`, the new message alone (where the talk is
 * going: its own best match goes first, core/retrieval/message-focus.ts).
 */
export interface ChatQuery {
  text: string;
  message: string;
}

export interface RetrievalResult {
  scenes: RetrievedScene[];
  trace: RetrievalTrace;
}

/** Dialogue scenes and knowledge passages are ranked apart: each kind has its own index and vectors. */
type Group = 'dialogue' | 'knowledge';
const GROUPS: readonly Group[] = ['dialogue', 'knowledge'];
const groupOf = (scene: { kind?: SceneKind }): Group => (scene.kind === 'knowledge' ? 'knowledge' : 'dialogue');

/** Knowledge passages a search returns besides its k scenes (the prompt keeps what its knowledge room holds). */
const KNOWLEDGE_K = 6;

interface CachedCorpus {
  count: number;
  scenes: Map<string, Scene>;
  keyword: Record<Group, KeywordIndex>;
  /** Per embedding model: its vectors per kind (null: no scene of the kind has one), and when they were read. */
  vectors: Map<string, { matrix: Record<Group, VectorMatrix | null>; readAt: number }>;
}

/** Scenes indexed between yields to the page (about 20–40 ms of work on a slow machine). */
const INDEX_CHUNK = 200;

const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Indexing a large corpus takes seconds: in chunks, with the page free to paint between them. */
async function buildKeyword(list: readonly Scene[]): Promise<Record<Group, KeywordIndex>> {
  const keyword: Record<Group, KeywordIndex> = { dialogue: KeywordIndex.create(), knowledge: KeywordIndex.create() };
  for (let start = 0; start < list.length; start += INDEX_CHUNK) {
    if (start > 0) await yieldToPage();
    for (const scene of list.slice(start, start + INDEX_CHUNK)) keyword[groupOf(scene)].add(scene);
  }
  return keyword;
}

/**
 * Chat turns a query is made of: the new message and the exchange before it. The exchange names the
 * topic a short or vague message ("why?", "and then?") continues; on held-out exchanges of the
 * ChatHaruhi packs it lifts recall@5 from 25 % to about 40 % in English and by 5–13 points in
 * Chinese against the message alone (bench/retrieval-quality.bench.ts).
 */
const QUERY_TURNS = 3;

export class CharacterRetrieval {
  readonly #options: CharacterRetrievalOptions;
  readonly #cache = new Map<string, Promise<CachedCorpus>>();

  constructor(options: CharacterRetrievalOptions) {
    this.#options = options;
  }

  /** Forget a character's cached index (call after its scenes were imported, edited or embedded). */
  invalidate(characterId?: string): void {
    if (characterId === undefined) this.#cache.clear();
    else this.#cache.delete(characterId);
  }

  /** The query for a new message: the message after the exchange before it (the person's last message and the reply), oldest first; and the message alone. */
  static queryFor(history: readonly ChatTurn[]): ChatQuery {
    const texts = history.map((turn) => turn.content.trim()).filter(Boolean);
    return { text: texts.slice(-QUERY_TURNS).join('\n'), message: texts[texts.length - 1] ?? '' };
  }

  /**
   * Scenes for the query, best first: up to k dialogue scenes, then up to KNOWLEDGE_K knowledge
   * passages (marked), each kind ranked on its own; and how they were found. For a chat's query,
   * the new message's own best dialogue match among the k goes first, marked `focus`. Never throws
   * for missing vectors or a failing embedder. Scenes in `exclude` are never found (an evaluation
   * run's held-out scenes); the cached index is not changed, so later searches find them again.
   */
  async search(character: { id: string; language: Lang }, chatQuery: string | ChatQuery, signal?: AbortSignal, k = this.#options.k ?? 16, exclude?: ReadonlySet<string>): Promise<RetrievalResult> {
    const { text: query, message } = typeof chatQuery === 'string' ? { text: chatQuery, message: undefined } : chatQuery;
    const started = performance.now();
    const corpus = await this.#corpus(character.id);
    const base = { query, sceneCount: corpus.count };
    if (corpus.count === 0 || !query.trim()) {
      return { scenes: [], trace: { ...base, mode: 'none', hits: [], ms: performance.now() - started } };
    }
    const embedder = this.#options.embedder?.(character.language) ?? null;
    let vectorsOff: RetrievalTrace['vectorsOff'] = embedder ? undefined : 'no-embedder';
    let vectors: Record<Group, VectorMatrix | null> | null = null;
    let queryVector: Float32Array | null = null;
    if (embedder) {
      vectors = await this.#vectors(character.id, corpus, embedder.modelId);
      const dims = GROUPS.map((g) => vectors?.[g]).filter((m): m is VectorMatrix => m !== null && m !== undefined && m.size > 0).map((m) => m.dim);
      if (dims.length === 0) vectorsOff = 'no-vectors';
      else {
        try {
          queryVector = await this.#embed(embedder, query, signal);
          if (dims.some((dim) => dim !== queryVector!.length)) throw new Error('dimension mismatch');
        } catch {
          queryVector = null;
          vectorsOff = 'embed-failed';
        }
      }
    }
    const hybrid = queryVector !== null && vectors !== null;
    const traced: RetrievalHit[] = [];
    const scenes: RetrievedScene[] = [];
    for (const group of GROUPS) {
      const matrix = hybrid ? (vectors?.[group] ?? null) : null;
      // Knowledge passages are reference, not the scene a topic moves to: the message picks no focus among them.
      const focusOn = group === 'dialogue' && message !== undefined ? { message } : {};
      const hits = hybridSearch({ keyword: corpus.keyword[group], query, ...focusOn, vectors: matrix, queryVector, ...(exclude ? { exclude } : {}) }, group === 'knowledge' ? KNOWLEDGE_K : k);
      for (const hit of hits) {
        const scene = corpus.scenes.get(hit.sceneId);
        if (!scene) continue;
        // Keyword search alone ranks by BM25 itself (scores the prompt builder compares for topic moves).
        const score = hybrid ? hit.score : (hit.keywordScore ?? hit.score);
        const kind = scene.kind ? { kind: scene.kind } : {};
        const focus = hit.focus ? { focus: true as const } : {};
        scenes.push({ id: scene.id, text: scene.text, score, ...(scene.title ? { title: scene.title } : {}), ...kind, ...focus });
        traced.push({
          id: scene.id,
          ...(scene.title ? { title: scene.title } : {}),
          source: scene.source,
          ...kind,
          score,
          ...(hit.keywordRank !== undefined ? { keywordRank: hit.keywordRank, keywordScore: hit.keywordScore } : {}),
          ...(hit.vectorRank !== undefined ? { vectorRank: hit.vectorRank, vectorScore: hit.vectorScore } : {}),
          ...focus,
        });
      }
    }
    const vectorCount = GROUPS.reduce((sum, g) => sum + (vectors?.[g]?.size ?? 0), 0);
    const trace: RetrievalTrace = {
      ...base,
      mode: hybrid ? 'hybrid' : 'keyword',
      hits: traced,
      ms: performance.now() - started,
      ...(embedder ? { embeddingModel: embedder.modelId } : {}),
      ...(hybrid ? { vectorCount } : {}),
      ...(vectorsOff ? { vectorsOff } : {}),
    };
    return { scenes, trace };
  }

  async #corpus(characterId: string): Promise<CachedCorpus> {
    const count = await this.#options.scenes.count(characterId);
    const cached = this.#cache.get(characterId);
    if (cached) {
      const corpus = await cached.catch(() => null);
      if (corpus && corpus.count === count) return corpus;
    }
    const loading = this.#load(characterId);
    this.#cache.set(characterId, loading);
    loading.catch(() => {
      if (this.#cache.get(characterId) === loading) this.#cache.delete(characterId);
    });
    return loading;
  }

  /** Build (or keep) a character's index ahead of the first message, e.g. when its chat opens. */
  async warm(characterId: string): Promise<void> {
    await this.#corpus(characterId).catch(() => undefined);
  }

  async #load(characterId: string): Promise<CachedCorpus> {
    const list = await this.#options.scenes.listForCharacter(characterId);
    const fingerprint = corpusFingerprint(list);
    let keyword = await this.#savedKeyword(characterId, fingerprint);
    if (!keyword) {
      keyword = await buildKeyword(list);
      void this.#saveKeyword(characterId, fingerprint, keyword);
    }
    return { count: list.length, scenes: new Map(list.map((s) => [s.id, s])), keyword, vectors: new Map() };
  }

  /** The indexes saved for exactly these scenes; null when none were, or they are of another corpus or format. */
  async #savedKeyword(characterId: string, fingerprint: string): Promise<Record<Group, KeywordIndex> | null> {
    try {
      const saved = await this.#options.savedIndexes?.get(characterId);
      if (saved?.fingerprint !== fingerprint) return null;
      return { dialogue: KeywordIndex.load(saved.indexes.dialogue), knowledge: KeywordIndex.load(saved.indexes.knowledge) };
    } catch {
      return null; // unreadable or of another tokenizer version: built again, and saved over
    }
  }

  async #saveKeyword(characterId: string, fingerprint: string, keyword: Record<Group, KeywordIndex>): Promise<void> {
    if (!this.#options.savedIndexes) return;
    // After the search that needed the index: serialising 50k scenes' postings takes a moment.
    await yieldToPage();
    const indexes = { dialogue: keyword.dialogue.toJSON(), knowledge: keyword.knowledge.toJSON() };
    await this.#options.savedIndexes.put(characterId, { fingerprint, indexes }).catch(() => undefined); // not fatal: rebuilt next session
  }

  /** The vectors of one model; re-read when scenes were still being embedded a while ago. */
  async #vectors(characterId: string, corpus: CachedCorpus, model: string): Promise<Record<Group, VectorMatrix | null>> {
    const now = (this.#options.now ?? Date.now)();
    const known = corpus.vectors.get(model);
    const complete = known !== undefined && GROUPS.reduce((sum, g) => sum + (known.matrix[g]?.size ?? 0), 0) === corpus.count;
    if (known && (complete || now - known.readAt < (this.#options.vectorRefreshMs ?? 30_000))) return known.matrix;
    // Read fresh rows: the background embedder writes vectors into them without changing the count.
    const scenes = known ? await this.#options.scenes.listForCharacter(characterId) : [...corpus.scenes.values()];
    if (known) for (const scene of scenes) if (corpus.scenes.has(scene.id)) corpus.scenes.set(scene.id, scene);
    const matrix = { dialogue: VectorMatrix.fromScenes(scenes.filter((s) => groupOf(s) === 'dialogue'), model), knowledge: VectorMatrix.fromScenes(scenes.filter((s) => groupOf(s) === 'knowledge'), model) };
    corpus.vectors.set(model, { matrix, readAt: now });
    return matrix;
  }

  #embed(embedder: TextEmbedder, query: string, signal?: AbortSignal): Promise<Float32Array> {
    const timeout = this.#options.embedTimeoutMs ?? 4000;
    return new Promise<Float32Array>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('embedding timed out')), timeout);
      embedder.embed([query], signal).then(
        (vectors) => {
          clearTimeout(timer);
          if (vectors[0]) resolve(vectors[0]);
          else reject(new Error('no vector'));
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}
