import { expect, test, type Page } from '@playwright/test';
import { writeBackup } from '../../src/core/backup';
import { declareHugePart } from '../unit/helpers/hostile-backup';
import { characterCard, loadTinyModel, openApp, simulateFullDisk, startChat, startSavedChat } from './app';

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Backup and restore' })).toBeVisible();
}

async function savePersona(page: Page, name: string, description: string, replyTokens?: number): Promise<void> {
  await openSettings(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('About you (optional, the character sees this)').fill(description);
  if (replyTokens) await page.getByLabel('Longest reply (tokens)').fill(String(replyTokens));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved.').last()).toBeVisible();
}

async function downloadBackup(page: Page): Promise<string> {
  await openSettings(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download backup' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^hearth-backup-\d{4}-\d\d-\d\d-\d{4}\.zip$/);
  const path = test.info().outputPath(download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

async function restoreReplacing(page: Page, file: string): Promise<void> {
  await openSettings(page);
  await page.getByRole('radio', { name: /Replace everything here/ }).check();
  await page.getByLabel('Restore from backup…').setInputFiles(file);
  await expect(page.getByRole('alert').filter({ hasText: 'This deletes every character, conversation, persona, lorebook and setting' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete current data and restore' }).click();
}

/** What a person sees of their data: the gallery, a character's conversations, and each chat's messages. */
async function snapshot(page: Page, characters: string[]) {
  await page.getByRole('link', { name: 'Characters' }).click();
  await expect(page.locator('.grid > li').first()).toBeVisible();
  const gallery = await page.locator('.grid > li').allInnerTexts();
  const chats: Record<string, { list: string[]; messages: string[][] }> = {};
  for (const name of characters) {
    await page.getByRole('link', { name: 'Characters' }).click();
    await characterCard(page, name).click();
    await expect(page.getByRole('button', { name: 'New chat' })).toBeVisible();
    const links = page.locator('main ul li a[href^="#/chat/"]');
    // The list loads after the page: wait for it or for the "no conversations" line.
    await expect(links.or(page.getByText('No conversations yet.')).first()).toBeVisible();
    const list = await links.allInnerTexts();
    const messages: string[][] = [];
    for (let i = 0; i < list.length; i++) {
      await links.nth(i).click();
      await expect(page.locator('article[data-role="assistant"]').first()).toBeVisible();
      messages.push(await page.locator('article .content').allInnerTexts());
      await page.goBack();
    }
    chats[name] = { list, messages };
  }
  await openSettings(page);
  const persona = await page.getByLabel('Your name').inputValue();
  return { gallery, chats, persona };
}

test.describe('backup and restore of everything', () => {
  test('backup, delete all data, restore: the same characters, conversations and persona come back', async ({ page }) => {
    await openApp(page);
    await savePersona(page, 'Lin Backup', 'A lighthouse visitor.', 16);
    await loadTinyModel(page);
    await startChat(page, 'Hester Coyle');
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Hello, keeper. Is the backup safe?');
    await box.press('Enter');
    const reply = page.locator('article[data-role="assistant"]').nth(1);
    await expect(reply).toHaveAttribute('data-status', /done|stopped/, { timeout: 60_000 });
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();

    // A character of the person's own.
    await page.getByRole('link', { name: 'Characters' }).click();
    await characterCard(page, 'Ledger').click();
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await expect(page.getByText('Copied as “Ledger (copy)”.')).toBeVisible();

    const before = await snapshot(page, ['Hester Coyle', 'Ledger']);
    expect(before.gallery.join('\n')).toContain('Ledger (copy)');
    expect(before.chats['Hester Coyle'].list).toHaveLength(1);
    expect(before.chats['Hester Coyle'].messages[0].join('\n')).toContain('Is the backup safe?');
    expect(before.persona).toBe('Lin Backup');
    const file = await downloadBackup(page);

    // Delete all data: the typed word is required, then everything is gone.
    await page.getByRole('button', { name: 'Delete all data…' }).click();
    const deleteButton = page.getByRole('button', { name: 'Delete everything' });
    await expect(deleteButton).toBeDisabled();
    await page.getByLabel('Type DELETE to confirm').fill('DELETE');
    await deleteButton.click();
    await expect(page.getByText('All data deleted.')).toBeVisible();
    await expect(page.getByLabel('Your name')).toHaveValue('');
    // Back to a fresh install: built-ins as shipped, no copies, no conversations.
    const cleared = await snapshot(page, ['Hester Coyle']);
    expect(cleared.chats['Hester Coyle'].list).toEqual([]);
    expect(cleared.gallery.join('\n')).not.toContain('Ledger (copy)');
    expect(cleared.gallery).toHaveLength(before.gallery.length - 1);
    await expect(page.getByLabel('Your name')).toHaveValue('');

    await restoreReplacing(page, file);
    await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toContainText(
      new RegExp(`Restored “hearth-backup-[\\d-]+\\.zip”\\. Characters: ${before.gallery.length}, conversations: 1, messages: \\d+\\.`),
    );
    await expect(page.getByLabel('Your name')).toHaveValue('Lin Backup');
    expect(await snapshot(page, ['Hester Coyle', 'Ledger'])).toEqual(before);

    // It is stored, not only shown: a reload reads the same.
    await page.reload();
    expect(await snapshot(page, ['Hester Coyle', 'Ledger'])).toEqual(before);
  });

  test('a lorebook left behind by a deleted character restores as a global book, and the summary says so', async ({ page }) => {
    await openApp(page);
    // What older versions left behind: a book still attached to a character that was deleted.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('hearth');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('lorebooks', 'readwrite');
            tx.objectStore('lorebooks').put({ id: 'left-behind', characterId: 'deleted-character', sourceName: 'old.json', enabled: true, book: { name: 'Old harbour lore', extensions: {}, entries: [] }, createdAt: 1, updatedAt: 1 });
            tx.oncomplete = () => (open.result.close(), resolve());
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    const file = await downloadBackup(page);
    await restoreReplacing(page, file);
    await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toContainText(
      'Lorebooks whose character is no longer in the backup: 1. They were restored as global lorebooks, used in every chat',
    );
    // Listed under Lorebooks as applying to every character.
    await expect(page.getByRole('combobox', { name: 'Applies to “Old harbour lore”' })).toHaveValue('');
  });

  test('a quota error during a restore, or a file that is not a backup, changes nothing and says so', async ({ page }) => {
    const fullDisk = await simulateFullDisk(page);
    await openApp(page);
    await savePersona(page, 'Before', '');
    await startSavedChat(page, 'Hester Coyle');
    const file = await downloadBackup(page);

    // Change things after the backup.
    await savePersona(page, 'After', 'Changed since the backup.');
    await startSavedChat(page, 'Ledger');
    const changed = await snapshot(page, ['Hester Coyle', 'Ledger']);
    expect(changed.chats.Ledger.list).toHaveLength(1);

    await openSettings(page);
    await page.getByRole('radio', { name: /Merge with what is here/ }).check();
    await page.getByLabel('Restore from backup…').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText('“notes.json” is not a Hearth backup. Choose a file made with “Download backup”. Nothing was changed.');

    await fullDisk.arm(3);
    await restoreReplacing(page, file);
    const alert = page.getByRole('alert').filter({ hasText: 'Not enough storage space' });
    await expect(alert).toContainText(/it needs about \d+(\.\d)? (B|KB|MB)/);
    await expect(alert).toContainText('Delete models you no longer use (Models page) or old conversations');
    await expect(alert).toContainText('Nothing was changed.');
    await fullDisk.disarm();

    expect(await snapshot(page, ['Hester Coyle', 'Ledger'])).toEqual(changed);
    await page.reload();
    expect(await snapshot(page, ['Hester Coyle', 'Ledger'])).toEqual(changed);
  });
});

test.describe('reading a backup off the page', () => {
  test('a backup declaring a 1.9 GB part is read in a worker and refused with its reason, changing nothing', async ({ page }) => {
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    await openApp(page);
    await savePersona(page, 'Still here', '');
    const { bytes } = writeBackup({ settings: [{ key: 'ui.lang', value: 'en' }] }, { appVersion: '0.1.0', databaseVersion: 3, createdAt: Date.now() });
    const hostile = declareHugePart(bytes, 'tables/settings/0000.json');

    await page.getByRole('radio', { name: /Replace everything here/ }).check();
    await page.getByLabel('Restore from backup…').setInputFiles({ name: 'huge.zip', mimeType: 'application/zip', buffer: Buffer.from(hostile) });
    await page.getByRole('button', { name: 'Delete current data and restore' }).click();
    await expect(page.getByRole('alert').filter({ hasText: '1812.0 MB' })).toContainText(
      'its part tables/settings/0000.json says it unpacks to 1812.0 MB, more than the 256.0 MB a part may hold',
    );
    // Read by the backup worker, not on the page.
    expect(workers.some((url) => /backup\.worker/.test(url))).toBe(true);
    // The page answers and nothing was replaced.
    await expect(page.getByLabel('Your name')).toHaveValue('Still here');
    await page.reload();
    await openSettings(page);
    await expect(page.getByLabel('Your name')).toHaveValue('Still here');
  });
});

test.describe('a big backup keeps the page responsive', () => {
  test('while the worker checks 150,000 messages the page answers, then the reason is shown', async ({ page }) => {
    await openApp(page);
    await savePersona(page, 'Still here', '');
    // 150,000 valid messages of a conversation the backup lacks: every row is unpacked and checked
    // (seconds of work) before the missing owner is found at the end.
    const messages = Array.from({ length: 150_000 }, (_, i) => ({
      id: `m${i}`, conversationId: 'gone', parentId: null, role: 'user' as const, content: `Line ${i} of a long chat whose conversation is missing.`,
      revisions: [], status: 'done' as const, createdAt: i, updatedAt: i,
    }));
    const { bytes } = writeBackup({ messages }, { appVersion: '0.1.0', databaseVersion: 3, createdAt: Date.now() });

    await page.getByLabel('Restore from backup…').setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: Buffer.from(bytes) });
    const reading = page.waitForEvent('worker', (worker) => /backup\.worker/.test(worker.url()));
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await reading;
    // The page runs script and takes input while the read is still going on (with the read on the
    // page, this would only run once the read had finished and the status had moved on).
    expect(await page.evaluate(() => document.body.innerText.includes('Checking the backup…'))).toBe(true);
    await page.getByLabel('Your name').fill('Typed meanwhile');
    await expect(page.getByText('Checking the backup…')).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('This backup is damaged and cannot be restored (messages row m0 belongs to a conversation that is not in the backup.)', { timeout: 60_000 });
    await expect(page.getByLabel('Your name')).toHaveValue('Typed meanwhile');
  });
});

test.describe('automatic backups', () => {
  test('a daily one at start-up and one before delete all; restoring that one in two clicks brings everything back', async ({ page }) => {
    await openApp(page);
    await savePersona(page, 'Lin Auto', 'Kept automatically.');
    await startSavedChat(page, 'Hester Coyle');
    await openSettings(page);
    const list = page.getByRole('list', { name: 'Automatic backups' });
    await expect(page.getByText('No automatic backups yet.')).toBeVisible();

    // The next start finds data and no snapshot a day old: it takes the daily one in the background.
    await page.reload();
    await openSettings(page);
    await expect(list.getByRole('listitem')).toHaveCount(1, { timeout: 15_000 });
    await expect(list.getByRole('listitem').first()).toContainText(/· \d+(\.\d)? KB · daily/);
    const before = await snapshot(page, ['Hester Coyle']);
    expect(before.chats['Hester Coyle'].list).toHaveLength(1);

    await page.getByRole('button', { name: 'Delete all data…' }).click();
    await page.getByLabel('Type DELETE to confirm').fill('DELETE');
    await page.getByRole('button', { name: 'Delete everything' }).click();
    await expect(page.getByText('All data deleted.')).toBeVisible();
    await expect(page.getByLabel('Your name')).toHaveValue('');
    await expect(list.getByRole('listitem')).toHaveCount(2);
    const newest = list.getByRole('listitem').first();
    await expect(newest).toContainText('before deleting all data');

    // Two clicks: Restore, then confirm (in the mode chosen above).
    await page.getByRole('radio', { name: /Replace everything here/ }).check();
    await newest.getByRole('button', { name: /^Restore the automatic backup of / }).click();
    await expect(newest.getByRole('alert')).toContainText('Replace everything here with the automatic backup of');
    await newest.getByRole('button', { name: 'Restore this backup' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toContainText('conversations: 1');
    await expect(page.getByLabel('Your name')).toHaveValue('Lin Auto');
    expect(await snapshot(page, ['Hester Coyle'])).toEqual(before);
    // What the restore replaced was kept too, and the list is in OPFS: it is there after a reload.
    await page.reload();
    await openSettings(page);
    await expect(list.getByRole('listitem')).toHaveCount(3);
    await expect(list.getByRole('listitem').first()).toContainText('before a restore');

    // Delete one.
    await list.getByRole('listitem').last().getByRole('button', { name: /^Delete the automatic backup of / }).click();
    await expect(list.getByRole('listitem')).toHaveCount(2);
    await expect(list).not.toContainText('daily');
  });

  test('a full disk before a restore asks first: Cancel changes nothing', async ({ page }) => {
    await openApp(page);
    await savePersona(page, 'Before', '');
    const file = await downloadBackup(page);
    await savePersona(page, 'After', '');
    // OPFS writes fail as on a full disk (IndexedDB is untouched).
    await page.evaluate(() => {
      const proto = FileSystemFileHandle.prototype as unknown as { createWritable: () => Promise<unknown> };
      proto.createWritable = () => Promise.reject(new DOMException('The disk is full.', 'QuotaExceededError'));
    });
    await restoreReplacing(page, file);
    const prompt = page.getByRole('alert').filter({ hasText: 'The automatic backup before this restore could not be saved' });
    await expect(prompt).toContainText('could not be saved: There is not enough storage space for it. Restore anyway, without it?');
    await prompt.getByRole('button', { name: 'Cancel' }).click();
    await expect(prompt).toBeHidden();
    await expect(page.getByLabel('Your name')).toHaveValue('After');

    await restoreReplacing(page, file);
    await prompt.getByRole('button', { name: 'Restore without a backup' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Restored' })).toBeVisible();
    await expect(page.getByLabel('Your name')).toHaveValue('Before');
  });
});

test.describe('persistent storage', () => {
  test('the header warns while the browser refuses persistent storage, and asking again can clear it', async ({ page }) => {
    await page.addInitScript(() => {
      const state = { grant: false };
      (window as unknown as { __persist: typeof state }).__persist = state;
      navigator.storage.persisted = async () => state.grant;
      navigator.storage.persist = async () => state.grant;
    });
    await openApp(page);
    const header = page.getByRole('banner');
    const warning = header.getByText('This browser may clear your chats when space runs low');
    await page.getByRole('link', { name: 'Models', exact: true }).click();
    await expect(header).toBeVisible();
    await expect(warning).toBeHidden();
    await page.getByRole('button', { name: 'Ask for persistent storage' }).click();
    await expect(warning).toBeVisible();
    // Still refused after a reload: the browser said no before.
    await page.reload();
    await expect(warning).toBeVisible();

    await page.evaluate(() => ((window as unknown as { __persist: { grant: boolean } }).__persist.grant = true));
    await header.getByRole('button', { name: 'Ask again to keep data' }).click();
    await expect(warning).toBeHidden();
  });
});
