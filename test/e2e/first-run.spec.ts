// The first-run path: from the gallery to a first reply in three clicks, the model offered in the
// chat itself. There is no network here: the offered Hugging Face URL is served the tiny GGUF.

import type { BrowserContext, Locator, Page } from '@playwright/test';
import { openApp, TINY_GGUF } from './app';
import { expect, test, tinyGgufPath } from './fixtures';

/** Serves every GGUF on Hugging Face as the tiny model (context routes also see the engine's worker). */
async function serveOfferedModel(context: BrowserContext): Promise<string[]> {
  const requested: string[] = [];
  await context.route(/^https:\/\/huggingface\.co\/.*\.gguf$/, async (route) => {
    requested.push(route.request().url());
    await route.fulfill({ path: tinyGgufPath, headers: { 'Content-Type': 'application/octet-stream', 'Access-Control-Allow-Origin': '*' } });
  });
  return requested;
}

/** Clicks, counting: the test states how many clicks a person needs. */
function clickCounter() {
  let clicks = 0;
  return {
    click: async (target: Locator) => {
      clicks++;
      await target.click();
    },
    get count() {
      return clicks;
    },
  };
}

function replies(page: Page): Locator {
  return page.locator('article[data-role="assistant"]');
}

test.describe('first run', () => {
  test('from the gallery to a first reply in three clicks: the chat offers the model and loads it in place', async ({ page, context }) => {
    const requested = await serveOfferedModel(context);
    await openApp(page);
    const person = clickCounter();

    await person.click(page.getByRole('link', { name: 'Chat with Hester Coyle' }));
    await expect(page).toHaveURL(/#\/chat\//);
    await expect(replies(page).first()).toBeVisible(); // her greeting
    const chatUrl = page.url();

    await person.click(page.getByRole('button', { name: /^Load / }));
    await expect(page.getByRole('progressbar')).toBeVisible(); // the download's progress, in the chat
    // Typing is not a click; Send waits (disabled) while the model loads.
    await page.getByRole('textbox', { name: 'Message' }).fill('Good evening. Is the lamp lit?');
    await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled({ timeout: 60_000 });
    await expect(page.getByText(/No model is loaded yet/)).toHaveCount(0);
    expect(page.url()).toBe(chatUrl); // loaded in place: still in the chat
    // The offered model's file (the engine asks more than once: size, then the bytes).
    expect(requested.length).toBeGreaterThan(0);
    expect(new Set(requested.map((url) => url.split('/').pop())).size).toBe(1);

    await person.click(page.getByRole('button', { name: 'Send' }));
    await expect(page.locator('article[data-role="user"]')).toHaveCount(1);
    await expect(replies(page).nth(1)).toHaveAttribute('data-status', /done|stopped/, { timeout: 60_000 });

    expect(person.count).toBeLessThanOrEqual(3);

    // Clicking the character again opens this chat, with what was said.
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByRole('link', { name: 'Chat with Hester Coyle' }).click();
    await expect(page).toHaveURL(chatUrl);
    await expect(page.locator('article[data-role="user"]')).toContainText('Is the lamp lit?');
  });

  test('opening a chat saves nothing until the first message, and Back skips the redirect', async ({ page }) => {
    await openApp(page);
    await page.getByRole('link', { name: 'Chat with Hester Coyle' }).click();
    await expect(page).toHaveURL(/#\/chat\//);
    await expect(replies(page).first()).toBeVisible();
    await page.goBack();
    await expect(page.getByRole('link', { name: 'Chat with Hester Coyle' })).toBeVisible();
    await page.getByRole('link', { name: 'Open Hester Coyle' }).click();
    await page.getByRole('button', { name: 'New chat' }).click();
    await expect(replies(page).first()).toBeVisible();
    await page.getByRole('link', { name: 'Back' }).first().click();
    await expect(page.getByRole('heading', { name: 'Hester Coyle' })).toBeVisible();
    await expect(page.getByText('No conversations yet. Start one — Hester Coyle is waiting.')).toBeVisible();
  });

  test('the Models page, reached from a chat, returns to it once a model is loaded there', async ({ page }) => {
    await openApp(page);
    await page.getByRole('link', { name: 'Chat with Hester Coyle' }).click();
    await expect(page).toHaveURL(/#\/chat\//);
    const chatUrl = page.url();
    await page.getByRole('link', { name: 'Other models' }).click();
    await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Back to the chat' })).toBeVisible();
    await page.getByLabel('Load GGUF model').setInputFiles(TINY_GGUF);
    await expect(page).toHaveURL(chatUrl, { timeout: 60_000 });
    await expect(page.getByText(/No model is loaded yet/)).toHaveCount(0);
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello?');
    await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
  });
});
