import { expect, test } from '@playwright/test';
import { loadTinyModel, openApp, recordStreaming, setReplyLength, startChat, streamingSamples } from './app';

test.describe('chatting on the CPU engine with a real (tiny) GGUF model', () => {
  test('streams, stops, regenerates, and survives a reload', async ({ page }) => {
    await openApp(page);
    await expect(page.locator('.grid > li')).toHaveCount(6);
    await setReplyLength(page, 1024);
    await loadTinyModel(page);
    await startChat(page);
    const replies = page.locator('article[data-role="assistant"]');
    const greeting = await replies.first().locator('.content').innerText();
    expect(greeting.length).toBeGreaterThan(20);

    // Send with Enter and watch the reply grow in several steps.
    await recordStreaming(page);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Hello, keeper. Is the lamp lit tonight?');
    await box.press('Enter');
    await expect(page.locator('article[data-role="user"]')).toContainText('Is the lamp lit tonight?');
    await expect(replies.nth(1)).toHaveAttribute('data-status', 'streaming');
    await expect.poll(async () => new Set(await streamingSamples(page)).size, { timeout: 20_000 }).toBeGreaterThan(3);

    // Stop mid-reply: the text written so far stays.
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(replies.nth(1)).toHaveAttribute('data-status', /stopped|done/);
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    const stoppedText = await replies.nth(1).locator('.content').innerText();
    expect(stoppedText.length).toBeGreaterThan(0);
    const samples = await streamingSamples(page);
    expect(samples.length).toBeGreaterThan(3);

    // Regenerate: a second version appears and the first one is kept as a swipe.
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect(page.getByText('2 of 2')).toBeVisible();
    await page.keyboard.press('Escape'); // Escape stops the regenerated reply
    await expect(replies.nth(1)).not.toHaveAttribute('data-status', 'streaming');
    const regenerated = await replies.nth(1).locator('.content').innerText();
    await replies.nth(1).getByRole('button', { name: 'Previous version' }).click();
    await expect(page.getByText('1 of 2')).toBeVisible();
    await expect.poll(() => replies.nth(1).locator('.content').innerText()).toBe(stoppedText);

    // Reload: the conversation is all there, on the version last shown.
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await expect.poll(() => replies.first().locator('.content').innerText()).toBe(greeting);
    await expect(page.locator('article[data-role="user"]')).toContainText('Is the lamp lit tonight?');
    await expect.poll(() => replies.nth(1).locator('.content').innerText()).toBe(stoppedText);
    await expect(page.getByText('1 of 2')).toBeVisible();
    await replies.nth(1).getByRole('button', { name: 'Next version' }).click();
    await expect.poll(() => replies.nth(1).locator('.content').innerText()).toBe(regenerated);
  });

  test('a reload mid-reply keeps the partial text', async ({ page }) => {
    await openApp(page);
    await setReplyLength(page, 2048);
    await loadTinyModel(page);
    await startChat(page, '胡不归');
    await recordStreaming(page);
    await page.getByRole('textbox', { name: 'Message' }).fill('掌柜的，来一壶茶。');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(async () => Math.max(0, ...(await streamingSamples(page))), { timeout: 20_000 }).toBeGreaterThan(40);
    await page.waitForTimeout(400); // let the periodic save catch up
    await page.reload();
    const reply = page.locator('article[data-role="assistant"]').nth(1);
    await expect(reply).toBeVisible();
    expect((await reply.locator('.content').innerText()).length).toBeGreaterThan(10);
    await expect(reply).toHaveAttribute('data-status', /interrupted|done/);
  });

  test('hostile text in messages is shown as text, never run', async ({ page }) => {
    await openApp(page);
    await loadTinyModel(page);
    await startChat(page);
    const hostile = '<img src=x onerror="window.pwned=1"> <script>window.pwned=1</script> [click](javascript:window.pwned=1)';
    await page.getByRole('textbox', { name: 'Message' }).fill(hostile);
    await page.getByRole('button', { name: 'Send' }).click();
    const mine = page.locator('article[data-role="user"]');
    await expect(mine).toContainText('<script>window.pwned=1</script>');
    expect(await mine.locator('img, script, a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  test('edits and deletes a message, with undo', async ({ page }) => {
    await openApp(page);
    await loadTinyModel(page);
    await startChat(page);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('First line');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    await expect(box).toHaveValue('First line\nsecond line');
    await box.press('Enter');
    const mine = page.locator('article[data-role="user"]');
    await expect(mine).toContainText('second line');
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible({ timeout: 30_000 });

    await mine.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('textbox', { name: 'Edit message' }).fill('An edited line');
    await page.getByRole('button', { name: 'Save edit' }).click();
    await expect(mine).toContainText('An edited line');

    await mine.getByRole('button', { name: 'Delete message' }).click();
    await expect(page.locator('article[data-role="user"]')).toHaveCount(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(page.locator('article[data-role="user"]')).toContainText('An edited line');
    await page.reload();
    await expect(page.locator('article[data-role="user"]')).toContainText('An edited line');
  });
});
