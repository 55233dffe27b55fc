// An MLC folder picked from disk is loaded by web-llm from the browser's cache, not the network.
// There is no real MLC model here: the folder holds an empty (valid) WebAssembly module as its model
// library, so web-llm reads the config and the library from the cache, instantiates the library,
// and only then fails, because the empty module is not a real model. A download would fail earlier
// with "could not be downloaded" or "offline".

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';

test('web-llm reads a picked MLC folder from the cache, never from the network', async ({ page, context }) => {
  const folder = join(mkdtempSync(join(tmpdir(), 'mlc-')), 'Tiny-MLC');
  mkdirSync(folder);
  writeFileSync(join(folder, 'mlc-chat-config.json'), JSON.stringify({ tokenizer_files: ['tokenizer.json'], context_window_size: 512 }));
  writeFileSync(join(folder, 'tensor-cache.json'), JSON.stringify({ records: [] }));
  writeFileSync(join(folder, 'tokenizer.json'), '{}');
  writeFileSync(join(folder, 'Tiny-webgpu.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));

  const network: string[] = [];
  context.on('request', (request) => {
    if (request.url().includes('/local-models/')) network.push(request.url());
  });
  await page.goto('/#/models');
  await expect(page.getByText(/WebGPU available/)).toBeVisible();
  await page.getByLabel('Pick MLC model folder').setInputFiles(folder);
  await expect(page.getByText('Added Tiny-MLC.')).toBeVisible();
  // Picked again: the second copy is stored under a new folder URL, and that is what web-llm must read.
  await page.getByLabel('Pick MLC model folder').setInputFiles(folder);
  await expect.poll(() => page.evaluate(async () => (await (await caches.open('webllm/wasm')).keys()).map((r) => new URL(r.url).pathname)))
    .toEqual([expect.stringMatching(/^\/local-models\/Tiny-MLC\/copy-\w+\/Tiny-webgpu\.wasm$/)]);

  const item = page.getByRole('list', { name: 'Stored models' }).getByRole('listitem').filter({ hasText: 'Tiny-MLC' });
  await item.getByRole('button', { name: /^Load / }).click();
  const alert = page.getByRole('alert').first();
  await expect(alert).toContainText('could not be loaded', { timeout: 60_000 });
  await expect(alert).not.toContainText(/download|offline|not found/i);
  expect(network).toEqual([]);
});
