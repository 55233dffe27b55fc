// `npm run bench`: builds the benchmark page, serves it with the app's headers, and measures the
// app in headless Chromium; then runs the core benchmarks (prompt building, retrieval). Prints
// tables; targets are reported, never asserted. `--app-only`: the in-app figures alone (streaming
// rate, opening a long chat), without the benchmarks of core code.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { launchChromium, median, rowsTable, type Row } from './common';
import type { BenchHooks } from './page';

const PORT = 4174;
const ORIGIN = `http://localhost:${PORT}`;
const RUNS = 5;
const SUB_BENCHMARKS = [
  'bench/prompt.bench.ts', 'bench/retrieval.bench.ts', 'bench/retrieval-quality.bench.ts', 'bench/import.bench.ts', 'bench/shell.bench.ts',
  'bench/chat-prompt.bench.ts', 'bench/prompt-fidelity.bench.ts', 'bench/import-ui.bench.ts', 'bench/markup.bench.ts', 'bench/text-speed.bench.ts',
  'bench/server.bench.ts',
  'bench/chat-search.bench.ts',
  'bench/first-visit.bench.ts',
  'bench/memory.bench.ts',
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

async function streamingRate(page: Page): Promise<{ ui: number; raw: number; tokens: number }> {
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
  const ui: number[] = [];
  const raw: number[] = [];
  let tokens = 0;
  // Runs below 0 warm the engine up (the first replies after a load are slower) and are not counted.
  for (let run = -2; run < RUNS; run++) {
    await call(page, 'watchStreaming');
    await page.getByRole('textbox', { name: 'Message' }).fill(`Tell me about the lighthouse, part ${run}.`);
    await page.getByRole('button', { name: 'Send' }).click();
    const live = page.locator('article[data-status="streaming"]');
    await live.waitFor({ timeout: 30_000 });
    await live.waitFor({ state: 'detached', timeout: 120_000 });
    const span = await call(page, 'streamingSpan');
    const conversationId = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
    const reply = await call(page, 'lastReply', conversationId);
    if (run < 0) continue;
    tokens = reply.completionTokens;
    ui.push(((reply.completionTokens - 1) / span) * 1000);
    console.log(`run ${run}: UI ${ui.at(-1)!.toFixed(0)} tok/s, engine-reported ${reply.engineRate?.toFixed(0)} tok/s, span ${span.toFixed(0)} ms`);
    const alone = await call(page, 'rawWllama', `${ORIGIN}/tiny.gguf`, reply.prompt, sampling);
    raw.push(((alone.tokens - 1) / alone.spanMs) * 1000);
    console.log(`run ${run}: wllama alone ${raw.at(-1)!.toFixed(0)} tok/s`);
  }
  return { ui: median(ui), raw: median(raw), tokens };
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
    const page = await browser.newPage();
    const rate = await streamingRate(page);
    const ratio = rate.ui / rate.raw;
    rows.push(
      { figure: `wllama alone, tiny GGUF (tokens/s, median of ${RUNS}, ${rate.tokens} tokens)`, value: rate.raw.toFixed(1), target: '', verdict: '' },
      { figure: 'seen by the UI (tokens/s)', value: rate.ui.toFixed(1), target: '', verdict: '' },
      { figure: 'UI / wllama alone', value: ratio.toFixed(3), target: '≥ 0.95', verdict: ratio >= 0.95 ? 'ok' : 'MISSED' },
    );
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
