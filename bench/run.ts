// `npm run bench`: builds the benchmark page, serves it with the app's headers, and measures the
// app in headless Chromium; then runs the core benchmarks (prompt building, retrieval). Prints
// tables; targets are reported, never asserted. `--app-only`: the in-app figures alone (streaming
// rate, opening a long chat), without the benchmarks of core code.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import type { GenerateOptions } from '../src/core/engine';
import type { ChatTurn } from '../src/core/types';
import { launchChromium, median, rowsTable, type Row } from './common';
import type { BenchHooks } from './page';
import { streamCpu, TRACE_CATEGORIES, type StreamCpu } from './cpu-trace';

// BENCH_PORT: another port, for a second checkout benchmarking on the same machine.
const PORT = Number(process.env.BENCH_PORT ?? 4174);
const ORIGIN = `http://localhost:${PORT}`;
/** Pairs of streamed replies (app, wllama alone); BENCH_STREAM_PAIRS for more on a noisy machine. */
const STREAM_PAIRS = Number(process.env.BENCH_STREAM_PAIRS ?? 9);
const SUB_BENCHMARKS = [
  'bench/prompt.bench.ts', 'bench/retrieval.bench.ts', 'bench/retrieval-quality.bench.ts', 'bench/import.bench.ts', 'bench/shell.bench.ts',
  'bench/chat-prompt.bench.ts', 'bench/prompt-fidelity.bench.ts', 'bench/import-ui.bench.ts', 'bench/markup.bench.ts', 'bench/text-speed.bench.ts',
  'bench/server.bench.ts',
  'bench/chat-search.bench.ts',
  'bench/first-visit.bench.ts',
  'bench/memory.bench.ts',
  'bench/group-chat.bench.ts',
  'bench/dialogue-gen.bench.ts',
  'bench/evaluation.bench.ts',
];

async function serve(): Promise<ChildProcess> {
  // Vite itself, not through npx, so that kill() stops the server rather than only its wrapper.
  const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--mode', 'bench', '--outDir', 'dist-bench', '--port', String(PORT), '--strictPort'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${ORIGIN}/bench/index.html`)).ok) return server;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  server.kill();
  throw new Error('The preview server did not start');
}

type Hooks = BenchHooks;
const call = <K extends keyof Hooks>(page: Page, name: K, ...args: Parameters<Hooks[K]>) =>
  page.evaluate(([n, a]) => (window as unknown as { __bench: Record<string, (...x: unknown[]) => unknown> }).__bench[n as string](...(a as unknown[])), [name, args] as const) as Promise<Awaited<ReturnType<Hooks[K]>>>;

async function openBenchPage(page: Page, hash = '#/'): Promise<void> {
  await page.goto(`${ORIGIN}/bench/index.html${hash}`);
  await page.locator('h1').first().waitFor();
}

/** One page's figures for one streamed reply: its rate, and its CPU time per token by thread. */
interface StreamRun {
  rate: number;
  tokens: number;
  cpu: StreamCpu;
}

interface StreamingFigures {
  app: StreamRun[];
  alone: StreamRun[];
}

/**
 * The app's streaming rate against wllama alone in the same page, in pairs: each pair streams the
 * same prompt with the same request, the order alternating from pair to pair so that neither side
 * always runs second. Every run is traced for its CPU time per thread (bench/cpu-trace.ts).
 */
async function streamingRate(browser: Browser, page: Page): Promise<StreamingFigures> {
  // Greedy, with every other sampler off: the figure measures decoding, not sampling.
  const sampling = { temperature: 0, topP: 1, topK: 0, minP: 0, maxTokens: 1000, repetitionPenalty: 1, presencePenalty: 0, frequencyPenalty: 0, stop: [], seed: 42 };
  await openBenchPage(page);
  await call(page, 'configure', sampling);
  await page.reload();
  await page.goto(`${ORIGIN}/bench/index.html#/models`);
  await page.getByLabel('Load GGUF model').setInputFiles('test/fixtures/out/tiny.gguf');
  await page.getByText(/Loaded: /).waitFor({ timeout: 60_000 });
  await page.goto(`${ORIGIN}/bench/index.html#/character/builtin%3Ahester-coyle`);
  await page.getByRole('button', { name: 'New chat' }).click();

  const traced = async <T>(work: () => Promise<T>): Promise<{ result: T; cpu: StreamCpu }> => {
    // A moment for the page to go quiet after the last run (a saved reply's follow-up work).
    await page.waitForTimeout(500);
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    const result = await work();
    return { result, cpu: streamCpu(await browser.stopTracing()) };
  };
  const appRun = async (run: number) => {
    const { result: { span, reply }, cpu } = await traced(async () => {
      await call(page, 'watchStreaming');
      await page.getByRole('textbox', { name: 'Message' }).fill(`Tell me about the lighthouse, part ${run}.`);
      await page.getByRole('button', { name: 'Send' }).click();
      const live = page.locator('article[data-status="streaming"]');
      await live.waitFor({ timeout: 30_000 });
      await live.waitFor({ state: 'detached', timeout: 120_000 });
      const span = await call(page, 'streamingSpan');
      const conversationId = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
      return { span, reply: await call(page, 'lastReply', conversationId) };
    });
    return { run: { rate: ((reply.completionTokens - 1) / span) * 1000, tokens: reply.completionTokens, cpu }, reply };
  };
  const aloneRun = async (reply: { prompt: ChatTurn[]; sampling: GenerateOptions }) => {
    const { result, cpu } = await traced(() => call(page, 'rawWllama', `${ORIGIN}/tiny.gguf`, reply.prompt, reply.sampling));
    return { rate: ((result.tokens - 1) / result.spanMs) * 1000, tokens: result.tokens, cpu };
  };

  const figures: StreamingFigures = { app: [], alone: [] };
  // Two replies first: the first replies after a load are slower, and they give the first prompt.
  let { reply } = await appRun(-2);
  ({ reply } = await appRun(-1));
  for (let pair = 0; pair < STREAM_PAIRS; pair++) {
    let app: StreamRun;
    let alone: StreamRun;
    if (pair % 2 === 0) {
      ({ run: app, reply } = await appRun(pair));
      alone = await aloneRun(reply);
    } else {
      // wllama alone first, with the prompt of the reply that comes next (the same chat, one turn shorter).
      alone = await aloneRun(reply);
      ({ run: app, reply } = await appRun(pair));
    }
    figures.app.push(app);
    figures.alone.push(alone);
    const line = (name: string, r: StreamRun) =>
      `${name} ${r.rate.toFixed(0)} tok/s, CPU ms/token: main ${(r.cpu.mainMs / r.tokens).toFixed(3)}, others ${(r.cpu.otherMs / r.tokens).toFixed(3)}, decoding ${(r.cpu.engineMs / r.tokens).toFixed(3)} (waited ${waitedShare(r.cpu)}), ${r.cpu.mainTasks} main-thread tasks, ${framesPerSecond(r).toFixed(1)} frames/s`;
    console.log(`pair ${pair}: ${line('app', app)}; ${line('alone', alone)}; ratio ${(app.rate / alone.rate).toFixed(3)}`);
  }
  return figures;
}

function framesPerSecond(run: StreamRun): number {
  return (run.cpu.frames / run.cpu.windowMs) * 1000;
}

/** How much longer the decoding thread's tasks took than its CPU time: the share of time it waited for a core. */
function waitedShare(cpu: StreamCpu): string {
  return `${Math.max(0, (cpu.engineWallMs / cpu.engineMs - 1) * 100).toFixed(0)}%`;
}

function streamingRows(figures: StreamingFigures): Row[] {
  const { app, alone } = figures;
  const ratios = app.map((run, i) => run.rate / alone[i].rate);
  const ratio = median(ratios);
  const sorted = [...ratios].sort((a, b) => a - b);
  const perToken = (runs: StreamRun[], part: (cpu: StreamCpu) => number) => median(runs.map((r) => part(r.cpu) / r.tokens)).toFixed(3);
  const both = (part: (cpu: StreamCpu) => number) => `${perToken(app, part)} / ${perToken(alone, part)}`;
  const waited = (runs: StreamRun[]) => median(runs.map((r) => Math.max(0, r.cpu.engineWallMs / r.cpu.engineMs - 1))) * 100;
  return [
    { figure: `wllama alone, tiny GGUF (tokens/s, median of ${alone.length}, ${alone[0].tokens} tokens)`, value: median(alone.map((r) => r.rate)).toFixed(1), target: '', verdict: '' },
    { figure: 'seen by the UI (tokens/s)', value: median(app.map((r) => r.rate)).toFixed(1), target: '', verdict: '' },
    { figure: `UI / wllama alone (median of ${ratios.length} paired runs)`, value: ratio.toFixed(3), target: '≥ 0.95', verdict: ratio >= 0.95 ? 'ok' : 'MISSED' },
    { figure: 'spread of the paired ratios: lowest, quartiles, highest', value: [sorted[0], sorted[Math.floor(sorted.length / 4)], sorted[Math.floor((sorted.length * 3) / 4)], sorted.at(-1)!].map((r) => r.toFixed(2)).join(' '), target: '', verdict: '' },
    { figure: 'main-thread CPU per token (ms, app / alone)', value: both((c) => c.mainMs), target: '', verdict: '' },
    { figure: 'CPU per token of every thread but decoding (ms, app / alone)', value: both((c) => c.mainMs + c.otherMs), target: '', verdict: '' },
    { figure: 'main-thread tasks per token (app / alone)', value: `${median(app.map((r) => r.cpu.mainTasks / r.tokens)).toFixed(2)} / ${median(alone.map((r) => r.cpu.mainTasks / r.tokens)).toFixed(2)}`, target: '', verdict: '' },
    { figure: 'rendering passes per second of streaming (app / alone)', value: `${median(app.map(framesPerSecond)).toFixed(1)} / ${median(alone.map(framesPerSecond)).toFixed(1)}`, target: '', verdict: '' },
    { figure: 'decoding thread CPU per token (ms, app / alone)', value: both((c) => c.engineMs), target: '', verdict: '' },
    { figure: 'decoding thread waiting for a core (% of its CPU time, app / alone): the machine\'s noise', value: `${waited(app).toFixed(0)}% / ${waited(alone).toFixed(0)}%`, target: '', verdict: '' },
  ];
}

/**
 * Main-thread CPU per drawn update of a streaming paragraph growing to about 5,000 characters (a
 * 1,000-token reply without a paragraph break, as the tiny model writes): the layout the page
 * does beside the model, 20 times a second. Thread CPU time from a trace, median of 7.
 */
async function openParagraphLayout(browser: Browser, page: Page): Promise<number> {
  await openBenchPage(page, '#/character/builtin%3Ahester-coyle');
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.locator('article.message .markup').first().waitFor();
  const updates = 250;
  const perUpdate: number[] = [];
  for (let run = 0; run < 7; run++) {
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    await call(page, 'growOpenParagraph', ' Hello! storR is 我8/', updates);
    perUpdate.push(streamCpu(await browser.stopTracing()).mainMs / updates);
  }
  return median(perUpdate);
}

async function openLongChat(page: Page, count: number): Promise<number> {
  await openBenchPage(page);
  const seeded = await call(page, 'seedConversation', 'builtin:hester-coyle', count);
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    await openBenchPage(page);
    await page.getByRole('heading', { name: 'Characters' }).waitFor();
    times.push(await call(page, 'timeOpen', seeded.id, seeded.lastText));
  }
  return median(times);
}

async function main(): Promise<void> {
  execFileSync('npx', ['tsx', 'test/fixtures/make-tiny-gguf.ts'], { stdio: 'inherit' });
  execFileSync('npx', ['vite', 'build', '--mode', 'bench', '--logLevel', 'warn'], { stdio: 'inherit' });
  copyFileSync('test/fixtures/out/tiny.gguf', 'dist-bench/tiny.gguf');
  const server = await serve();
  const browser = await launchChromium();
  const rows: Row[] = [];
  try {
    rows.push(...streamingRows(await streamingRate(browser, await browser.newPage())));
    const layoutMs = await openParagraphLayout(browser, await browser.newPage());
    rows.push({ figure: 'main-thread CPU per update of a streaming paragraph growing to 5,000 characters (ms, median of 7)', value: layoutMs.toFixed(2), target: '', verdict: '' });
    const openMs = await openLongChat(await browser.newPage(), 5000);
    rows.push({ figure: 'open a conversation of 5,000 messages (ms, median of 5)', value: openMs.toFixed(0), target: '< 300', verdict: openMs < 300 ? 'ok' : 'MISSED' });
  } finally {
    await browser.close();
    server.kill();
  }
  console.log(rowsTable(rows, 'benchmark'));

  // Benchmarks of pure core code run on their own and print their own tables (not with --app-only).
  if (process.argv.includes('--app-only')) return;
  for (const script of SUB_BENCHMARKS) {
    if (!existsSync(script)) continue;
    console.log(`\n== ${script}`);
    execFileSync('npx', ['tsx', script], { stdio: 'inherit' });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
