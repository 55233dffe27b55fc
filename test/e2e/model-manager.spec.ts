// The model manager: a picked GGUF kept in OPFS and loaded again after a reload, deleting it, one model
// per browser (Web Locks), storage space and persistence, custom web-llm URLs and MLC folders.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { openApp, startChat } from './app';
import { expect, test, tinyGgufPath } from './fixtures';

async function opfsModels(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const folder = await root.getDirectoryHandle('models', { create: true });
    const names: string[] = [];
    for await (const name of (folder as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names.sort();
  });
}

async function usage(page: Page): Promise<number> {
  return page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
}

function storedItem(page: Page) {
  return page.getByRole('list', { name: 'Stored models' }).getByRole('listitem').filter({ hasText: 'tiny.gguf' });
}

async function pickTinyGguf(page: Page): Promise<void> {
  await page.goto('/#/models');
  await page.getByLabel('Load GGUF model').setInputFiles(tinyGgufPath);
}

test.describe('model manager, offline', () => {
  // The page itself comes back offline from the app's service worker (blocked by default in e2e).
  test.use({ serviceWorkers: 'allow' });

  test('a picked GGUF is kept on the device, loads again after a reload without picking it, and deleting it frees the space', async ({ page, context }) => {
    await openApp(page);
    await pickTinyGguf(page);
    await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });
    await expect(page.getByText('is kept on this device: it loads again after a reload, even offline.')).toBeVisible();
    expect(await opfsModels(page)).toEqual(['tiny.gguf']);

    const item = storedItem(page);
    await expect(item).toContainText('CPU (GGUF)');
    await expect(item).toContainText(/\d+(\.\d)? KB/);
    await expect(item).toContainText('kept on this device');
    await expect(item).toContainText('last used');
    await expect(item).toContainText('in use');
    await expect(page.getByTestId('storage-estimate')).toContainText(/used of .* free/);
    // Asked once, right after the first model was kept; the answer is shown either way.
    await expect(page.getByTestId('persist-status')).toHaveText(/^Persistent storage: (granted|not granted)/);

    // Offline from here on: the page comes back from the service worker, the model from OPFS.
    await page.evaluate(() => navigator.serviceWorker.ready);
    // The engine loaded before the service worker took this first-visit page: the worker keeps its
    // files once told (in the background), and offline starts need them.
    await expect
      .poll(() => page.evaluate(async () => (await (await caches.open('hearth-engine-files')).keys()).map((r) => new URL(r.url).pathname)), { timeout: 30_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/\/wllama-[^/]+\.wasm$/), expect.stringMatching(/\/wllama\.worker-[^/]+\.js$/)]));
    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
    await expect(page.locator('#main').getByText('No model loaded')).toBeVisible();
    await expect(storedItem(page)).toContainText('kept on this device');
    await storedItem(page).getByRole('button', { name: /^Load / }).click();
    await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });

    await startChat(page);
    await page.getByRole('textbox', { name: 'Message' }).fill('Is the lamp lit tonight?');
    await page.getByRole('button', { name: 'Send' }).click();
    const reply = page.locator('article[data-role="assistant"]').nth(1);
    await expect.poll(async () => (await reply.locator('.content').innerText()).length, { timeout: 30_000 }).toBeGreaterThan(0);
    const stop = page.getByRole('button', { name: 'Stop' });
    if (await stop.isVisible()) await stop.click(); // it may have finished already
    await expect(reply).not.toHaveAttribute('data-status', 'streaming');
    await context.setOffline(false);

    // Delete: asks first, then the file, the record and the space are gone.
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    const before = await usage(page);
    await storedItem(page).getByRole('button', { name: /^Delete / }).click();
    await expect(page.getByText(/Delete .*tiny\.gguf.* from this device\?/)).toBeVisible();
    await page.getByRole('button', { name: 'Delete it' }).click();
    await expect(page.getByText(/Deleted .*tiny\.gguf/)).toBeVisible();
    await expect(storedItem(page)).toHaveCount(0);
    await expect(page.locator('#main').getByText('No model loaded')).toBeVisible(); // it was in use: unloaded first
    expect(await opfsModels(page)).toEqual([]);
    await expect.poll(() => usage(page)).toBeLessThan(before);
  });
});

test.describe('model manager', () => {

  test('a second tab is told the model is busy instead of loading a second copy', async ({ page, context }) => {
    await openApp(page);
    await pickTinyGguf(page);
    await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });

    const second = await context.newPage();
    await second.goto('/#/models');
    await storedItem(second).getByRole('button', { name: /^Load / }).click();
    await expect(second.getByRole('alert')).toContainText('The model is in use in another tab of Hearth. Close it or unload the model there.');
    await expect(second.locator('#main').getByText('No model loaded')).toBeVisible();

    // Once the first tab lets go, the second one loads it.
    await page.getByRole('button', { name: 'Unload' }).click();
    await second.getByRole('button', { name: 'Dismiss' }).click();
    await storedItem(second).getByRole('button', { name: /^Load / }).click();
    await expect(second.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });
  });

  test('a custom web-llm model needs absolute URLs and is registered under its own id', async ({ page }) => {
    await openApp(page, '#/models');
    const model = page.getByLabel('Model URL', { exact: true });
    const lib = page.getByLabel('Model library URL (.wasm)');
    await model.fill('models/MyModel-q4f32_1-MLC');
    await lib.fill('https://example.org/lib.wasm');
    await page.getByRole('button', { name: 'Add and load' }).click();
    await expect(page.getByRole('alert')).toHaveText('Enter a complete address starting with https://.');
    await expect(model).toHaveAttribute('aria-invalid', 'true');

    await model.fill('http://localhost:9/models/MyModel-q4f32_1-MLC/resolve/main/');
    await lib.fill('http://localhost:9/libs/MyModel-webgpu.js');
    await page.getByRole('button', { name: 'Add and load' }).click();
    await expect(page.getByRole('alert')).toHaveText('The model library must be a .wasm file.');

    await lib.fill('http://localhost:9/libs/MyModel-webgpu.wasm');
    await page.getByRole('button', { name: 'Add and load' }).click();
    await expect(page.getByText('Added MyModel-q4f32_1-MLC.')).toBeVisible();
    const item = page.getByRole('list', { name: 'Stored models' }).getByRole('listitem').filter({ hasText: 'MyModel-q4f32_1-MLC' });
    await expect(item).toContainText('WebGPU');
    // This browser has no WebGPU: the load itself fails with the engine's sentence, the model stays listed.
    await expect(page.getByRole('alert').first()).toContainText('WebGPU');
    await page.reload();
    await expect(item).toContainText('not stored');
  });

  test('an MLC folder picked from disk is put where web-llm reads it, and deleting removes every file', async ({ page }) => {
    const root = mkdtempSync(join(tmpdir(), 'mlc-'));
    const folder = join(root, 'Tiny-MLC');
    mkdirSync(folder);
    writeFileSync(join(folder, 'mlc-chat-config.json'), JSON.stringify({ tokenizer_files: ['tokenizer.json'] }));
    writeFileSync(join(folder, 'tensor-cache.json'), JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin' }] }));
    writeFileSync(join(folder, 'params_shard_0.bin'), Buffer.alloc(64 * 1024, 7));
    writeFileSync(join(folder, 'tokenizer.json'), '{}');
    writeFileSync(join(folder, 'Tiny-webgpu.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));

    await openApp(page, '#/models');
    await page.getByLabel('Pick MLC model folder').setInputFiles(folder);
    await expect(page.getByText('Added Tiny-MLC.')).toBeVisible();
    const item = page.getByRole('list', { name: 'Stored models' }).getByRole('listitem').filter({ hasText: 'Tiny-MLC' });
    await expect(item).toContainText('WebGPU');
    await expect(item).toContainText('stored in the browser');
    await expect(item).toContainText('64.1 KB');

    const cached = () => page.evaluate(async () => {
      const urls: string[] = [];
      for (const scope of ['webllm/config', 'webllm/model', 'webllm/wasm']) {
        for (const request of await (await caches.open(scope)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls.sort();
    });
    expect(await cached()).toEqual([
      '/local-models/Tiny-MLC/Tiny-webgpu.wasm',
      '/local-models/Tiny-MLC/resolve/main/mlc-chat-config.json',
      '/local-models/Tiny-MLC/resolve/main/params_shard_0.bin',
      '/local-models/Tiny-MLC/resolve/main/tensor-cache.json',
      '/local-models/Tiny-MLC/resolve/main/tokenizer.json',
    ]);

    // Picking the folder again stores a whole new copy next to the first, then drops the first.
    writeFileSync(join(folder, 'params_shard_0.bin'), Buffer.alloc(64 * 1024, 9));
    await page.getByLabel('Pick MLC model folder').setInputFiles(folder);
    await expect.poll(cached).toEqual([
      expect.stringMatching(/^\/local-models\/Tiny-MLC\/copy-\w+\/Tiny-webgpu\.wasm$/),
      expect.stringMatching(/^\/local-models\/Tiny-MLC\/copy-\w+\/resolve\/main\/mlc-chat-config\.json$/),
      expect.stringMatching(/^\/local-models\/Tiny-MLC\/copy-\w+\/resolve\/main\/params_shard_0\.bin$/),
      expect.stringMatching(/^\/local-models\/Tiny-MLC\/copy-\w+\/resolve\/main\/tensor-cache\.json$/),
      expect.stringMatching(/^\/local-models\/Tiny-MLC\/copy-\w+\/resolve\/main\/tokenizer\.json$/),
    ]);
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('64.1 KB');

    await item.getByRole('button', { name: /^Delete / }).click();
    await page.getByRole('button', { name: 'Delete it' }).click();
    await expect(item).toHaveCount(0);
    expect(await cached()).toEqual([]);
  });

  test('a folder that is not an MLC model is refused with the reason', async ({ page }) => {
    const folder = join(mkdtempSync(join(tmpdir(), 'mlc-')), 'Half-MLC');
    mkdirSync(folder);
    writeFileSync(join(folder, 'mlc-chat-config.json'), '{}');
    writeFileSync(join(folder, 'tensor-cache.json'), '{"records":[]}');
    writeFileSync(join(folder, 'tokenizer.json'), '{}');
    await openApp(page, '#/models');
    await page.getByLabel('Pick MLC model folder').setInputFiles(folder);
    await expect(page.getByRole('alert')).toHaveText(/has no model library \(\.wasm\)/);
    await expect(page.getByText('No model is kept on this device yet.', { exact: false })).toBeVisible();
  });
});
