// Retrieval benchmark: BM25, cosine and hybrid latency and index build time on synthetic scene
// corpora (1k, 1.7k, 10k, 50k), against @orama/orama's hybrid search on the same data in the same
// run, and against MiniSearch's BM25 (same tokenizer, same scores) to show why the index is our own.
//
//   npx tsx bench/retrieval.bench.ts               in headless Chromium, then in Node
//   npx tsx bench/retrieval.bench.ts --chromium    Chromium only (the targets are for Chromium)
//   npx tsx bench/retrieval.bench.ts --node        Node only
//   add --sizes=1000,1700 to pick corpus sizes
//
// Prints tables; targets are reported, never asserted. In Chromium the module is bundled by Vite
// and served from an intercepted origin with COOP/COEP, so performance.now() has 5 µs resolution.

import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import { KeywordIndex } from '../src/core/retrieval/keyword-index';
import type { SavedKeywordIndexes } from '../src/core/retrieval/saved-index';
import type { Scene } from '../src/core/types';
import { CharacterRetrieval } from '../src/state/character-retrieval';
import { tokenize } from '../src/core/retrieval/tokenize';
import { VectorMatrix, hybridSearch } from '../src/core/retrieval/vector';
import { referenceMiniSearch } from '../test/fixtures/minisearch-reference';
import { mulberry32 as rng } from '../test/fixtures/random';
import { launchChromium, markdownTable } from './common';

const DIM = 384;
const K = 5;
const DEFAULT_SIZES = [1000, 1700, 10000, 50000];
const QUERY_COUNT = 64;

// ---------------------------------------------------------------- synthetic corpus


// Vocabulary shaped like the real packs: a few names and function words that appear everywhere,
// then a long Zipf tail. Calibrated against the four ChatHaruhi fixture packs (640 scenes, ~500
// characters each, 22.6k distinct terms; the Haruhi chat queries hit ~0.3 postings per scene).
const ZH_NAMES = ['凉宫春日', '阿虚', '长门有希', '朝比奈', '古泉一树', '谷口', '国木田', '鹤屋', '朝仓', '电研社长', '胡桃', '钟离', '派蒙', '旅行者', '汤师爷', '张牧之'];
const ZH_COMMON = (
  '我 你 他 她 的 了 是 不 在 有 这 那 就 也 都 吗 呢 吧 啊 我们 你们 什么 怎么 为什么 这个 那个 可以 知道 觉得 还是 就是 一个 没有 ' +
  '现在 已经 真的 其实 可是 但是 所以 如果 因为 然后 总之 当然 一起 一定 今天 明天'
).split(' ');
const EN_NAMES = ['Sheldon', 'Leonard', 'Penny', 'Howard', 'Raj', 'Amy', 'Bernadette', 'Harry', 'Hermione', 'Ron', 'Dumbledore', 'Snape'];
const EN_COMMON = (
  'i you he she we they it is are was were be have has do did not no yes what why how when where who this that there here now then ' +
  'the a an of to in on at for with about from by and but or so because if just really very know think want like go get'
).split(' ');
const SYLLABLES = 'ba be bi bo ca ce co da de di do fa fe fi ga ge go ha he hi ho la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi wa we wi'.split(' ');

/** Samples index i of n with probability ∝ 1/(i+1)^s (precomputed CDF, binary search). */
function zipfSampler(n: number, s: number): (random: () => number) => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cdf[i] = total += 1 / Math.pow(i + 1, s);
  return (random) => {
    const x = random() * total;
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

interface Vocabulary {
  zh: string[];
  en: string[];
  pickZh: (random: () => number) => number;
  pickEn: (random: () => number) => number;
  pickName: (random: () => number) => number;
}

function makeVocabulary(random: () => number): Vocabulary {
  // 3,500 Han characters (the size of the common-use list), words of 1–3 of them, Zipf over both.
  const hanPick = zipfSampler(3500, 0.9);
  const han = Array.from({ length: 3500 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20900)));
  const zh = [...ZH_COMMON];
  const seen = new Set(zh);
  while (zh.length < 30000) {
    const length = 1 + Math.floor(random() * random() * 3.2);
    let word = '';
    for (let i = 0; i < length; i++) word += han[hanPick(random)];
    if (!seen.has(word)) seen.add(word), zh.push(word);
  }
  const en = [...EN_COMMON];
  const seenEn = new Set(en);
  while (en.length < 20000) {
    let word = '';
    for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (random() < 0.2) word += 's';
    if (!seenEn.has(word)) seenEn.add(word), en.push(word);
  }
  return { zh, en, pickZh: zipfSampler(zh.length, 1.0), pickEn: zipfSampler(en.length, 1.0), pickName: zipfSampler(16, 1.2) };
}

const ZH_TAILS = ['吧', '啊', '呢', '吗', '了', '！', '？', '。', '……', '，'];

function zhLine(random: () => number, v: Vocabulary, words: number): string {
  let text = '';
  for (let i = 0; i < words; i++) {
    text += random() < 0.06 ? ZH_NAMES[v.pickName(random)] : v.zh[v.pickZh(random)];
    if (random() < 0.12) text += ZH_TAILS[Math.floor(random() * ZH_TAILS.length)];
  }
  if (random() < 0.05) text += random() < 0.5 ? 'SOS团' : 'Python';
  return text + ZH_TAILS[Math.floor(random() * ZH_TAILS.length)];
}

function enLine(random: () => number, v: Vocabulary, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(random() < 0.05 ? EN_NAMES[v.pickName(random) % EN_NAMES.length] : v.en[v.pickEn(random)]);
  const text = out.join(' ');
  return text[0].toUpperCase() + text.slice(1) + (random() < 0.3 ? '?' : '.');
}

export interface Corpus {
  scenes: { id: string; title: string; text: string }[];
  vectors: Float32Array[];
  queries: string[];
  queryVectors: Float32Array[];
}

function topicVector(random: () => number, centre: Float32Array): Float32Array {
  // A shared direction plus noise: cosines land in 0.2–0.8 like real sentence embeddings, not around 0.
  const v = new Float32Array(DIM);
  let norm = 0;
  for (let i = 0; i < DIM; i++) {
    v[i] = centre[i] + (random() - 0.5) * 0.9;
    norm += v[i] * v[i];
  }
  for (let i = 0; i < DIM; i++) v[i] /= Math.sqrt(norm);
  return v;
}

/**
 * Scenes of 3–12 `Speaker:「line」` lines (some narration), about 60% Chinese and 40% English with
 * a few mixed lines, ~500 characters on average like the real packs; 384-d vectors around 48
 * topics. Queries are one or two chat lines, ChatHaruhi-style `role:「text」`.
 */
export function makeCorpus(size: number, seed = 42): Corpus {
  const random = rng(seed);
  const v = makeVocabulary(random);
  const centres = Array.from({ length: 48 }, () => Float32Array.from({ length: DIM }, () => random() - 0.3));
  const scenes: Corpus['scenes'] = [];
  const vectors: Float32Array[] = [];
  for (let i = 0; i < size; i++) {
    const chinese = random() < 0.6;
    const lines: string[] = [];
    const n = 3 + Math.floor(random() * 10);
    for (let j = 0; j < n; j++) {
      const zh = chinese !== random() < 0.05;
      const speaker = chinese ? ZH_NAMES[v.pickName(random)] : EN_NAMES[v.pickName(random) % EN_NAMES.length];
      const line = zh ? zhLine(random, v, 3 + Math.floor(random() * 20)) : enLine(random, v, 4 + Math.floor(random() * 30));
      lines.push(random() < 0.08 ? `旁白:${line}` : `${speaker}:「${line}」`);
    }
    scenes.push({ id: `scene-${i}`, title: chinese ? v.zh[v.pickZh(random)] : v.en[v.pickEn(random)], text: lines.join('\n') });
    vectors.push(topicVector(random, centres[Math.floor(random() * centres.length)]));
  }
  const queries: string[] = [];
  const queryVectors: Float32Array[] = [];
  for (let i = 0; i < QUERY_COUNT; i++) {
    queries.push(
      random() < 0.6
        ? `阿虚:「${zhLine(random, v, 2 + Math.floor(random() * 12))}」`
        : `Leonard:「${enLine(random, v, 3 + Math.floor(random() * 15))}」`,
    );
    queryVectors.push(topicVector(random, centres[Math.floor(random() * centres.length)]));
  }
  return { scenes, vectors, queries, queryVectors };
}

// ---------------------------------------------------------------- measuring

const now = () => performance.now();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median per-call time over the query set, after a warm-up, repeated until enough samples or the time is spent. */
async function medianLatency(run: (i: number) => unknown, budgetMs = 2500): Promise<{ ms: number; samples: number }> {
  const warmStart = now();
  for (let i = 0; i < 3 || (i < 400 && now() - warmStart < 300); i++) await run(i % QUERY_COUNT); // JIT, caches
  const times: number[] = [];
  const started = now();
  for (let i = 0; times.length < 10 || (times.length < 400 && now() - started < budgetMs); i++) {
    const t0 = now();
    await run(i % QUERY_COUNT);
    times.push(now() - t0);
  }
  return { ms: median(times), samples: times.length };
}

export interface BenchRow {
  scenes: number;
  /** Query latency, median ms. */
  bm25: number;
  miniSearch: number;
  cosine: number;
  cosineJs: number;
  hybrid: number;
  oramaHybrid: number;
  /** Build and cache figures, ms and MB. */
  buildKeyword: number;
  loadKeyword: number;
  keywordJsonMB: number;
  buildMiniSearch: number;
  buildVectors: number;
  buildOrama: number;
  samples: number;
  /** Share of our hybrid top-5 that Orama's hybrid top-5 also holds. */
  overlapWithOrama: number;
  /** The app's first search of a session (CharacterRetrieval), indexing the corpus / loading the saved index. */
  firstSearchIndexing: number;
  firstSearchSaved: number;
}

/**
 * A session's first search through the app's retrieval service, which indexes the corpus, then
 * the next session's, which loads the index the first one saved. The saved index goes through a
 * structured clone each way, as IndexedDB stores and reads it; the scene rows come from memory
 * in both (the app reads them from IndexedDB either way).
 */
async function firstSearches(corpus: Corpus): Promise<{ indexing: number; saved: number }> {
  const scenes: Scene[] = corpus.scenes.map((scene) => ({ ...scene, characterId: 'c', lines: [], tokens: 0, source: 'pack', vectors: [] }));
  const source = { listForCharacter: async () => scenes, count: async () => scenes.length };
  let stored: SavedKeywordIndexes | undefined;
  const savedIndexes = {
    get: async () => (stored === undefined ? undefined : structuredClone(stored)),
    put: async (_id: string, saved: SavedKeywordIndexes) => void (stored = structuredClone(saved)),
  };
  const firstSearch = async () => {
    const t0 = now();
    await new CharacterRetrieval({ scenes: source, savedIndexes }).search({ id: 'c', language: 'zh' }, corpus.queries[0]);
    return now() - t0;
  };
  const indexing = await firstSearch();
  while (stored === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
  return { indexing, saved: await firstSearch() };
}

export async function runRetrievalBench(sizes: number[], log: (line: string) => void = () => {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const size of sizes) {
    const corpus = makeCorpus(size);
    log(`${size} scenes: building…`);
    const time = <T>(make: () => T): [T, number] => {
      const t0 = now();
      const value = make();
      return [value, now() - t0];
    };

    // Each engine is measured while only its own index is alive, so no engine pays for another's
    // garbage collection. Ours first: build, cache round trip, queries.
    const ours = await (async () => {
      const [keyword, buildKeyword] = time(() => KeywordIndex.build(corpus.scenes));
      let json: string | null = JSON.stringify(keyword);
      const keywordJsonMB = json.length / 1e6;
      const [, loadKeyword] = time(() => KeywordIndex.load(json!));
      json = null;
      const fill = (simd: boolean) => {
        const matrix = new VectorMatrix(DIM, { capacity: size, simd });
        corpus.scenes.forEach((scene, i) => matrix.set(scene.id, corpus.vectors[i]));
        return matrix;
      };
      const [vectors, buildVectors] = time(() => fill(true));
      const hybridOf = (i: number) =>
        hybridSearch({ keyword, query: corpus.queries[i], vectors, queryVector: corpus.queryVectors[i] }, K);
      log(`${size} scenes: querying…`);
      const bm25 = await medianLatency((i) => keyword.search(corpus.queries[i], K));
      const cosine = await medianLatency((i) => vectors.search(corpus.queryVectors[i], K));
      const hybrid = await medianLatency(hybridOf);
      const ourTop = Array.from({ length: 16 }, (_, i) => new Set(hybridOf(i).map((h) => h.sceneId)));
      const cosineJs = await (async () => {
        const plain = fill(false);
        return medianLatency((i) => plain.search(corpus.queryVectors[i], K));
      })();
      return { buildKeyword, loadKeyword, keywordJsonMB, buildVectors, bm25, cosine, hybrid, cosineJs, ourTop };
    })();
    const ourTop = ours.ourTop;
    log(`${size} scenes: first search of a session…`);
    const first = await firstSearches(corpus);

    log(`${size} scenes: MiniSearch…`);
    const [buildMiniSearch, miniSearch] = await (async () => {
      const [mini, built] = time(() => {
        const index = referenceMiniSearch();
        index.addAll(corpus.scenes);
        return index;
      });
      return [built, await medianLatency((i) => mini.search(corpus.queries[i]).slice(0, K))] as const;
    })();

    log(`${size} scenes: Orama…`);
    const [buildOrama, orama, overlap] = await (async () => {
      // Orama gets the same tokenizer, so both engines score the same terms.
      const t0 = now();
      const db = create({
        schema: { id: 'string', text: 'string', title: 'string', embedding: `vector[${DIM}]` } as const,
        components: { tokenizer: { language: 'english', normalizationCache: new Map(), tokenize: (raw: string) => tokenize(raw) } },
      });
      await insertMultiple(
        db,
        corpus.scenes.map((scene, i) => ({ ...scene, embedding: Array.from(corpus.vectors[i]) })),
        1000,
      );
      const built = now() - t0;
      // similarity 0: Orama's default (0.8) would drop nearly every real sentence-embedding match.
      const oramaOf = (i: number) =>
        oramaSearch(db, {
          mode: 'hybrid',
          term: corpus.queries[i],
          vector: { value: Array.from(corpus.queryVectors[i]), property: 'embedding' },
          similarity: 0,
          limit: K,
          properties: ['text', 'title'],
        });
      const latency = await medianLatency(oramaOf);
      let shared = 0;
      for (let i = 0; i < ourTop.length; i++) {
        const theirs = (await oramaOf(i)).hits.map((h) => h.document.id as string);
        shared += theirs.filter((id) => ourTop[i].has(id)).length / K;
      }
      return [built, latency, shared / ourTop.length] as const;
    })();

    rows.push({
      scenes: size,
      bm25: ours.bm25.ms,
      miniSearch: miniSearch.ms,
      cosine: ours.cosine.ms,
      cosineJs: ours.cosineJs.ms,
      hybrid: ours.hybrid.ms,
      oramaHybrid: orama.ms,
      buildKeyword: ours.buildKeyword,
      loadKeyword: ours.loadKeyword,
      keywordJsonMB: ours.keywordJsonMB,
      buildMiniSearch,
      buildVectors: ours.buildVectors,
      buildOrama,
      samples: Math.min(ours.bm25.samples, miniSearch.samples, ours.cosine.samples, ours.hybrid.samples, orama.samples),
      overlapWithOrama: overlap,
      firstSearchIndexing: first.indexing,
      firstSearchSaved: first.saved,
    });
  }
  return rows;
}

// ---------------------------------------------------------------- report

function hybridTarget(scenes: number): number | null {
  if (scenes <= 1700) return 2;
  if (scenes <= 50000) return 20;
  return null;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;

export function formatTables(where: string, rows: BenchRow[]): string {
  const latency = markdownTable(
    ['scenes', 'BM25', 'MiniSearch BM25', 'cosine', 'cosine (JS)', 'hybrid', 'Orama hybrid', 'Orama ÷ ours', 'target (hybrid)', 'verdict', 'top-5 overlap', 'samples'],
    rows.map((r) => {
      const target = hybridTarget(r.scenes);
      const ratio = r.oramaHybrid / r.hybrid;
      const meets = (target === null || r.hybrid < target) && ratio > 1;
      return [
        String(r.scenes), ms(r.bm25), ms(r.miniSearch), ms(r.cosine), ms(r.cosineJs), ms(r.hybrid), ms(r.oramaHybrid),
        `${ratio.toFixed(1)}×`, `${target === null ? '' : `< ${target} ms and `}faster than Orama`, meets ? 'meets' : 'MISSES',
        `${Math.round(r.overlapWithOrama * 100)}%`, `≥ ${r.samples}`,
      ];
    }),
  );
  const build = markdownTable(
    ['scenes', 'BM25 build', 'BM25 load (JSON)', 'BM25 JSON', 'MiniSearch build', 'vectors fill', 'Orama insert', 'first search: indexing', 'first search: saved index'],
    rows.map((r) => [
      String(r.scenes), ms(r.buildKeyword), ms(r.loadKeyword), `${r.keywordJsonMB.toFixed(1)} MB`, ms(r.buildMiniSearch), ms(r.buildVectors), ms(r.buildOrama),
      ms(r.firstSearchIndexing), ms(r.firstSearchSaved),
    ]),
  );
  return [
    `Retrieval, ${where}`,
    `Median latency per query: top-${K}, ${DIM}-d vectors, ${QUERY_COUNT} queries cycled; hybrid = BM25 + cosine fused by RRF over the top 50 of each.`,
    latency,
    '',
    'Index build (one pass over all scenes) and cached-index load; a session\'s first search in the app (CharacterRetrieval) indexing the corpus, and loading the index saved by the session before:',
    build,
  ].join('\n');
}

// ---------------------------------------------------------------- entry points

declare global {
  // Set when this module is loaded in the benchmark page.
  var __retrievalBench: typeof runRetrievalBench | undefined;
}

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';
if (inBrowser) globalThis.__retrievalBench = runRetrievalBench;

async function runInChromium(sizes: number[]): Promise<{ rows: BenchRow[]; browser: string; isolated: boolean }> {
  const [{ build }, { fileURLToPath }] = await Promise.all([import('vite'), import('node:url')]);
  const entry = fileURLToPath(import.meta.url);
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      lib: { entry, formats: ['es'], fileName: 'retrieval-bench' },
      rollupOptions: { external: [/^node:/, 'vite', '@playwright/test'] },
    },
  });
  const outputs = Array.isArray(output) ? output : [output];
  const chunk = outputs
    .flatMap((o) => ('output' in o ? o.output : []))
    .find((file) => file.type === 'chunk' && file.isEntry);
  if (!chunk || chunk.type !== 'chunk') throw new Error('Vite produced no entry chunk for the benchmark');
  const code = chunk.code;

  const browser = await launchChromium('bundled');
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.log(`  [chromium] ${message.text()}`));
    const origin = 'http://bench.localhost';
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    await page.route(`${origin}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/bench.js') return route.fulfill({ status: 200, headers, contentType: 'text/javascript', body: code });
      return route.fulfill({
        status: 200,
        headers,
        contentType: 'text/html',
        body: '<!doctype html><meta charset="utf-8"><title>retrieval bench</title><script type="module" src="/bench.js"></script>',
      });
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof globalThis.__retrievalBench === 'function');
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
    const rows = await page.evaluate((s) => globalThis.__retrievalBench!(s, (line) => console.log(line)), sizes);
    return { rows, browser: `Chromium ${browser.version()}`, isolated };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizesArg = args.find((a) => a.startsWith('--sizes='));
  const sizes = sizesArg ? sizesArg.slice('--sizes='.length).split(',').map(Number).filter((n) => n > 0) : DEFAULT_SIZES;
  const only = args.includes('--node') ? 'node' : args.includes('--chromium') ? 'chromium' : null;
  const os = await import('node:os');
  const machine = `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'CPU'}`;
  if (only !== 'node') {
    console.log('Running in headless Chromium…');
    const { rows, browser, isolated } = await runInChromium(sizes);
    console.log(`\n${formatTables(`${browser} (headless, ${isolated ? 'cross-origin isolated' : 'NOT isolated: 100 µs timer'}) on ${machine}`, rows)}\n`);
  }
  if (only !== 'chromium') {
    console.log('Running in Node…');
    const rows = await runRetrievalBench(sizes, (line) => console.log(`  [node] ${line}`));
    console.log(`\n${formatTables(`Node ${process.version} on ${machine}`, rows)}\n`);
  }
}

// Run when started as a script (tsx), not when imported or loaded in the benchmark page.
const isMain = !inBrowser && typeof process !== 'undefined' && /retrieval\.bench\.[cm]?[jt]s$/.test(process.argv[1] ?? '');
if (isMain) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
