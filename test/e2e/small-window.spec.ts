// A GGUF with a 1,024-token window and a character whose card and scenes are far larger: the first
// prompt is counted with the model's own vocabulary and chat template, so the first reply fits.
//
// The tiny model's vocabulary spells most English out byte by byte (about one token per character,
// three times the estimate), so a prompt built by the estimate alone would not fit.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { makeTinyGguf } from '../fixtures/make-tiny-gguf';
import { openApp } from './app';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const WINDOW = 1024;
const smallWindowGguf = join(fileURLToPath(new URL('../fixtures/out/', import.meta.url)), 'tiny-1024.gguf');

/** A ChatHaruhi-style pack: a long system prompt and forty scenes about the lighthouse. */
function lighthousePack(): Buffer {
  const card = 'You are Wren, the keeper of the Gannet Rock lighthouse. '.repeat(60);
  const files: Record<string, Uint8Array> = { 'wren/system_prompt.txt': new TextEncoder().encode(card) };
  for (let i = 0; i < 40; i++) {
    const scene = `Visitor:「Is the lighthouse lamp lit tonight, keeper? Scene ${i}.」\nWren:「The lamp of the lighthouse burns every night; the fog came in at ${i} o'clock and the ferry waited by the rock.」\n`;
    files[`wren/texts/scene_${String(i).padStart(2, '0')}.txt`] = new TextEncoder().encode(scene.repeat(3));
  }
  return Buffer.from(zipSync(files));
}

/** Imports the long character, loads the model with `load`, sends one message and checks the reply and its prompt. */
async function firstReplyFits(page: Page, load: () => Promise<void>): Promise<void> {
  makeTinyGguf(smallWindowGguf, WINDOW);
  await openApp(page);
  await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles([{ name: 'wren.zip', mimeType: 'application/zip', buffer: lighthousePack() }]);
  await expect(page.locator('.grid').getByRole('link', { name: 'Open wren' })).toBeVisible({ timeout: 30_000 });

  await page.goto('/#/models');
  await load();
  await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });

  await page.getByRole('link', { name: 'Characters' }).click();
  await page.locator('.grid').getByRole('link', { name: 'Open wren' }).click();
  await page.getByRole('button', { name: 'New chat' }).click();
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Is the lighthouse lamp lit tonight, keeper?');
  await box.press('Enter');

  const reply = page.locator('article[data-role="assistant"]').last();
  await expect(reply).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(reply.locator('.content')).not.toBeEmpty();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.locator('.toast')).toHaveCount(0);

  await reply.getByRole('button', { name: 'Show prompt' }).click();
  const dialog = page.getByRole('dialog', { name: 'Prompt sent for this reply' });
  const total = await dialog.getByTestId('inspector-total').textContent();
  const [, used, room, window, kept] = /(\d+) of (\d+) prompt tokens used: a (\d+)-token window less (\d+) kept for the reply/.exec(total ?? '')!.map(Number);
  expect(window).toBe(WINDOW);
  expect(room + kept).toBe(WINDOW);
  expect(used).toBeLessThanOrEqual(room);
  // The card alone is longer than the window: the prompt was cut to fit, not sent whole.
  expect(used).toBeGreaterThan(room / 2);
  // The count is the engine's own: llama.cpp reported the same number of prompt tokens.
  await expect(dialog).toContainText('counted with this model’s own tokenizer');
  await expect(dialog).toContainText(`The engine reported ${used} prompt tokens`);
}

test.describe('a 1,024-token GGUF and a character far larger than its window', () => {
  test('picked from disk: the first message is answered, with prompt and reply inside the window', async ({ page }) => {
    await firstReplyFits(page, () => page.getByLabel('Load GGUF model').setInputFiles(smallWindowGguf));
  });

  test('downloaded by URL: its vocabulary is read from the downloaded copy, and the first reply fits the same way', async ({ page, context }) => {
    await context.route('**/models/tiny-1024.gguf', (route) => route.fulfill({ path: smallWindowGguf, headers: { 'Content-Type': 'application/octet-stream' } }));
    await firstReplyFits(page, async () => {
      await page.getByLabel('GGUF model URL').fill(new URL('/models/tiny-1024.gguf', page.url()).href);
      await page.getByRole('button', { name: 'Load from URL' }).click();
    });
  });
});
