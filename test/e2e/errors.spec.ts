import { expect, test } from '@playwright/test';
import { loadTinyModel, openApp, startChat } from './app';

test.describe('clear errors that change nothing', () => {
  test('without WebGPU the app says so and offers the CPU engine', async ({ page }) => {
    await openApp(page, '#/models');
    await expect(page.getByText(/WebGPU is not available in this browser/)).toBeVisible();
    await expect(page.getByText(/Use the CPU engine with a GGUF model instead/)).toBeVisible();
    await expect(page.getByLabel('Load GGUF model')).toBeEnabled();
  });

  test('a file that is not a GGUF is rejected with its name, and a loaded model stays usable', async ({ page }) => {
    await openApp(page);
    await loadTinyModel(page);
    await page.getByLabel('Load GGUF model').setInputFiles({
      name: 'holiday.png',
      mimeType: 'image/png',
      buffer: Buffer.from('\x89PNG\r\n\x1a\n not a model at all'),
    });
    await expect(page.getByRole('alert')).toContainText('“holiday.png” is not a GGUF model file');
    // The rejected file did not take the place of the working model... it was never loaded.
    await page.getByRole('button', { name: 'Dismiss' }).first().click();
    await loadTinyModel(page);
    await startChat(page);
    await page.getByRole('textbox', { name: 'Message' }).fill('Still there?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('article[data-role="assistant"]').nth(1)).toBeVisible();
  });

  test('sending before a model is loaded keeps the text and points to the models page', async ({ page }) => {
    await openApp(page);
    await startChat(page, 'Ledger');
    await expect(page.getByText(/No model is loaded yet/)).toBeVisible();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Status report, Ledger.');
    await box.press('Enter');
    await expect(page.getByRole('alert')).toContainText('No model is loaded');
    await expect(box).toHaveValue('Status report, Ledger.');
    await expect(page.locator('article[data-role="user"]')).toHaveCount(0);
    await page.getByRole('link', { name: 'Other models' }).click();
    await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
  });

  test('when IndexedDB is unavailable (private window), the app explains instead of failing silently', async ({ page }) => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { get() { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); } });
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Hearth could not start.' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('private window');
  });

  test('the UI follows the browser language and can be switched', async ({ browser }) => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto('/');
    await expect(page.getByRole('heading', { name: '角色' })).toBeVisible();
    await page.getByRole('combobox', { name: '语言' }).selectOption('en');
    await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Characters' })).toBeVisible();
    await context.close();
  });

  test('works on a phone-sized screen', async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await openApp(page);
    await startChat(page);
    const box = page.getByRole('textbox', { name: 'Message' });
    await expect(box).toBeInViewport();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
