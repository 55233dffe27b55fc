// Shared steps for end-to-end tests: driving the app as a person would, by role and name.

import { expect, type Locator, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

export const TINY_GGUF = fileURLToPath(new URL('../fixtures/out/tiny.gguf', import.meta.url));

export async function openApp(page: Page, hash = '#/'): Promise<void> {
  await page.goto(`/${hash}`);
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
}

export async function loadTinyModel(page: Page): Promise<void> {
  await page.goto('/#/models');
  await page.getByLabel('Load GGUF model').setInputFiles(TINY_GGUF);
  await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });
}

/**
 * Sends `text` from the message box and waits until its reply is on screen: the new one, not the
 * message before it (already done), which a status check alone could catch. `untilDone`: also wait
 * for the reply to end.
 */
export async function sendMessage(page: Page, text: string, { untilDone = false } = {}): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  const replies = page.locator('article[data-role="assistant"]');
  const count = await replies.count();
  await box.fill(text);
  await box.press('Enter');
  await expect(page.locator('article[data-role="user"]').last()).toContainText(text);
  await expect(replies).toHaveCount(count + 1);
  if (untilDone) await expect(replies.last()).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
}

/**
 * A gallery card by the character's exact name; the card link's accessible name also holds what it
 * shows under the name (tagline, tags), so "Open Ledger" alone would match "Ledger (copy)" too.
 */
export function characterCard(page: Page, name: string): Locator {
  return page.locator('.grid a.card').filter({ has: page.locator('strong').getByText(name, { exact: true }) });
}

/** Opens a built-in character and starts a new conversation with it; returns the character's name. */
export async function startChat(page: Page, name = 'Hester Coyle'): Promise<void> {
  await page.getByRole('link', { name: 'Characters' }).click();
  await page.getByRole('link', { name: `Open ${name}` }).click();
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(page.locator('article[data-role="assistant"]').first()).toBeVisible();
}

/**
 * startChat(), then an edit of the greeting, which saves the chat (a new chat is saved on its first
 * message or change): for tests that need a stored conversation without loading a model.
 */
export async function startSavedChat(page: Page, name = 'Hester Coyle'): Promise<void> {
  await startChat(page, name);
  const greeting = page.locator('article[data-role="assistant"]').first();
  await greeting.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('textbox', { name: 'Edit message' }).fill(`A saved greeting from ${name}.`);
  await page.getByRole('button', { name: 'Save edit' }).click();
  await expect(greeting).toContainText(`A saved greeting from ${name}.`);
}

/** Records the length of the streaming reply each time the DOM changes, to see it grow. */
export async function recordStreaming(page: Page): Promise<void> {
  await page.evaluate(() => {
    const samples: number[] = [];
    (window as unknown as { __samples: number[] }).__samples = samples;
    new MutationObserver(() => {
      const live = document.querySelector('article[data-status="streaming"] .content');
      if (live) samples.push(live.textContent?.length ?? 0);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

export function streamingSamples(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __samples: number[] }).__samples);
}

export async function setReplyLength(page: Page, tokens: number): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Longest reply (tokens)').fill(String(tokens));
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
}

/**
 * A full disk, simulated: after `armFullDisk`, IndexedDB add/put throw QuotaExceededError once
 * `afterWrites` more rows were written, as a browser out of quota does. Install before the page loads.
 */
export async function simulateFullDisk(page: Page): Promise<{ arm: (afterWrites: number) => Promise<void>; disarm: () => Promise<void> }> {
  await page.addInitScript(() => {
    const w = window as unknown as { __quotaAfter?: number };
    for (const method of ['add', 'put'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
        if (typeof w.__quotaAfter === 'number' && w.__quotaAfter-- <= 0) {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return original.apply(this, args);
      } as (typeof IDBObjectStore.prototype)[typeof method];
    }
  });
  return {
    arm: (afterWrites) => page.evaluate((n) => void ((window as unknown as { __quotaAfter?: number }).__quotaAfter = n), afterWrites),
    disarm: () => page.evaluate(() => void delete (window as unknown as { __quotaAfter?: number }).__quotaAfter),
  };
}
