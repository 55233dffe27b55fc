// Embeddings in the built app: real transformers.js + onnxruntime-web in a worker on the generated tiny model, nothing fetched from outside the origin.

import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_EMBEDDING_DIR } from '../fixtures/make-tiny-embedding';
import { loadTinyModel } from './app';
import { blockExternalRequests } from './fixtures';

// Every request must be seen by the context's routes, including any a service worker would make.
test.use({ serviceWorkers: 'block' });

const CHARACTER = 'builtin:lin-xiaoman';
const LINES = ['我在茶馆里烧水泡茶', '今天下雨了，客人很少', '老街口的猫又来讨鱼吃', '师傅教我怎么揉面', '月亮很圆，大家一起赏月'];

/** Every URL the page and its workers asked for. */
function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  return urls;
}

const isLocal = (url: string) => /^(blob:|data:)/.test(url) || ['localhost', '127.0.0.1'].includes(new URL(url).hostname);

/** Adds scenes straight to IndexedDB, as an import would have. */
async function seedScenes(page: Page, from: number, count: number): Promise<void> {
  await page.evaluate(
    ({ characterId, from, count, lines }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('hearth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('scenes', 'readwrite');
          for (let i = from; i < from + count; i++) {
            const text = `林小满:「${lines[i % lines.length]}（第${i}回）」`;
            tx.objectStore('scenes').put({ id: `e2e-scene-${i}`, characterId, title: `第${i}回`, text, lines: [], tokens: 12, source: 'pack', vectors: [] });
          }
          tx.oncomplete = () => (db.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    { characterId: CHARACTER, from, count, lines: LINES },
  );
}

/** Per model id: how many of the character's scenes have a vector, and the dimensions seen. */
async function storedVectors(page: Page): Promise<{ count: Record<string, number>; dims: number[]; first: number[] | null }> {
  return page.evaluate(
    (characterId) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('hearth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const request = db.transaction('scenes').objectStore('scenes').index('characterId').getAll(characterId);
          request.onsuccess = () => {
            const count: Record<string, number> = {};
            const dims = new Set<number>();
            let first: number[] | null = null;
            for (const scene of request.result as { id: string; vectors: { model: string; dim: number; data: ArrayBuffer }[] }[]) {
              for (const v of scene.vectors) {
                count[v.model] = (count[v.model] ?? 0) + 1;
                dims.add(v.dim);
                if (scene.id === 'e2e-scene-0') first = [...new Float32Array(v.data)];
              }
            }
            db.close();
            resolve({ count, dims: [...dims], first });
          };
        };
      }),
    CHARACTER,
  );
}

/** Keeps every distinct text of the background job's status line, to see progress go by. */
async function recordJobStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __job: string[] }).__job = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[aria-labelledby="embedding-job-title"] [role="status"]')?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Retrieval by meaning' })).toBeVisible();
}

const chineseRow = (page: Page) => page.locator('fieldset[data-lang="zh"]');
const ALL_DONE = 'Every scene of characters with a ready model is embedded.';

test.describe('embedding scenes in the browser', () => {
  test('a picked model folder embeds a character’s scenes in the background, with progress, and resumes after a reload', async ({ page, context }) => {
    const requests = recordRequests(context);
    const blocked = await blockExternalRequests(context);
    await page.goto('/#/');
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    await seedScenes(page, 0, 400);
    await openSettings(page);
    await expect(chineseRow(page)).toContainText('Not downloaded yet.');
    await recordJobStatus(page);

    await page.getByLabel('Use a model folder for Chinese characters').setInputFiles(TINY_EMBEDDING_DIR);
    await expect(chineseRow(page)).toContainText('Model: local/tiny-embedding');
    await expect(chineseRow(page)).toContainText('Ready (64 dimensions)');
    await expect.poll(async () => (await storedVectors(page)).count['local/tiny-embedding'], { timeout: 90_000 }).toBe(400);
    await expect(page.getByText(ALL_DONE)).toBeVisible();

    const progress = await page.evaluate(() => (window as unknown as { __job: string[] }).__job);
    const partial = progress.map((text) => /Embedding 林小满: (\d+) of 400 scenes/.exec(text)).filter((m) => m && Number(m[1]) < 400);
    expect(partial.length, `progress seen: ${progress.join(' | ')}`).toBeGreaterThan(0);
    const afterFirstRun = await storedVectors(page);
    expect(afterFirstRun.count['local/tiny-embedding']).toBe(400);
    expect(afterFirstRun.dims).toEqual([64]);
    const norm = Math.hypot(...afterFirstRun.first!);
    expect(norm).toBeCloseTo(1, 4);

    // New scenes arrive; after a reload the job embeds only those, from the folder kept in the browser.
    await seedScenes(page, 400, 24);
    await page.reload();
    await openSettings(page);
    await expect(chineseRow(page)).toContainText('Ready (64 dimensions)');
    await expect.poll(async () => (await storedVectors(page)).count['local/tiny-embedding'], { timeout: 60_000 }).toBe(424);
    await expect(page.getByText(ALL_DONE)).toBeVisible();
    expect((await storedVectors(page)).first).toEqual(afterFirstRun.first);

    // Pause survives a reload: the person decides when background work runs.
    await page.getByRole('button', { name: 'Pause embedding scenes' }).click();
    await page.reload();
    await openSettings(page);
    await expect(page.getByRole('button', { name: 'Resume embedding scenes' })).toBeVisible();

    expect(blocked).toEqual([]);
    expect(requests.filter((url) => !isLocal(url))).toEqual([]);
    // onnxruntime-web came from our own build, not a CDN.
    expect(requests.some((url) => /\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(url))).toBe(true);
  });

  test('the default model downloads from the hub with progress (served here by the test), then works from the cache', async ({ page, context }) => {
    const requests = recordRequests(context);
    const blocked = await blockExternalRequests(context);
    const hubRequests: string[] = [];
    // The test stands in for huggingface.co: the tiny model under the default model's name.
    // Its fp32 weights are served as the q8 file the browser asks for.
    const files: Record<string, string> = {
      'config.json': 'config.json',
      'tokenizer.json': 'tokenizer.json',
      'tokenizer_config.json': 'tokenizer_config.json',
      'onnx/model_quantized.onnx': 'onnx/model.onnx',
    };
    await context.route('https://huggingface.co/Xenova/bge-small-zh-v1.5/resolve/main/**', async (route) => {
      const url = route.request().url();
      hubRequests.push(url);
      const file = files[url.split('/resolve/main/')[1]];
      if (!file) return route.fulfill({ status: 404, body: 'Entry not found' });
      // Slow enough to see the progress bar.
      if (file.endsWith('.onnx')) await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.fulfill({ status: 200, body: readFileSync(join(TINY_EMBEDDING_DIR, file)), headers: { 'access-control-allow-origin': '*' } });
    });
    await page.goto('/#/');
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    await seedScenes(page, 0, 40);
    await openSettings(page);
    await expect(chineseRow(page)).toContainText('Model: Xenova/bge-small-zh-v1.5');
    await page.getByRole('button', { name: 'Download the embedding model for Chinese characters' }).click();
    await expect(chineseRow(page).getByRole('progressbar')).toBeVisible();
    await expect(chineseRow(page)).toContainText('Ready (64 dimensions)', { timeout: 60_000 });
    await expect.poll(async () => (await storedVectors(page)).count['Xenova/bge-small-zh-v1.5'], { timeout: 60_000 }).toBe(40);
    await expect(page.getByText(ALL_DONE)).toBeVisible();
    expect(hubRequests.some((url) => url.endsWith('/onnx/model_quantized.onnx'))).toBe(true);

    // Without the hub (as offline), the model opens from the browser's cache and embeds new scenes.
    await context.unroute('https://huggingface.co/Xenova/bge-small-zh-v1.5/resolve/main/**');
    await seedScenes(page, 40, 10);
    await page.reload();
    await expect.poll(async () => (await storedVectors(page)).count['Xenova/bge-small-zh-v1.5'], { timeout: 60_000 }).toBe(50);
    expect(blocked).toEqual([]);
    expect(requests.filter((url) => !isLocal(url) && !url.startsWith('https://huggingface.co/Xenova/bge-small-zh-v1.5/'))).toEqual([]);
  });

  test('a folder that is not a model is refused with a sentence saying what is missing', async ({ page, context }) => {
    const blocked = await blockExternalRequests(context);
    await page.goto('/#/settings');
    await expect(page.getByRole('heading', { name: 'Retrieval by meaning' })).toBeVisible();
    // The weights folder alone: no config.json or tokenizer beside it.
    await page.getByLabel('Use a model folder for English characters').setInputFiles(join(TINY_EMBEDDING_DIR, 'onnx'));
    const english = page.locator('fieldset[data-lang="en"]');
    await expect(english.getByRole('alert')).toContainText('That folder cannot be used as an embedding model (config.json).');
    await expect(english).toContainText('Model: Xenova/bge-small-en-v1.5');
    await expect(english).toContainText('Not downloaded yet.');
    expect(blocked).toEqual([]);
  });

  test('chat retrieval embeds the message and searches scenes by meaning', async ({ page, context }) => {
    const blocked = await blockExternalRequests(context);
    await page.goto('/#/');
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    await seedScenes(page, 0, 30);
    await openSettings(page);
    await page.getByLabel('Use a model folder for Chinese characters').setInputFiles(TINY_EMBEDDING_DIR);
    await expect.poll(async () => (await storedVectors(page)).count['local/tiny-embedding'], { timeout: 60_000 }).toBe(30);
    await loadTinyModel(page);
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByRole('link', { name: 'Open 林小满' }).click();
    await page.getByRole('button', { name: 'New chat' }).click();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('下雨天茶馆里客人多吗？');
    await box.press('Enter');
    const reply = page.locator('article[data-role="assistant"]').nth(1);
    await expect(reply).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
    await reply.getByRole('button', { name: 'Show prompt' }).click();
    await expect(page.getByRole('dialog')).toContainText('by meaning (local/tiny-embedding, cosine)');
    expect(blocked).toEqual([]);
  });
});
