// The installable app: manifest and icons, the service worker, starting without a network, a
// sub-path on a host without isolation headers, and "Reload to update" that never cuts a reply.

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { openApp, recordStreaming, setReplyLength, startChat, streamingSamples, TINY_GGUF } from './app';
import { blockExternalRequests, expect, test } from './fixtures';
import { goOfflineAndReload, pngSize, readManifest, recordRequests, waitForServiceWorker } from './offline-helpers';
import { builtAppFolder, startStaticHost } from './static-host';

// The suite blocks service workers by default (see playwright.config.ts); these tests are about them.
test.use({ serviceWorkers: 'allow' });

/** Sends a message and waits for the model's reply to be written in full. */
async function sendAndAwaitReply(page: Page, text: string): Promise<void> {
  const replies = page.locator('article[data-role="assistant"]');
  const before = await replies.count();
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(replies).toHaveCount(before + 1);
  await expect(replies.nth(before)).not.toHaveAttribute('data-status', 'streaming', { timeout: 60_000 });
  await expect(replies.nth(before)).toHaveAttribute('data-status', 'done');
  expect((await replies.nth(before).locator('.content').innerText()).length).toBeGreaterThan(0);
}

/**
 * Loads the tiny GGUF through the Models screen. The file goes in as bytes, not as a path: a path
 * is read lazily by Chromium and fails (NotReadableError) if another test run rewrites the file.
 */
async function loadTinyModelFile(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  await page.getByLabel('Load GGUF model').setInputFiles({ name: 'tiny.gguf', mimeType: 'application/octet-stream', buffer: readFileSync(TINY_GGUF) });
  await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });
}

/** After an offline reload the model is still on the device (OPFS): load it from the list, no file picked. */
async function useStoredModelOffline(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  const stored = page.getByRole('list', { name: 'Stored models' }).getByRole('listitem').filter({ hasText: 'tiny.gguf' });
  await stored.getByRole('button', { name: /^Load / }).click();
  await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });
}

/** A small ChatHaruhi pack written in the test: three stories, one about the lighthouse. */
function keeperPack() {
  const files = {
    'keeper/system_prompt.txt': strToU8('你是守夜人老周，说话简短。'),
    'keeper/texts/lighthouse.txt': strToU8('老周:「灯塔的灯今晚还亮着。」\n阿明:「灯塔怎么了？」'),
    'keeper/texts/tea.txt': strToU8('老周:「先喝杯茶吧。」\n阿明:「好，喝茶。」'),
    'keeper/texts/boat.txt': strToU8('老周:「船回港了。」'),
  };
  return { name: 'keeper.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(files)) };
}

/** Paths (relative to the app) of every response in the page's caches: the service worker's. */
function cachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname.slice(1));
    }
    return paths;
  });
}

/** Crossing a reload, evaluate() can throw while the old page goes away; treat that as "not yet". */
async function isCrossOriginIsolated(page: Page): Promise<boolean> {
  try {
    return await page.evaluate(() => window.crossOriginIsolated);
  } catch {
    return false;
  }
}

test.describe('the installable app', () => {
  test('has a complete web app manifest whose icons load, and a service worker for the app folder', async ({ page, baseURL }) => {
    await openApp(page);
    const scope = await waitForServiceWorker(page);
    expect(scope).toBe(`${baseURL}/`);

    const { url, manifest } = await readManifest(page);
    expect(manifest).toMatchObject({ name: expect.stringContaining('Hearth'), short_name: 'Hearth', display: 'standalone' });
    expect(manifest.description.length).toBeGreaterThan(20);
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    // Relative start URL and scope: they resolve to wherever the app is served from.
    expect(new URL(manifest.start_url, url).href).toBe(scope);
    expect(new URL(manifest.scope, url).href).toBe(scope);

    const wanted = [
      { sizes: '192x192', purpose: 'any' },
      { sizes: '512x512', purpose: 'any' },
      { sizes: '512x512', purpose: 'maskable' },
    ];
    for (const { sizes, purpose } of wanted) {
      const icon = manifest.icons.find((i) => i.sizes === sizes && (i.purpose ?? 'any').split(' ').includes(purpose));
      expect(icon, `a ${sizes} ${purpose} icon`).toBeDefined();
      const response = await page.request.get(new URL(icon!.src, url).href);
      expect(response.ok()).toBe(true);
      expect(response.headers()['content-type']).toContain('image/png');
      const [width, height] = sizes.split('x').map(Number);
      expect(pngSize(await response.body())).toEqual({ width, height });
    }

    // A first visit precaches the shell, the built-in characters' chunks and the small workers; the
    // engines' code and wasm (~50 MB) wait until an engine first loads them.
    const precached = await cachedPaths(page);
    const built = readdirSync(join(builtAppFolder(), 'assets')).map((file) => `assets/${file}`).filter((file) => !file.endsWith('.map'));
    const shell = built.filter((file) => /\/(index|character|avatar)-|\/(import|backup)\.worker-/.test(file));
    const engine = built.filter((file) => /\.(wasm|mjs)$|\/(wllama|webllm|embedding)\.worker-/.test(file));
    expect(engine.some((file) => /wllama.*\.wasm$/.test(file)), 'the build has wllama.wasm').toBe(true);
    expect(shell.filter((file) => !precached.includes(file))).toEqual([]);
    expect(engine.filter((file) => precached.includes(file))).toEqual([]);
    expect(precached).toContain('index.html');

    await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute('content', manifest.theme_color);
    const touchIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
    expect(pngSize(await (await page.request.get(new URL(touchIcon!, page.url()).href)).body())).toEqual({ width: 180, height: 180 });
  });

  test('after one visit it starts offline: characters, chats, scene search and the stored model work, and nothing leaves the origin', async ({ page, baseURL }) => {
    const origin = new URL(baseURL!).origin;
    await openApp(page);
    await waitForServiceWorker(page);
    await setReplyLength(page, 64);
    const wllamaFiles = /\/(wllama-[^/]+\.wasm|wllama\.worker-[^/]+\.js)$/;
    expect((await cachedPaths(page)).filter((path) => wllamaFiles.test(`/${path}`)), 'wllama is not fetched before a model loads').toEqual([]);
    await loadTinyModelFile(page);
    // Its first load cached wllama's worker and wasm for the offline start below.
    await expect.poll(async () => (await cachedPaths(page)).filter((path) => wllamaFiles.test(`/${path}`)).length).toBe(2);
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles([keeperPack()]);
    await expect(page.getByRole('region', { name: 'Import results' })).toContainText('3 scenes');
    await startChat(page);
    await sendAndAwaitReply(page, 'Good evening, keeper.');

    const offline = await goOfflineAndReload(page, origin);
    await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Open Hester Coyle' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();

    // Every screen opens; the conversation from the online visit is there with the model's reply.
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await expect(page.getByLabel('Load GGUF model')).toBeAttached();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByLabel('Longest reply (tokens)')).toBeVisible();
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByRole('link', { name: 'Open Hester Coyle' }).click();
    await page.getByRole('link', { name: /Conversation with Hester Coyle/ }).first().click();
    await expect(page.locator('article[data-role="user"]')).toContainText('Good evening, keeper.');
    await expect(page.locator('article[data-role="assistant"]')).toHaveCount(2);
    const chatUrl = page.url();

    // Keyword search over an imported character's scenes (BM25 with CJK bigrams) works offline.
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByRole('link', { name: 'Open 老周' }).click(); // the speaker of most lines names the character
    await page.getByTestId('corpus-summary').click();
    await page.getByRole('searchbox', { name: 'Search the corpus' }).fill('灯塔');
    const scenes = page.locator('.corpus ol.scenes > li');
    await expect(scenes).toHaveCount(1);
    await expect(scenes.first()).toContainText('灯塔的灯今晚还亮着');

    // The model is still on the device, and a new message gets a streamed reply without a network.
    await useStoredModelOffline(page);
    await page.goto(chatUrl);
    await recordStreaming(page);
    await sendAndAwaitReply(page, 'Is the lamp lit?');
    // Seen growing in several steps, not appearing at once.
    expect(new Set(await streamingSamples(page)).size).toBeGreaterThan(1);
    await expect(page.locator('article[data-role="assistant"]')).toHaveCount(3);

    expect(offline.foreign(), 'requests that left the origin while offline').toEqual([]);
    expect(await offline.notFromServiceWorker(), 'app files that did not come from the service worker').toEqual([]);
  });

  test('works from a sub-path on a host without isolation headers: the service worker adds them', async ({ browser }) => {
    const host = await startStaticHost({ folder: builtAppFolder(), base: '/app/' });
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    try {
      const blocked = await blockExternalRequests(context);
      const page = await context.newPage();
      const direct = await page.request.get(host.url);
      expect(direct.headers()['cross-origin-embedder-policy'], 'the host itself sends no COEP').toBeUndefined();

      await page.goto(host.url);
      await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
      // The service worker takes control and the page reloads itself once, now isolated.
      await expect.poll(() => isCrossOriginIsolated(page), { timeout: 60_000 }).toBe(true);
      expect(await waitForServiceWorker(page)).toBe(host.url);
      const { url, manifest } = await readManifest(page);
      expect(new URL(manifest.start_url, url).href).toBe(host.url);

      // Offline at the sub-path: still starts, still isolated (the headers come from the worker).
      const offline = recordRequests(context, new URL(host.url).origin);
      await context.setOffline(true);
      await page.reload();
      await expect(page.getByRole('link', { name: 'Open Hester Coyle' })).toBeVisible();
      expect(await isCrossOriginIsolated(page)).toBe(true);
      expect(offline.foreign()).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
      await host.close();
    }
  });

  test('a new version is fetched in the background and offered as "Reload to update" only after the reply ends', async ({ browser }) => {
    const current = builtAppFolder();
    const next = makeNextVersion(current);
    const host = await startStaticHost({ folder: current, base: '/app/', isolationHeaders: true });
    const context = await browser.newContext({ serviceWorkers: 'allow' });
    try {
      const blocked = await blockExternalRequests(context);
      const page = await context.newPage();
      await page.goto(`${host.url}#/`);
      await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
      await waitForServiceWorker(page);
      await setReplyLength(page, 1024);
      await loadTinyModelFile(page);
      await startChat(page);

      // A reply is being written when the new version arrives.
      await page.getByRole('textbox', { name: 'Message' }).fill('Tell me the whole story of the lighthouse.');
      await page.getByRole('button', { name: 'Send' }).click();
      const reply = page.locator('article[data-role="assistant"]').nth(1);
      await expect(reply).toHaveAttribute('data-status', 'streaming');
      host.deploy(next.folder);
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration!.update();
        while (!registration!.waiting) await new Promise((done) => setTimeout(done, 50));
      });
      const banner = page.getByRole('status').filter({ hasText: 'A new version of Hearth is ready.' });
      // The new version is waiting, the reply is still streaming, and nothing is offered yet.
      await expect(reply).toHaveAttribute('data-status', 'streaming');
      await expect(banner).toBeHidden();

      await page.keyboard.press('Escape');
      await expect(reply).not.toHaveAttribute('data-status', 'streaming');
      await expect(banner).toBeVisible();
      expect(await page.locator('meta[name="hearth-build"]').count()).toBe(0);

      await banner.getByRole('button', { name: 'Reload to update' }).click();
      await expect(page.locator('meta[name="hearth-build"]')).toHaveAttribute('content', next.marker, { timeout: 30_000 });
      await expect(page.getByRole('heading', { name: 'Characters' }).or(page.locator('article[data-role="assistant"]').first())).toBeVisible();
      await expect(banner).toBeHidden();
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
      await host.close();
      rmSync(next.folder, { recursive: true, force: true });
    }
  });
});

/**
 * A second deploy of the app, as a release would produce: index.html changes (it carries a build
 * marker), so its precache revision changes and the service worker file differs byte for byte.
 */
function makeNextVersion(folder: string): { folder: string; marker: string } {
  const target = mkdtempSync(join(tmpdir(), 'hearth-next-'));
  cpSync(folder, target, { recursive: true });
  const marker = `next-${Date.now()}`;
  const indexPath = join(target, 'index.html');
  const html = readFileSync(indexPath, 'utf8').replace('<head>', `<head>\n    <meta name="hearth-build" content="${marker}" />`);
  writeFileSync(indexPath, html);
  const revision = createHash('md5').update(html).digest('hex');
  const swPath = join(target, 'service-worker.js');
  const sw = readFileSync(swPath, 'utf8');
  const updated = sw.replace(/"revision":"[0-9a-f]+","url":"index\.html"/, `"revision":"${revision}","url":"index.html"`);
  expect(updated, 'the service worker lists index.html with a revision').not.toBe(sw);
  writeFileSync(swPath, updated);
  return { folder: target, marker };
}
