// Continue, Write my line (impersonate) and per-chat sampling on real replies of the tiny GGUF.

import { expect, test, type Page } from '@playwright/test';
import { loadTinyModel, openApp, sendMessage, setReplyLength, startChat } from './app';

const replies = (page: Page) => page.locator('article[data-role="assistant"]');

/** The "Settings sent" rows of the newest reply's prompt inspector, by setting. */
async function settingsSent(page: Page): Promise<Record<string, string>> {
  await replies(page).last().getByRole('button', { name: 'Show prompt' }).click();
  const dialog = page.getByRole('dialog', { name: 'Prompt sent for this reply' });
  await expect(dialog.getByRole('heading', { name: 'Settings sent' })).toBeVisible();
  const rows = await dialog.locator('[data-setting]').evaluateAll((items) =>
    Object.fromEntries(items.map((item) => [item.getAttribute('data-setting'), item.querySelector('dd')?.textContent ?? ''])));
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  return rows;
}

test('Continue grows the last reply in the same message; Write my line fills the box and saves nothing; a chat’s preset reaches the engine', async ({ page }) => {
  await openApp(page);
  await setReplyLength(page, 16);
  await loadTinyModel(page);
  await startChat(page);
  await sendMessage(page, 'Is the lamp lit tonight?', { untilDone: true });
  const reply = replies(page).nth(1);
  const before = await reply.locator('.content').innerText();
  expect(before.length).toBeGreaterThan(0);

  // Continue: no new message, the same one grows from where it stopped.
  await reply.getByRole('button', { name: 'Continue' }).click();
  // The reply was already done before the click: wait for it to grow, then to end again.
  await expect.poll(async () => (await reply.locator('.content').innerText()).length, { timeout: 90_000 }).toBeGreaterThan(before.length);
  await expect(reply).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
  await expect(replies(page)).toHaveCount(2);
  const after = await reply.locator('.content').innerText();
  expect(after.length).toBeGreaterThan(before.length);
  expect(after.startsWith(before.trimEnd())).toBe(true);

  // The settings sent: what the loaded engine (wllama) takes, the reply length among them.
  const sent = await settingsSent(page);
  expect(sent).toMatchObject({ maxTokens: '16', topK: '40', temperature: '0.8' });

  // Write my line: the model's draft lands in the message box; no message is added.
  const box = page.getByRole('textbox', { name: 'Message' });
  await page.getByRole('button', { name: 'Write my line' }).click();
  await expect(box).not.toHaveValue('', { timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
  await expect(page.locator('article[data-role="user"]')).toHaveCount(1);
  await expect(replies(page)).toHaveCount(2);

  // This chat's own sampling: Precise's temperature is what the next reply is sent.
  await page.getByLabel('Sampling for this chat').selectOption({ label: 'Precise' });
  await sendMessage(page, 'And the boats?', { untilDone: true });
  expect(await settingsSent(page)).toMatchObject({ temperature: '0.4', topK: '20', maxTokens: '16' });
  // Kept with the chat: after a reload the chat still uses it.
  await page.reload();
  await expect(page.getByLabel('Sampling for this chat')).toHaveValue('builtin:precise');
});
