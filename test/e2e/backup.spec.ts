import { expect, test, type Page } from '@playwright/test';
import { loadTinyModel, openApp, simulateFullDisk, startChat } from './app';

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
    await page.getByRole('link', { name: `Open ${name}`, exact: true }).click();
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
    await page.getByRole('link', { name: 'Open Ledger', exact: true }).click();
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
    await startChat(page, 'Hester Coyle');
    const file = await downloadBackup(page);

    // Change things after the backup.
    await savePersona(page, 'After', 'Changed since the backup.');
    await startChat(page, 'Ledger');
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
