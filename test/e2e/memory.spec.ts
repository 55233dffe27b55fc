// Long-term memory on real replies of the tiny GGUF: the rolling summary written by the engine while
// the chat is idle, shown in the Memory panel and kept after a reload; a pinned message in the prompt.

import { expect, test, type Page } from '@playwright/test';
import { loadTinyModel, openApp, setReplyLength, startChat } from './app';

/** Sends a message and waits until its reply is written (the composer offers Send again). */
async function send(page: Page, text: string): Promise<void> {
  const replies = page.locator('article[data-role="assistant"]');
  const before = await replies.count();
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  await expect(page.locator('article[data-role="user"]').last()).toContainText(text.slice(0, 40));
  await expect(replies).toHaveCount(before + 1, { timeout: 90_000 });
  await expect(replies.last()).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
}

const long = (i: number) => `Message ${i}: ` + 'The fog rolled over the harbour while the lamps of the quay flickered and the bells rang. '.repeat(28);

test.describe('long-term memory', () => {
  test('a long chat gets a summary written by the engine, shown in the Memory panel and kept after a reload', async ({ page }) => {
    test.setTimeout(600_000);
    await openApp(page);
    await setReplyLength(page, 16);
    await loadTinyModel(page);
    await startChat(page);
    const memoryButton = page.getByRole('button', { name: 'Memory', exact: true });
    await memoryButton.click();
    const panel = page.getByTestId('memory-panel');
    await expect(panel.getByTestId('memory-no-summary')).toBeVisible();

    // Enough long messages that the oldest no longer fit the 4096-token window; the summary is due once 6 fell out.
    for (let i = 0; i < 14 && !(await panel.getByText(/Covers the first \d+ messages/).isVisible()); i++) await send(page, long(i));
    await expect(panel.getByText(/Covers the first \d+ messages of this branch/)).toBeVisible({ timeout: 120_000 });
    const text = await panel.getByRole('textbox', { name: 'Summary text' }).inputValue();
    expect(text.trim().length).toBeGreaterThan(0);

    await page.reload();
    await page.getByRole('button', { name: 'Memory', exact: true }).click();
    await expect(page.getByTestId('memory-panel').getByText(/Covers the first \d+ messages of this branch/)).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Summary text' })).toHaveValue(text);
  });

  test('a pinned message appears in the prompt inspector, in the Memory section and the pinned facts sent', async ({ page }) => {
    test.setTimeout(300_000);
    await openApp(page);
    await setReplyLength(page, 16);
    await loadTinyModel(page);
    await startChat(page);
    await send(page, 'I am allergic to cats, remember that.');
    await page.locator('article[data-role="user"]').last().getByRole('button', { name: 'Pin to memory' }).click();
    await expect(page.getByText('Pinned to this chat’s memory.')).toBeVisible();
    await send(page, 'Shall we visit the cat café?');

    await page.locator('article[data-role="assistant"]').last().getByRole('button', { name: 'Show prompt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prompt sent for this reply' });
    await expect(dialog.getByTestId('inspector-memory')).toContainText(/Pinned memory\s*· in the prompt\s*· \d+ tokens/);
    await dialog.locator('[data-section="pins"] summary').click();
    await expect(dialog.locator('[data-section="pins"] pre').first()).toContainText('- I am allergic to cats, remember that.');
  });
});
