// Two tabs of one browser on the same data: a save made from an older view is refused with a
// sentence (the person's text stays), and a chat open in one tab shows the other tab's edits.

import { expect, test } from './fixtures';
import { openApp, startChat } from './app';

test('a persona saved in another tab is not undone: the later save is refused and keeps its text', async ({ context, page }) => {
  await openApp(page, '#/settings');
  await page.getByLabel('Your name').fill('Mara');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved.').last()).toBeVisible();

  const other = await context.newPage();
  await openApp(other, '#/settings');
  await expect(other.getByLabel('Your name')).toHaveValue('Mara');
  await other.getByLabel('About you (optional, the character sees this)').fill('Written in the second tab.');

  // The first tab saves a new name while the second is still editing.
  await page.getByLabel('Your name').fill('Mara Vell');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved.').last()).toBeVisible();

  await other.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(other.getByRole('alert').filter({ hasText: 'Your persona was changed or deleted in another tab or window' })).toBeVisible();
  await expect(other.getByLabel('About you (optional, the character sees this)')).toHaveValue('Written in the second tab.');

  await page.reload();
  await expect(page.getByLabel('Your name')).toHaveValue('Mara Vell');
  await expect(page.getByLabel('About you (optional, the character sees this)')).toHaveValue('');
});

test('a chat open in one tab shows the message edit saved in another', async ({ context, page }) => {
  await openApp(page);
  await startChat(page);
  // A new chat is saved on its first change: this edit saves it, so the other tab can open it.
  const first = page.locator('article[data-role="assistant"]').first();
  await first.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('textbox', { name: 'Edit message' }).fill('Edited in the first tab.');
  await page.getByRole('button', { name: 'Save edit' }).click();
  await expect(first).toContainText('Edited in the first tab.');
  const other = await context.newPage();
  await other.goto(page.url());
  const greeting = other.locator('article[data-role="assistant"]').first();
  await greeting.getByRole('button', { name: 'Edit' }).click();
  await other.getByRole('textbox', { name: 'Edit message' }).fill('Edited in the second tab.');
  await other.getByRole('button', { name: 'Save edit' }).click();
  await expect(greeting).toContainText('Edited in the second tab.');

  await expect(page.locator('article[data-role="assistant"]').first()).toContainText('Edited in the second tab.');
});
