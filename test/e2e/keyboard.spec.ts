// The keyboard path, counted: from a fresh load to the first character card, and to a reply from a
// built-in character on the tiny GGUF. Each Tab, Enter and typed message counts as one key action.

import type { Locator, Page } from '@playwright/test';
import { expect, test, tinyGgufPath } from './fixtures';

class KeyCounter {
  presses = 0;
  tabs = 0;

  constructor(private readonly page: Page) {}

  async press(key: 'Tab' | 'Enter'): Promise<void> {
    this.presses++;
    if (key === 'Tab') this.tabs++;
    await this.page.keyboard.press(key);
  }

  async type(text: string): Promise<void> {
    this.presses++;
    await this.page.keyboard.type(text);
  }

  /** Presses Tab until `target` has focus; fails after `limit` presses. */
  async tabTo(target: Locator, limit = 40): Promise<void> {
    await expect(target).toBeAttached();
    for (let i = 0; i < limit; i++) {
      if (await target.evaluate((element) => element === document.activeElement)) return;
      await this.press('Tab');
    }
    throw new Error(`${limit} Tab presses did not reach ${target}`);
  }
}

/** Fresh load: the skip link is the first Tab stop and Enter on it puts focus on the page heading. */
async function skipToContent(page: Page, keys: KeyCounter): Promise<void> {
  await keys.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await keys.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
}

test.describe('keyboard path', () => {
  test('from a fresh load, a handful of Tab presses reach the first character card', async ({ page }) => {
    await page.goto('/#/');
    await expect(page.locator('.grid a').first()).toBeVisible();
    const keys = new KeyCounter(page);
    await skipToContent(page, keys);
    await keys.tabTo(page.locator('.grid a').first());
    console.log(`Tab presses to the first card: ${keys.tabs} (key actions ${keys.presses})`);
    expect(keys.tabs).toBeLessThanOrEqual(7);
  });

  test('from a fresh load with the tiny GGUF on the device, a reply takes fewer than 25 key actions', async ({ page }) => {
    // Picking the file needs the system file dialog, so it happens before counting; the model is kept
    // on the device and the chat offers to load it again after the reload.
    await page.goto('/#/models');
    await page.getByLabel('Load GGUF model').setInputFiles(tinyGgufPath);
    await expect(page.getByText(/Loaded: /)).toBeVisible({ timeout: 60_000 });
    await page.goto('/#/');
    await page.reload();
    await expect(page.locator('.grid a').first()).toBeVisible();

    const keys = new KeyCounter(page);
    await skipToContent(page, keys);
    await keys.tabTo(page.locator('.grid a').first());
    await keys.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await keys.tabTo(page.getByRole('button', { name: 'New chat' }));
    await keys.press('Enter');
    await expect(page.locator('article[data-role="assistant"]').first()).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await keys.tabTo(page.getByRole('button', { name: /^Load .* again$/ }));
    await keys.press('Enter');
    // Loaded, focus lands in the message box: no Tab needed to start typing.
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused({ timeout: 60_000 });
    await keys.type('Good evening. Any news?');
    await keys.press('Enter');
    await expect(page.locator('article[data-role="user"]')).toContainText('Good evening. Any news?');
    await expect(page.locator('article[data-role="assistant"]').last()).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
    await expect(page.locator('article[data-role="assistant"]')).toHaveCount(2);
    console.log(`Key actions to a reply: ${keys.presses} (Tab ${keys.tabs})`);
    expect(keys.presses).toBeLessThan(25);
  });
});
