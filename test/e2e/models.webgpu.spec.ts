import { expect, test } from '@playwright/test';
import { openApp, startChat } from './app';

// Runs with --enable-unsafe-webgpu: SwiftShader gives an adapter without shader-f16.
test.describe('web-llm catalog on a WebGPU device without shader-f16', () => {
  test('offers only q4f32 variants, with a recommended default', async ({ page }) => {
    await openApp(page, '#/models');
    await expect(page.getByText(/WebGPU available/)).toBeVisible();
    await expect(page.getByText(/no 16-bit float support/)).toBeVisible();
    const picker = page.getByRole('combobox', { name: 'Model', exact: true });
    const options = await picker.locator('option').allInnerTexts();
    expect(options.length).toBeGreaterThanOrEqual(5);
    expect(options.every((text) => text.includes('q4f32'))).toBe(true);
    expect(options.some((text) => text.includes('q4f16'))).toBe(false);
    expect(options.filter((text) => text.includes('recommended'))).toHaveLength(1);
    for (const family of ['Qwen2.5 1.5B', 'Llama 3.2 1B', 'Llama 3.2 3B', 'SmolLM2 360M', 'Qwen3 1.7B']) {
      expect(options.some((text) => text.includes(family)), family).toBe(true);
    }
  });

  test('choosing a model with the network blocked gives a clear error and leaves the app usable', async ({ page }) => {
    const leaked: string[] = [];
    await page.route((url) => !['localhost', '127.0.0.1'].includes(url.hostname), (route) => {
      leaked.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await openApp(page, '#/models');
    const picker = page.getByRole('combobox', { name: 'Model', exact: true });
    await picker.selectOption({ index: 0 });
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText(/could not be downloaded|download failed/i, { timeout: 60_000 });
    await expect(picker).toBeEnabled();
    await expect(page.getByRole('button', { name: 'Load', exact: true })).toBeEnabled();
    // The rest of the app still works.
    await startChat(page, 'Ledger');
    await expect(page.getByText(/No model is loaded yet/)).toBeVisible();
    expect(leaked.length).toBeGreaterThan(0); // it did try the network, and the block held
  });
});
