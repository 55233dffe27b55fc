// `npx tsx bench/first-visit.bench.ts`: what a first visit transfers. The built app is served by a
// static host that counts every file it sends (the page's requests and the service worker's
// precaching alike); headless Chromium opens it with an empty profile. Reports the bytes sent until
// the first character card is on screen and until the service worker has installed, as sent
// (this host does not compress) and as gzip would send them. Targets are reported, never asserted.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startStaticHost } from '../test/e2e/static-host';
import { isEngineFile } from '../src/workers/engine-files';
import { launchChromium, rowsTable, type Row } from './common';

const FIRST_CARD_TARGET_BYTES = 1024 * 1024;
/** The service worker has installed when nothing more was sent for this long after it took control. */
const QUIET_MS = 1500;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'hearth-first-visit-'));
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--emptyOutDir'], {
    stdio: 'inherit',
    env: { ...process.env, HEARTH_OUT_DIR: folder },
  });
  const gzipped = new Map<string, number>();
  const gzipSize = (path: string) => gzipped.get(path) ?? gzipped.set(path, gzipSync(readFileSync(join(folder, path))).length).get(path)!;
  const sent: { path: string; bytes: number }[] = [];
  let lastSent = Date.now();
  const host = await startStaticHost({
    folder,
    base: '/app/',
    isolationHeaders: true,
    onServe: (path, bytes) => {
      sent.push({ path, bytes });
      lastSent = Date.now();
    },
  });
  const browser = await launchChromium();
  const rows: Row[] = [];
  const total = (list: typeof sent) => ({ bytes: list.reduce((sum, file) => sum + file.bytes, 0), gzip: list.reduce((sum, file) => sum + gzipSize(file.path), 0) });
  try {
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    const page = await context.newPage();
    await page.goto(`${host.url}#/`);
    await page.locator('a.card').first().waitFor();
    const atFirstCard = total(sent.slice());
    const filesAtFirstCard = sent.length;
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((done) => navigator.serviceWorker.addEventListener('controllerchange', done, { once: true }));
      }
    });
    while (Date.now() - lastSent < QUIET_MS) await new Promise((resolve) => setTimeout(resolve, 200));
    const whole = total(sent);
    const engineFiles = readdirSync(join(folder, 'assets')).map((file) => `assets/${file}`).filter(isEngineFile);
    const engineBytes = engineFiles.reduce((sum, path) => sum + readFileSync(join(folder, path)).length, 0);
    const engineSent = sent.filter((file) => isEngineFile(file.path));
    rows.push(
      {
        figure: `first visit until the first character card (MB sent, ${filesAtFirstCard} files; gzip ${mb(atFirstCard.gzip)})`,
        value: mb(atFirstCard.bytes),
        target: '< 1.00',
        verdict: atFirstCard.bytes < FIRST_CARD_TARGET_BYTES ? 'ok' : 'MISSED',
      },
      { figure: `whole first visit, service worker installed (MB sent, ${sent.length} files; gzip ${mb(whole.gzip)})`, value: mb(whole.bytes), target: '', verdict: '' },
      { figure: `engine files sent on a first visit (of ${engineFiles.length}, ${mb(engineBytes)} MB, left to their first use)`, value: String(engineSent.length), target: '0', verdict: engineSent.length === 0 ? 'ok' : 'MISSED' },
    );
    console.log(`sent until the first card: ${sent.slice(0, filesAtFirstCard).map((file) => file.path).join(', ')}`);
    console.log(`sent after it: ${sent.slice(filesAtFirstCard).map((file) => file.path).join(', ')}`);
  } finally {
    await browser.close();
    await host.close();
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(rowsTable(rows, 'first visit'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
