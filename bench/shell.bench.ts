// `npx tsx bench/shell.bench.ts`: the app shell's transfer size (JavaScript and CSS loaded for the
// first screen, gzip, engines excluded) and the time to the first interactive screen when the
// service worker serves the app, in headless Chromium. Prints a table; targets are reported, never asserted.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page, Request } from '@playwright/test';
import { startStaticHost } from '../test/e2e/static-host';
import { launchChromium, median, rowsTable, type Row } from './common';

const RUNS = 9;
const SHELL_TARGET_KB = 250;
const TTI_TARGET_MS = 1000;
/** Chunks that load on demand when a model is loaded: not part of the shell. */
const ENGINE_CHUNK = /(webllm|wllama|web-llm|transformers|onnx|ort[.-]|embedding|lib-|\.worker-)/;
/** The built-in characters' data (lazy chunks read at start to install or update them). */
const CHARACTER_DATA = /\/(character|avatar)-[^/]+\.js$/;

/**
 * Records, from navigation start, when the first character card enters the page. A string, not a
 * function: tsx would wrap a function's inner helpers in `__name()`, which the page does not have.
 */
const WATCH_FIRST_CARD = `
  new MutationObserver((_, observer) => {
    if (document.querySelector('a.card[href^="#/character/"]')) {
      window.__firstCard = performance.now();
      observer.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });
`;

async function firstCardTime(page: Page): Promise<number> {
  await page.locator('a.card').first().waitFor();
  return page.evaluate(() => (window as unknown as { __firstCard: number }).__firstCard);
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'hearth-shell-bench-'));
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--emptyOutDir'], {
    stdio: 'inherit',
    env: { ...process.env, HEARTH_OUT_DIR: folder },
  });
  // Served like `npm start` (isolation headers), from a sub-path like many static hosts.
  const host = await startStaticHost({ folder, base: '/app/', isolationHeaders: true });
  const browser = await launchChromium();
  const rows: Row[] = [];
  try {
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    await context.addInitScript(WATCH_FIRST_CARD);
    const page = await context.newPage();
    const loaded: string[] = [];
    // The page's own requests only: the service worker's precaching runs beside them.
    const onRequest = (request: Request) => {
      if (!request.serviceWorker()) loaded.push(request.url());
    };
    context.on('request', onRequest);
    await page.goto(`${host.url}#/`);
    const coldMs = await firstCardTime(page);
    context.off('request', onRequest);

    // Files as the first screen requested them, gzip-compressed as a static host would send them.
    const files = [...new Set(loaded)]
      .map((url) => new URL(url).pathname.slice('/app/'.length))
      .filter((path) => /\.(js|css)$/.test(path) && !path.startsWith('service-worker'));
    const engines = files.filter((path) => ENGINE_CHUNK.test(path));
    const shell = files.filter((path) => !ENGINE_CHUNK.test(path));
    const gz = (path: string) => gzipSync(readFileSync(join(folder, path))).length;
    const shellBytes = shell.reduce((sum, path) => sum + gz(path), 0);
    const characterBytes = shell.filter((path) => CHARACTER_DATA.test(`/${path}`)).reduce((sum, path) => sum + gz(path), 0);

    // From the service worker's cache: wait for it to control the page, then time reloads.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((done) => navigator.serviceWorker.addEventListener('controllerchange', done, { once: true }));
      }
    });
    const times: number[] = [];
    let fromWorker = true;
    for (let run = -1; run < RUNS; run++) {
      await page.reload();
      const ms = await firstCardTime(page);
      fromWorker &&= await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).workerStart > 0);
      if (run >= 0) times.push(ms); // run -1 warms the worker and the HTTP cache
    }
    const ttiMs = median(times);

    rows.push(
      { figure: `app shell, JS + CSS for the first screen (KB gzip, ${shell.length} files)`, value: kb(shellBytes), target: `< ${SHELL_TARGET_KB}`, verdict: shellBytes / 1024 < SHELL_TARGET_KB ? 'ok' : 'MISSED' },
      { figure: '  of which built-in characters’ data (KB gzip)', value: kb(characterBytes), target: '', verdict: '' },
      { figure: `engine chunks loaded for the first screen (files)`, value: String(engines.length), target: '0', verdict: engines.length === 0 ? 'ok' : 'MISSED' },
      { figure: 'first visit, network: first character card (ms)', value: coldMs.toFixed(0), target: '', verdict: '' },
      {
        figure: `from the service worker: first character card (ms, median of ${RUNS})`,
        value: ttiMs.toFixed(0),
        target: `< ${TTI_TARGET_MS}`,
        verdict: !fromWorker ? 'NOT FROM SW' : ttiMs < TTI_TARGET_MS ? 'ok' : 'MISSED',
      },
    );
    console.log(`shell files: ${shell.join(', ')}`);
    console.log(`engine chunks loaded for the first screen: ${engines.join(', ') || 'none'}`);
    console.log(`reloads from the service worker (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
  } finally {
    await browser.close();
    await host.close();
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(rowsTable(rows));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
