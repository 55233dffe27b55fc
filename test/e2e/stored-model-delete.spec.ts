// Deleting a stored model by keyboard: Escape takes back the question and keeps focus on Delete;
// once deleted, the chat page no longer offers to load it again.

import { openApp, startChat } from './app';
import { expect, test, tinyGgufPath } from './fixtures';

test('Escape cancels a model delete with focus kept; a deleted model is not offered again', async ({ page }) => {
  await openApp(page);
  await page.goto('/#/models');
  await page.getByLabel('Load GGUF model').setInputFiles(tinyGgufPath);
  const item = page.getByRole('list', { name: 'Stored models' }).getByRole('listitem').filter({ hasText: 'tiny.gguf' });
  await expect(item).toContainText('kept on this device');
  await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Unload', exact: true }).click();

  await startChat(page);
  await expect(page.getByRole('button', { name: /^Load .*tiny\.gguf.* again$/ })).toBeVisible();

  await page.getByRole('link', { name: 'Models', exact: true }).click();
  const remove = item.getByRole('button', { name: /^Delete / });
  await remove.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Delete it' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Delete it' })).toHaveCount(0);
  await expect(remove).toBeFocused();

  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Delete it' }).press('Enter');
  await expect(page.getByText(/Deleted .*tiny\.gguf/)).toBeVisible();
  await startChat(page);
  await expect(page.getByText('No model loaded')).toBeVisible();
  await expect(page.getByRole('button', { name: /Load .* again/ })).toHaveCount(0);
});
