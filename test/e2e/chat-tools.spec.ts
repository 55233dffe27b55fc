// A person's chats beyond one conversation, in the built app on real IndexedDB: importing a
// SillyTavern chat, exporting it (JSONL back in equals, Markdown reads right), branching from a
// message, searching across chats to the message, and the Discover gallery's categories and Continue.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { openApp } from './app';

const EMBER_INN = fileURLToPath(new URL('../unit/core/chat-files/ember-inn.jsonl', import.meta.url));

const messages = (page: Page) => page.locator('article.message');
const texts = (page: Page) => messages(page).locator('.content').allInnerTexts();

/** Imports the hand-written SillyTavern chat with Hester Coyle and opens it; returns its address. */
async function importEmberInn(page: Page): Promise<string> {
  await openApp(page);
  await page.getByLabel('Import chats').setInputFiles(EMBER_INN);
  const results = page.getByRole('region', { name: 'Imported chats' });
  await expect(results).toContainText('ember-inn.jsonl: imported into a chat with Hester Coyle (messages: 8).');
  await expect(results).toContainText('Line 7 was skipped: it is not valid JSON.');
  await results.getByRole('link', { name: 'Open the chat' }).click();
  await expect(messages(page)).toHaveCount(6);
  return page.url();
}

async function download(page: Page, format: string): Promise<{ name: string; text: string }> {
  await page.getByRole('link', { name: 'Back' }).click();
  await page.getByLabel('Export ember-inn', { exact: true }).click();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: format }).click()]);
  const path = test.info().outputPath(file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

test.describe('chat files', () => {
  test('a SillyTavern chat exported and imported again has the same messages', async ({ page }) => {
    await importEmberInn(page);
    const before = await texts(page);
    expect(before[1]).toContain('Élancourt');
    const jsonl = await download(page, 'SillyTavern (.jsonl)');
    expect(jsonl.name).toBe('ember-inn.jsonl');

    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByLabel('Import chats').setInputFiles({ name: 'round-trip.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(jsonl.text) });
    const results = page.getByRole('region', { name: 'Imported chats' });
    await expect(results).toContainText('round-trip.jsonl: imported into a chat with Hester Coyle (messages: 8).');
    await results.getByRole('link', { name: 'Open the chat' }).click();
    await expect(messages(page)).toHaveCount(6);
    expect(await texts(page)).toEqual(before);
    // The swipes came back too: the third message is the second of three versions.
    await expect(messages(page).nth(2).getByText('2 of 3')).toBeVisible();
  });

  test('Markdown export holds the chat under its speakers', async ({ page }) => {
    await importEmberInn(page);
    const markdown = await download(page, 'Markdown (.md)');
    expect(markdown.name).toBe('ember-inn.md');
    expect(markdown.text).toMatch(/^# ember-inn\n/);
    expect(markdown.text).toContain("**Hester Coyle:**\n\n*The lamp gutters as the door swings open.* You're late");
    expect(markdown.text).toContain('Then you walked the cliff path? In this weather?');
    expect(markdown.text).not.toContain('That ferryman drinks'); // a swipe not shown
  });
});

test('branch from a message: the new chat has the history up to it and is listed under its origin', async ({ page }) => {
  await importEmberInn(page);
  const before = await texts(page);
  await messages(page).nth(2).getByRole('button', { name: 'Branch from here' }).click();
  await expect(page.getByRole('region', { name: /ember-inn \(branch\)/ })).toBeVisible();
  await expect(messages(page)).toHaveCount(3);
  expect(await texts(page)).toEqual(before.slice(0, 3));

  await page.getByRole('link', { name: 'Back' }).click();
  const branches = page.getByRole('list', { name: 'Branches of ember-inn' });
  await expect(branches.getByRole('link', { name: /ember-inn \(branch\)/ })).toBeVisible();
});

test('search finds text in any chat, ignoring accents, and opens the chat at the message', async ({ page }) => {
  await importEmberInn(page);
  await page.getByRole('link', { name: 'Search', exact: true }).click();
  await page.getByRole('searchbox', { name: 'Text to find' }).fill('elancourt');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('main').getByRole('status')).toHaveText('Messages found: 1');
  const result = page.getByRole('link', { name: /Élancourt/ });
  await expect(result.locator('mark')).toHaveText('Élancourt');
  await result.click();
  const marked = page.locator('article[aria-current="true"]');
  await expect(marked).toContainText('The ferry from Élancourt was cancelled');
  await expect(marked).toBeInViewport();
});

test('Discover: the gallery is grouped by category, and Continue goes straight back into the last chat', async ({ page }) => {
  const chatUrl = await importEmberInn(page);
  await page.getByRole('link', { name: 'Characters' }).click();
  await expect(page.getByRole('region', { name: 'Mystery & horror' }).getByRole('link', { name: /Open Cornelius Fane/ })).toBeVisible();
  const life = page.getByRole('region', { name: 'Slice of life' });
  await expect(life.getByRole('link', { name: /Open Hester Coyle/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Sci-fi' }).getByRole('link', { name: /Open Ledger/ })).toBeVisible();
  await life.getByRole('link', { name: 'Continue chat with Hester Coyle' }).click();
  await expect(page).toHaveURL(chatUrl);
  await expect(messages(page)).toHaveCount(6);
  // A search still gives one list.
  await page.getByRole('link', { name: 'Characters' }).click();
  await page.getByRole('searchbox', { name: 'Search characters' }).fill('Hester');
  await expect(page.getByRole('region', { name: 'Slice of life' })).toHaveCount(0);
  await expect(page.locator('.grid a.card')).toHaveCount(1);
});
