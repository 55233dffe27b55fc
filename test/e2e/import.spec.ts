// Importing through the gallery as a person would: a PNG card written by the app's own card writer
// and a real ChatHaruhi pack zipped in the test, per-file results, the imported character's page and
// a chat with it on the tiny GGUF; a bad file; and the replace-or-keep-both question.

import { expect, test, type Page } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import { exportPngCard, type CardCharacter } from '../../src/core/cards';
import { join } from 'node:path';
import { FIXTURES, haveFixtures, readPackFolder } from '../unit/core/packs/helpers';
import { loadTinyModel, openApp, recordStreaming, simulateFullDisk, streamingSamples } from './app';

const wren: CardCharacter = {
  name: 'Wren Ashdown',
  nickname: '',
  avatar: '',
  shortDescription: 'Keeper of a lantern-lit archive.',
  description: '{{char}} is the archivist of Ashdown, patient and dry-witted.',
  personality: 'patient, precise',
  scenario: 'A rainy evening in the archive.',
  firstMessage: '*The lantern flickers.* Welcome to the Ashdown archive, {{user}}.',
  alternateGreetings: ['Back again? The index cards missed you.'],
  exampleDialogue: '',
  systemPrompt: '',
  postHistoryInstructions: '',
  creatorNotes: 'Best with a small model. These notes are never sent to it.',
  tags: ['archive'],
  creator: 'e2e',
  characterVersion: '1',
  catchphrases: [],
  language: 'en',
  extensions: {},
};

const pngCard = () => ({ name: 'wren.png', mimeType: 'image/png', buffer: Buffer.from(exportPngCard(wren)) });

function haruhiZip() {
  const files = readPackFolder('haruhi');
  return { name: 'haruhi.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes])))) };
}

async function importFiles(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles(files);
}

const results = (page: Page) => page.getByRole('region', { name: 'Import results' });

test.describe('importing characters', () => {
  test.skip(!haveFixtures, 'needs ../shared/fixtures/chatharuhi');

  test('a PNG card and a ChatHaruhi zip import with per-file results, and the card chats', async ({ page }) => {
    await openApp(page);
    await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeVisible();
    await importFiles(page, [pngCard(), haruhiZip()]);

    const list = results(page);
    await expect(list.locator('li[data-status]')).toHaveCount(2);
    await expect(list.locator('li', { hasText: 'wren.png' })).toContainText('Imported');
    await expect(list.locator('li', { hasText: 'haruhi.zip' })).toContainText('Imported with warnings');
    // Named from the pack's system prompt (你正在扮演凉宫春日), not from the zip or folder name.
    await expect(list.getByRole('link', { name: 'Open 凉宫春日' })).toContainText('172 scenes');
    await expect(page.getByRole('link', { name: 'Open Wren Ashdown' }).first()).toBeVisible();

    // The imported character survives a reload and its page shows the creator's notes.
    await page.reload();
    await page.locator('.grid').getByRole('link', { name: 'Open Wren Ashdown' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Wren Ashdown' })).toBeVisible();
    await expect(page.getByText('These notes are never sent to it.')).toBeVisible();
    const characterUrl = page.url();

    await loadTinyModel(page);
    await page.goto(characterUrl);
    await page.getByRole('button', { name: 'New chat' }).click();
    const replies = page.locator('article[data-role="assistant"]');
    await expect(replies.first()).toContainText('Welcome to the Ashdown archive');
    // The alternate greeting is the greeting's second swipe.
    await expect(page.getByText('1 of 2')).toBeVisible();

    await recordStreaming(page);
    await page.getByRole('textbox', { name: 'Message' }).fill('What is in the oldest drawer?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('article[data-role="user"]')).toContainText('oldest drawer');
    await expect.poll(async () => new Set(await streamingSamples(page)).size, { timeout: 30_000 }).toBeGreaterThan(2);
  });

  test('a bad file is refused with its reason and nothing is added', async ({ page }) => {
    await openApp(page);
    const cards = page.locator('.grid > li');
    const before = await cards.count();
    await importFiles(page, [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('a shopping list, not a card') },
      { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"spec":"chara_card_v2","data":{"name":') },
    ]);
    const list = results(page);
    await expect(list.locator('li', { hasText: 'notes.txt' })).toContainText('Not imported');
    await expect(list.locator('li', { hasText: 'notes.txt' })).toContainText('This is not a character card.');
    await expect(list.locator('li', { hasText: 'broken.json' })).toContainText('The file is not valid JSON');
    await expect(cards).toHaveCount(before);
    await page.reload();
    await expect(cards).toHaveCount(before);
  });

  test('a full disk during an import says how much room it needs and adds nothing', async ({ page }) => {
    const fullDisk = await simulateFullDisk(page);
    await openApp(page);
    const cards = page.locator('.grid > li');
    const before = await cards.count();
    await fullDisk.arm(20);
    await importFiles(page, [haruhiZip()]);
    const result = results(page).locator('li', { hasText: 'haruhi.zip' });
    await expect(result).toContainText('Not imported');
    await expect(result).toContainText(/no room left to save this: it needs about \d+(\.\d)? (KB|MB)/);
    await expect(result).toContainText('Nothing was changed.');
    await fullDisk.disarm();
    await expect(cards).toHaveCount(before);
    await page.reload();
    await expect(cards).toHaveCount(before);
    await expect(page.getByRole('link', { name: 'Open 凉宫春日' })).toHaveCount(0);
  });

  test('importing the same card again asks to replace it or keep both', async ({ page }) => {
    await openApp(page);
    const wrens = page.locator('.grid').getByRole('link', { name: 'Open Wren Ashdown' });
    await importFiles(page, [pngCard()]);
    await expect(wrens).toHaveCount(1);

    await importFiles(page, [pngCard()]);
    const dialog = page.getByRole('dialog', { name: 'Already in your characters' });
    await expect(dialog).toContainText('“Wren Ashdown” from wren.png is already here.');
    await dialog.getByRole('button', { name: 'Keep both' }).click();
    await expect(wrens).toHaveCount(2);

    await importFiles(page, [pngCard()]);
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await expect(results(page).locator('li', { hasText: 'wren.png' })).toContainText('Imported');
    await expect(wrens).toHaveCount(2);

    // Escape on the question skips the file.
    await importFiles(page, [pngCard()]);
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(results(page).locator('li', { hasText: 'wren.png' })).toContainText('Skipped');
    await expect(wrens).toHaveCount(2);
  });

  test('a pack folder imports from the folder picker, named from its text, and can be renamed from its result', async ({ page }) => {
    await openApp(page);
    await page.getByLabel('Import a pack folder (ChatHaruhi or RoleLLM)').setInputFiles(join(FIXTURES, 'hutao'));
    const row = results(page).locator('li', { hasText: 'hutao' });
    await expect(row).toContainText(/Imported/);
    await row.getByRole('button', { name: 'Rename 胡桃' }).click();
    await row.getByRole('textbox', { name: 'Name' }).fill('胡桃堂主');
    await row.getByRole('button', { name: 'Save name' }).click();
    await row.getByRole('link', { name: 'Open 胡桃堂主' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '胡桃堂主' })).toBeVisible();
  });

  test('a World Info lorebook is kept as a global book, managed in Settings', async ({ page }) => {
    await openApp(page);
    const worldInfo = { entries: { 0: { uid: 0, key: ['lantern'], keysecondary: [], content: 'The lanterns of Ashdown never go out.', order: 10, disable: false, selectiveLogic: 0, position: 0 } } };
    await importFiles(page, [{ name: 'Ashdown lore.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(worldInfo)) }]);
    await expect(results(page).locator('li', { hasText: 'Ashdown lore.json' })).toContainText('Lorebook kept for every character');

    await page.getByRole('link', { name: 'Settings' }).click();
    const use = page.getByRole('checkbox', { name: 'Use “Ashdown lore”' });
    await expect(use).toBeChecked();
    await expect(page.getByText('Entries: 1')).toBeVisible();
    await use.uncheck();
    await page.reload();
    await expect(page.getByRole('checkbox', { name: 'Use “Ashdown lore”' })).not.toBeChecked();
    await page.getByRole('button', { name: 'Delete “Ashdown lore”' }).click();
    await expect(page.getByText('No lorebooks yet.')).toBeVisible();
  });

  test('a long import shows its progress and Escape cancels it, adding nothing', async ({ page }) => {
    await openApp(page);
    const cards = page.locator('.grid > li');
    const before = await cards.count();
    const files: Record<string, Uint8Array> = { 'big/system_prompt.txt': strToU8('You are Mira.') };
    for (let i = 0; i < 20_000; i++) files[`big/texts/${i}.txt`] = strToU8(`Mira:「Story number ${i}, told by the harbour.」\nJun:「And then?」`);
    await importFiles(page, [{ name: 'big.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(files)) }]);
    await expect(page.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(results(page).locator('li', { hasText: 'big.zip' })).toContainText('Cancelled; nothing from this file was saved.');
    await expect(cards).toHaveCount(before);
  });

  test('files dropped onto the gallery are imported', async ({ page }) => {
    await openApp(page);
    const card = JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Dropped Dana', description: 'Arrived by drag and drop.', first_mes: 'Hello from the drop zone.' } });
    const transfer = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'dana.json', { type: 'application/json' }));
      return data;
    }, card);
    const zone = page.getByRole('region', { name: 'Drop cards, packs or lorebooks here to import them' });
    await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
    await expect(zone.getByText('Drop cards, packs or lorebooks here to import them')).toBeVisible();
    await zone.dispatchEvent('drop', { dataTransfer: transfer });
    await expect(results(page).locator('li', { hasText: 'dana.json' })).toContainText('Imported');
    await expect(page.locator('.grid').getByRole('link', { name: 'Open Dropped Dana' })).toBeVisible();
  });

  test('a file dropped beside the gallery (on the header) is imported too, not opened by the browser', async ({ page }) => {
    await openApp(page);
    const card = JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Edge Eddie', description: 'Dropped on the header.', first_mes: 'Hello from the edge.' } });
    const transfer = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'eddie.json', { type: 'application/json' }));
      return data;
    }, card);
    const header = page.getByRole('banner');
    await header.dispatchEvent('dragenter', { dataTransfer: transfer });
    await expect(page.getByText('Drop cards, packs or lorebooks here to import them')).toBeVisible();
    await header.dispatchEvent('drop', { dataTransfer: transfer });
    await expect(results(page).locator('li', { hasText: 'eddie.json' })).toContainText('Imported');
    await expect(page.locator('.grid').getByRole('link', { name: 'Open Edge Eddie' })).toBeVisible();
  });

  test('a dropped item the browser cannot read is reported, not swallowed', async ({ page }) => {
    await openApp(page);
    const before = await page.locator('.grid').getByRole('link').count();
    // A file that vanished or is locked after the drag started: its entry fails to open.
    await page.evaluate(() => {
      DataTransferItem.prototype.webkitGetAsEntry = () =>
        ({ isFile: true, isDirectory: false, name: 'locked.json', file: (_: unknown, reject: (e: Error) => void) => reject(new DOMException('Simulated unreadable file.', 'NotReadableError')) }) as unknown as FileSystemEntry;
    });
    const transfer = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['{}'], 'locked.json', { type: 'application/json' }));
      return data;
    });
    const zone = page.getByRole('region', { name: 'Drop cards, packs or lorebooks here to import them' });
    await zone.dispatchEvent('drop', { dataTransfer: transfer });
    await expect(page.getByRole('status').filter({ hasText: 'Simulated unreadable file.' })).toBeVisible();
    await expect(page.locator('.grid').getByRole('link')).toHaveCount(before);
  });
});
