// A group chat of two built-in characters on the CPU engine with the tiny GGUF: each answers in
// turn under their own name, a click on a member makes them reply, and a reload keeps it all.

import { expect, test } from '@playwright/test';
import { loadTinyModel, openApp, sendMessage, setReplyLength } from './app';

test('a group of two built-ins: a reply from each in list order, a manual pick, and a reload keeps it', async ({ page }) => {
  await openApp(page);
  await setReplyLength(page, 32);
  await loadTinyModel(page);

  await page.getByRole('link', { name: 'Characters' }).click();
  await page.getByRole('link', { name: 'New group' }).click();
  await page.getByRole('textbox', { name: 'Group name' }).fill('Night watch');
  await page.getByRole('checkbox', { name: 'Hester Coyle' }).check();
  await page.getByRole('checkbox', { name: 'Ledger' }).check();
  await page.getByRole('combobox', { name: 'Who speaks next' }).selectOption({ label: 'In list order' });
  await page.getByRole('combobox', { name: 'A new chat opens with' }).selectOption({ label: 'Hester Coyle’s greeting' });
  await page.getByRole('button', { name: 'Save group' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Night watch' })).toBeVisible();
  await expect(page.getByText('Members: Hester Coyle, Ledger')).toBeVisible();

  await page.getByRole('button', { name: 'New chat' }).click();
  const replies = page.locator('article[data-role="assistant"]');
  await expect(replies.first()).toHaveAttribute('aria-label', 'Hester Coyle');

  // List order: Ledger answers after Hester's greeting, then Hester.
  await sendMessage(page, 'Who is on watch tonight?', { untilDone: true });
  await expect(replies.nth(1)).toHaveAttribute('aria-label', 'Ledger');
  await sendMessage(page, 'And the lamp?', { untilDone: true });
  await expect(replies.nth(2)).toHaveAttribute('aria-label', 'Hester Coyle');

  // Manual: the person picks who replies.
  await page.getByRole('combobox', { name: 'Who speaks next' }).selectOption({ label: 'I pick (click a member)' });
  await page.getByRole('button', { name: 'Make Ledger reply' }).click();
  await expect(replies).toHaveCount(4);
  await expect(replies.nth(3)).toHaveAttribute('aria-label', 'Ledger');
  await expect(replies.nth(3)).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });

  await page.reload();
  await expect(replies).toHaveCount(4);
  expect(await replies.evaluateAll((articles) => articles.map((a) => a.getAttribute('aria-label')))).toEqual(['Hester Coyle', 'Ledger', 'Hester Coyle', 'Ledger']);
  await expect(page.locator('article[data-role="user"]')).toHaveCount(2);
  await expect(page.getByRole('combobox', { name: 'Who speaks next' })).toHaveValue('manual');
  await expect(page.getByRole('button', { name: 'Make Hester Coyle reply' })).toBeVisible();
});
