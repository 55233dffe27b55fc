// The lorebook editor in a real browser: a book made in Settings fires in a real chat's prompt
// (tiny GGUF), exports as World Info and imports back the same; a character's own book edited at
// phone size, with a runaway regex key refused as it is typed.

import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { loadTinyModel, openApp, startChat } from './app';

async function addEntry(page: Page, title: string, keys: string, content: string): Promise<void> {
  await page.getByRole('button', { name: 'Add entry' }).click();
  const form = page.getByRole('region', { name: /^Entry “/ });
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Keys, separated by commas', { exact: true }).fill(keys);
  await form.getByLabel('Content').fill(content);
  await form.getByRole('button', { name: 'Save entry' }).click();
  await expect(page.getByText('Entry saved.')).toBeVisible();
  await expect(page.getByRole('button', { name: `Edit entry “${title}”` })).toBeVisible();
}

async function exportWorldInfo(page: Page): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByRole('group', { name: 'Export' }).getByRole('button', { name: 'SillyTavern World Info' }).click();
  return readFileSync(await (await download).path(), 'utf8');
}

test.describe('the lorebook editor', () => {
  test('a new book fires in a real chat’s prompt, exports as World Info and imports back unchanged', async ({ page }) => {
    await openApp(page, '#/settings');
    await page.getByRole('button', { name: 'New lorebook' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Lorebook “New lorebook”' })).toBeVisible();
    await page.getByText('Book settings', { exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Gannet Rock');
    await page.getByRole('button', { name: 'Save book settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Lorebook “Gannet Rock”' })).toBeVisible();
    await addEntry(page, 'Lighthouse', 'lighthouse, beacon', 'The Gannet Rock lighthouse guides the ferry through the fog.');
    await addEntry(page, 'Zeppelin', 'zeppelin', 'A zeppelin moors at the rock on Sundays.');
    // The lighthouse entry goes among the chat's messages, two above the new one (SillyTavern's @depth).
    await page.getByRole('button', { name: 'Edit entry “Lighthouse”' }).click();
    const form = page.getByRole('region', { name: /^Entry “/ });
    await form.getByLabel('Where the entry goes').selectOption({ label: 'At a depth in the chat' });
    await form.getByLabel('Depth (messages above the new one)').fill('2');
    await form.getByRole('button', { name: 'Save entry' }).click();

    // The test panel: what fires for this text, with the key that matched and its tokens.
    await page.getByLabel('Chat text: one message per paragraph, the newest last').fill('Can you see the lighthouse?');
    const fired = page.getByRole('region', { name: 'Test the book' }).locator('ol li');
    await expect(fired).toHaveCount(1);
    await expect(fired.first()).toContainText(/Lighthouse · key “lighthouse” · \d+ tokens/);

    const exported = await exportWorldInfo(page);
    const file = JSON.parse(exported) as { name: string; entries: Record<string, { key: string[]; comment: string; content: string; disable: boolean }> };
    expect(file.name).toBe('Gannet Rock');
    expect(Object.values(file.entries).map((e) => [e.comment, e.key, e.disable])).toEqual([
      ['Lighthouse', ['lighthouse', 'beacon'], false],
      ['Zeppelin', ['zeppelin'], false],
    ]);
    expect(Object.values(file.entries)[0]).toMatchObject({ position: 4, depth: 2 });

    // In a real chat (global books apply to every character), the entry goes into the prompt.
    await loadTinyModel(page);
    await startChat(page);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Can you see the lighthouse?');
    await box.press('Enter');
    const reply = page.locator('article[data-role="assistant"]').last();
    await expect(reply).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
    await reply.getByRole('button', { name: 'Show prompt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prompt sent for this reply' });
    await expect(dialog.getByTestId('inspector-lore')).toContainText('Gannet Rock › Lighthouse');
    await expect(dialog.getByTestId('inspector-lore')).toContainText('key “lighthouse”');
    await expect(dialog.getByTestId('inspector-lore')).toContainText('at depth 2 in the chat');
    await expect(dialog.getByTestId('inspector-lore')).not.toContainText('Zeppelin');
    // Its tokens are counted in their own section; its text is shown with the history it sits in.
    await expect(dialog.locator('[data-section="lorebook-depth"]')).toBeVisible();
    await dialog.locator('[data-section="history"] summary').click();
    await expect(dialog.locator('[data-section="history"] pre').first()).toContainText('The Gannet Rock lighthouse guides the ferry through the fog.');
    await page.keyboard.press('Escape');

    // The exported file imported again is the same book: the same file comes out of it.
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles([{ name: 'gannet.json', mimeType: 'application/json', buffer: Buffer.from(exported) }]);
    await expect(page.getByRole('region', { name: 'Import results' }).locator('li')).toHaveCount(1);
    await page.getByRole('link', { name: 'Settings' }).click();
    const edits = page.getByRole('link', { name: 'Edit “Gannet Rock”' });
    await expect(edits).toHaveCount(2);
    await edits.first().click();
    await expect(page.getByRole('button', { name: 'Edit entry “Lighthouse”' })).toBeVisible();
    expect(await exportWorldInfo(page)).toBe(exported);
  });

  test('a character’s own book at phone size: no sideways scroll, a runaway regex key refused with the reason', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await openApp(page);
    await page.getByRole('link', { name: 'Open Hester Coyle' }).click();
    await page.getByRole('link', { name: /^Lorebook \(entries: \d+\)$/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: /^Lorebook “/ })).toBeVisible();
    await page.getByRole('button', { name: 'Add entry' }).click();
    const form = page.getByRole('region', { name: /^Entry “/ });
    await form.getByLabel('Title').fill('Bosun');
    const keys = form.getByLabel('Keys, separated by commas', { exact: true });
    await keys.fill('cat, /(a+)+b/');
    await expect(form.getByText(/“\/\(a\+\)\+b\/” will not be used: it could run away \(catastrophic backtracking\)/)).toBeVisible();
    await expect(keys).toHaveAttribute('aria-invalid', 'true');
    await form.getByRole('button', { name: 'Save entry' }).click();
    await expect(form.getByRole('alert')).toHaveText('Not saved: fix the keys marked above first.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1)).toBe(true);

    await keys.fill('cat, Bosun');
    await expect(keys).toHaveAttribute('aria-invalid', 'false');
    await form.getByLabel('Content').fill('Bosun the cat is in charge of mice.');
    await form.getByRole('button', { name: 'Save entry' }).click();
    await expect(page.getByText('Entry saved.')).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1)).toBe(true);

    // Stored in the character's card: still there after a reload.
    await page.reload();
    await expect(page.getByRole('button', { name: 'Edit entry “Bosun”' })).toBeVisible();
    // Deleted, then put back with Undo.
    await page.getByRole('button', { name: 'Delete entry “Bosun”' }).click();
    await expect(page.getByRole('button', { name: 'Edit entry “Bosun”' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(page.getByRole('button', { name: 'Edit entry “Bosun”' })).toBeVisible();
    await page.getByRole('link', { name: 'Back' }).click();
    await expect(page.getByRole('link', { name: /^Lorebook \(entries: \d+\)$/ })).toBeVisible();
  });
});
