// `npx tsx bench/import-ui.bench.ts`: importing through the real gallery in headless Chromium (real
// IndexedDB, the import worker, the progress bar): the largest ChatHaruhi fixture pack and a generated
// ChatHaruhi zip of 20,000 stories. Per case: time from picking the file to "Imported", the main
// thread's longest task and its tasks over 50 ms, whether the progress bar showed, and the page's
// peak JS heap. Each run uses a fresh browser context (a fresh IndexedDB). Prints a table; targets
// are reported, never asserted.
//
// IMPORT_UI_BENCH_BUILT=<folder> reuses an app already built there (skips the vite build).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { startStaticHost } from '../test/e2e/static-host';
import { mulberry32 } from '../test/fixtures/random';
import { FIXTURES, PACKS, haveFixtures, readPackFolder, type PackName } from '../test/unit/core/packs/helpers';
import { launchChromium, markdownTable, median } from './common';

const RUNS = 3;
const STORIES = 20_000;
const TIME_TARGET_S = 10;
const LONG_TASK_TARGET_MS = 200;
const IMPORT_TIMEOUT_MS = 180_000;

/**
 * Installed in every page before the app runs. A string, not a function: tsx would wrap a
 * function's inner helpers in `__name()`, which the page does not have. Records, once armed: long
 * main-thread tasks, when a progress bar first appeared and how many distinct values it showed, when
 * the file input's change event fired, and when the first per-file result appeared.
 */
const WATCH_IMPORT = `
  (() => {
    const b = { armed: false, longtasks: [], changeAt: null, progressAt: null, progressValues: new Set(), doneAt: null, status: null, text: null };
    window.__importBench = b;
    new PerformanceObserver((list) => {
      if (!b.armed) return;
      for (const e of list.getEntries()) b.longtasks.push(e.duration);
    }).observe({ type: 'longtask' });
    document.addEventListener('change', (event) => {
      if (b.armed && b.changeAt === null && event.target && event.target.type === 'file') b.changeAt = Date.now();
    }, true);
    new MutationObserver(() => {
      if (!b.armed) return;
      const bar = document.querySelector('progress, [role="progressbar"]');
      if (bar) {
        if (b.progressAt === null) b.progressAt = Date.now();
        b.progressValues.add(bar.getAttribute('value') ?? bar.getAttribute('aria-valuenow') ?? 'indeterminate');
      }
      if (b.doneAt === null) {
        const li = document.querySelector('section[aria-label="Import results"] li[data-status]');
        if (li) {
          b.doneAt = Date.now();
          b.status = li.getAttribute('data-status');
          b.text = li.textContent.replace(/\\s+/g, ' ').trim();
        }
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'aria-valuenow'] });
  })();
`;

interface Watch {
  longtasks: number[];
  changeAt: number | null;
  progressAt: number | null;
  progressValues: number;
  doneAt: number | null;
  status: string | null;
  text: string | null;
}

interface RunResult {
  /** From setInputFiles to the per-file result. */
  seconds: number;
  /** From the input's change event (the app has the file) to the per-file result. */
  fromChangeSeconds: number;
  longestTaskMs: number;
  tasksOver50: number;
  progressSeen: boolean;
  progressValues: number;
  peakHeapMiB: number;
  startHeapMiB: number;
  status: string;
  text: string;
}

interface Case {
  label: string;
  file: string;
  bytes: number;
  timeTarget: boolean;
}

/** The fixture pack with the most story files, zipped as a person would zip the folder. */
function largestFixture(folder: string): Case | null {
  if (!haveFixtures) return null;
  const stories = (pack: PackName) => readdirSync(join(FIXTURES, pack, 'texts')).length;
  const pack = [...PACKS].sort((a, b) => stories(b) - stories(a))[0];
  const zip = zipSync(Object.fromEntries(readPackFolder(pack).map((f) => [f.path, f.bytes])));
  const file = join(folder, `${pack}.zip`);
  writeFileSync(file, zip);
  return { label: `ChatHaruhi fixture "${pack}" (zip, ${stories(pack)} stories)`, file, bytes: zip.length, timeTarget: false };
}

const SPEAKERS = ['Mira', 'Jun', '旁白', 'Captain Hale', '小满'];
const WORDS = 'the lantern rain harbour letter tea 茶 雨 灯 bridge clock river night morning map key door window'.split(' ');

/** A ChatHaruhi pack of `count` short generated stories (the same shape as import.bench.ts's). */
function generatedZip(folder: string, count: number): Case {
  const random = mulberry32(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const enc = new TextEncoder();
  const files: Record<string, Uint8Array> = { 'mira/system_prompt.txt': enc.encode('You are Mira, keeper of the harbour tea house.') };
  for (let i = 0; i < count; i++) {
    const lines = Array.from({ length: 4 + Math.floor(random() * 8) }, () => {
      const words = Array.from({ length: 6 + Math.floor(random() * 14) }, () => pick(WORDS));
      return `${pick(SPEAKERS)}:「${words.join(' ')} (${i})」`;
    });
    files[`mira/texts/story-${i}.txt`] = enc.encode(lines.join('\n'));
  }
  const zip = zipSync(files, { level: 6 });
  const file = join(folder, 'mira.zip');
  writeFileSync(file, zip);
  return { label: `generated ChatHaruhi zip, ${count.toLocaleString('en')} stories, no embeddings`, file, bytes: zip.length, timeTarget: true };
}

async function importOnce(browser: Browser, url: string, file: string): Promise<RunResult> {
  const context = await browser.newContext({ serviceWorkers: 'block', locale: 'en-US' });
  try {
    await context.addInitScript(WATCH_IMPORT);
    const page: Page = await context.newPage();
    await page.goto(`${url}#/`);
    const input = page.getByLabel('Import character cards, packs or lorebooks');
    await input.waitFor({ state: 'attached' });
    // Let the first screen settle (built-in characters installed) so its own work is not counted.
    await page.waitForLoadState('networkidle');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20;
    };
    const startHeapMiB = await heap();
    let peakHeapMiB = startHeapMiB;
    let finished = false;
    // Sampled from outside the page: a busy main thread delays the answer but never skips a sample.
    const sampling = (async () => {
      while (!finished) {
        peakHeapMiB = Math.max(peakHeapMiB, await heap().catch(() => 0));
        await new Promise((done) => setTimeout(done, 50));
      }
    })();

    await page.evaluate(() => {
      (window as unknown as { __importBench: { armed: boolean } }).__importBench.armed = true;
    });
    const t0 = Date.now();
    await input.setInputFiles(file);
    await page.waitForFunction(() => (window as unknown as { __importBench: Watch }).__importBench.doneAt !== null, null, {
      timeout: IMPORT_TIMEOUT_MS,
      polling: 100,
    });
    finished = true;
    await sampling;
    const watch = await page.evaluate(() => {
      const b = (window as unknown as { __importBench: Omit<Watch, 'progressValues'> & { progressValues: Set<string> } }).__importBench;
      return { ...b, progressValues: b.progressValues.size };
    });
    if (watch.status !== 'imported' && watch.status !== 'warnings') throw new Error(`The import did not succeed: ${watch.text}`);
    return {
      seconds: (watch.doneAt! - t0) / 1000,
      fromChangeSeconds: (watch.doneAt! - (watch.changeAt ?? t0)) / 1000,
      longestTaskMs: Math.max(0, ...watch.longtasks),
      tasksOver50: watch.longtasks.length,
      progressSeen: watch.progressAt !== null,
      progressValues: watch.progressValues,
      peakHeapMiB,
      startHeapMiB,
      status: watch.status!,
      text: watch.text ?? '',
    };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'hearth-import-ui-bench-'));
  const built = process.env.IMPORT_UI_BENCH_BUILT;
  const folder = built ?? join(work, 'dist');
  if (!built) {
    execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--emptyOutDir'], {
      stdio: 'inherit',
      env: { ...process.env, HEARTH_OUT_DIR: folder },
    });
  }
  // Served like `npm start` (isolation headers), from a sub-path like many static hosts.
  const host = await startStaticHost({ folder, base: '/app/', isolationHeaders: true });
  const browser = await launchChromium();
  const table: string[][] = [];
  try {
    const fixture = largestFixture(work);
    if (!fixture) console.log(`No ChatHaruhi fixtures at ${FIXTURES}: the fixture case is left out.`);
    const cases = [...(fixture ? [fixture] : []), generatedZip(work, STORIES)];
    for (const c of cases) {
      const runs: RunResult[] = [];
      for (let run = 0; run < RUNS; run++) {
        const r = await importOnce(browser, host.url, c.file);
        runs.push(r);
        console.log(
          `${c.label}, run ${run + 1}: ${r.seconds.toFixed(2)} s (${r.fromChangeSeconds.toFixed(2)} s from the change event), ` +
            `longest task ${r.longestTaskMs.toFixed(0)} ms, ${r.tasksOver50} tasks > 50 ms, progress bar ${r.progressSeen ? `seen (${r.progressValues} values)` : 'not seen'}, ` +
            `JS heap ${r.startHeapMiB.toFixed(0)} → peak ${r.peakHeapMiB.toFixed(0)} MiB; "${r.text.slice(0, 80)}"`,
        );
      }
      const seconds = median(runs.map((r) => r.seconds));
      const longest = median(runs.map((r) => r.longestTaskMs));
      const seen = runs.filter((r) => r.progressSeen).length;
      const timeOk = !c.timeTarget || seconds < TIME_TARGET_S;
      const responsive = longest < LONG_TASK_TARGET_MS;
      table.push([
        c.label,
        (c.bytes / 2 ** 20).toFixed(1),
        seconds.toFixed(2),
        longest.toFixed(0),
        String(median(runs.map((r) => r.tasksOver50))),
        `${seen} of ${runs.length}`,
        median(runs.map((r) => r.peakHeapMiB)).toFixed(0),
        `${c.timeTarget ? `< ${TIME_TARGET_S} s, ` : ''}task < ${LONG_TASK_TARGET_MS} ms`,
        [timeOk ? (c.timeTarget ? 'time ok' : '') : 'time MISSED', responsive ? 'responsive' : 'NOT responsive'].filter(Boolean).join(', '),
      ]);
    }
  } finally {
    await browser.close();
    await host.close();
    rmSync(work, { recursive: true, force: true });
  }
  const head = [
    `import through the gallery, Chromium (median of ${RUNS})`,
    'zip MiB',
    'pick → "Imported" s',
    'longest task ms',
    'tasks > 50 ms',
    'progress bar',
    'peak JS heap MiB',
    'target',
    'verdict',
  ];
  console.log(markdownTable(head, table));
  console.log('JS heap is the page\'s main thread (CDP JSHeapUsedSize, sampled every 50 ms); the import worker\'s heap is separate and not counted.');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
