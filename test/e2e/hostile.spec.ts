// A representative subset of the hostile-input catalogue (test/unit/hostile/catalogue.ts) through
// the real UI: the import on the Characters page and Settings → Restore. Each refused file shows its
// own reason, and every IndexedDB store keeps its row count and content hash; accepted hostile text
// (and file names) shows as text, and no script it carries runs.

import { expect, test, type Page } from '@playwright/test';
import { dictionaryKeys, translate, type MessageKey } from '../../src/core/i18n';
import { hostileKind, NAME_INJECTION, type HostileKind } from '../unit/hostile/catalogue';
import { INJECTION } from '../unit/hostile/generators';
import { openApp } from './app';

type StoreFingerprint = Record<string, { count: number; hash: string }>;

/** Every store of the app's database: its row count and a SHA-256 of its keys and rows (bytes included). */
function fingerprint(page: Page): Promise<StoreFingerprint> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('hearth');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const read = <T,>(request: IDBRequest<T>) => new Promise<T>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // Binary values (scene vectors, assets) count as their bytes, not as the {} JSON makes of them.
    const replacer = (_key: string, value: unknown) =>
      value instanceof ArrayBuffer ? { bytes: [...new Uint8Array(value)] }
        : ArrayBuffer.isView(value) ? { bytes: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] }
          : value;
    const out: Record<string, { count: number; hash: string }> = {};
    for (const name of [...db.objectStoreNames]) {
      const store = db.transaction(name, 'readonly').objectStore(name);
      const [keys, rows] = [await read(store.getAllKeys()), await read(store.getAll())];
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify([keys, rows], replacer)));
      out[name] = { count: rows.length, hash: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('') };
    }
    db.close();
    return out;
  });
}

/** The payload's opening, up to where the markup would read `__` as bold. */
const TAGS = INJECTION.slice(0, INJECTION.indexOf('__'));

const file = (kind: HostileKind) => ({ name: kind.name, mimeType: 'application/octet-stream', buffer: Buffer.from(kind.make()) });
const reasonOf = (kind: HostileKind) => ('reason' in kind.expect ? kind.expect.reason : '');

/** The English sentence's fixed words (the parts between its {placeholders}). */
function sentencePieces(key: string): string[] {
  expect(dictionaryKeys, 'the UI has a sentence for this reason').toContain(key);
  return translate('en', key as MessageKey).split(/\{\w+\}/).map((piece) => piece.trim()).filter((piece) => piece.length > 3);
}

/** What an injected payload would leave behind had it been parsed as HTML. */
async function expectNoInjectedMarkup(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __hostile?: number }).__hostile)).toBeUndefined();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(await page.evaluate(() => [...document.scripts].filter((s) => s.textContent?.includes('__hostile')).length)).toBe(0);
}

const REFUSED_IMPORTS = [
  'wrong CRC on the card chunk',
  'CHARX with an encrypted entry',
  'pack zip climbing out with ../',
  'pack zip bomb (inflates past its declared size)',
  'lists nested 10,000 levels deep',
  'name made only of invisible characters',
  'Hearth pack vector of the wrong length',
  'lorebook nested 10,000 levels deep',
].map(hostileKind);

const REFUSED_BACKUPS = [
  'backup part declaring 1.9 GB',
  'backup row nested 10,000 levels deep (lists)',
  'backup row of the wrong shape',
  'backup zip bomb (a part inflates past its declared size)',
].map(hostileKind);

test.describe('hostile files through the UI', () => {
  test('refused imports each show their reason, and no store changes', async ({ page }) => {
    await openApp(page);
    await expect(page.locator('.grid > li').first()).toBeVisible();
    const before = await fingerprint(page);
    // The built-in characters are there, so "unchanged" compares something.
    expect(before.characters.count).toBeGreaterThan(0);

    await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles(REFUSED_IMPORTS.map(file));
    const results = page.getByRole('region', { name: 'Import results' });
    for (const kind of REFUSED_IMPORTS) {
      const row = results.locator('li', { hasText: kind.name });
      await expect(row).toHaveAttribute('data-status', 'rejected');
      await expect(row.locator('.reason')).toHaveText(translate('en', `import.reason.${reasonOf(kind)}` as MessageKey));
    }
    await expectNoInjectedMarkup(page);
    expect(await fingerprint(page)).toEqual(before);
    await page.reload();
    expect(await fingerprint(page)).toEqual(before);
  });

  test('script in every field of a card and a lorebook shows as text and never runs', async ({ page }) => {
    await openApp(page);
    const card = hostileKind('script injection in every text field');
    const book = hostileKind('script injection in lorebook content');
    const pack = hostileKind('pack zip whose file name is markup');
    await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles([file(card), file(book), file(pack)]);
    const results = page.getByRole('region', { name: 'Import results' });
    await expect(results.locator('li', { hasText: card.name })).toHaveAttribute('data-status', 'imported');
    await expect(results.locator('li', { hasText: book.name })).toHaveAttribute('data-status', 'imported');
    await expect(results.locator('li', { hasText: pack.name })).toHaveAttribute('data-status', 'imported');
    await expect(results.getByRole('link', { name: `Open ${NAME_INJECTION}` })).toBeVisible();
    await expectNoInjectedMarkup(page);

    await page.locator('.grid').getByRole('link', { name: `Open name ${INJECTION}` }).click();
    await expect(page.getByRole('heading', { level: 1, name: `name ${INJECTION}` })).toBeVisible();
    await expect(page.getByText(`#tag ${INJECTION}`)).toBeVisible();
    // Notes and greetings go through the role-play markup (`__x__` is bold), which escapes first: the tags stay text.
    await expect(page.getByRole('complementary')).toContainText(`creator_notes ${TAGS}`);
    await page.getByRole('button', { name: 'New chat' }).click();
    await expect(page.locator('article[data-role="assistant"]').first()).toContainText(`first_mes ${TAGS}`);
    await expectNoInjectedMarkup(page);

    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('checkbox', { name: `Use “${INJECTION}”` })).toBeVisible();
    await expectNoInjectedMarkup(page);

    // The lorebook editor shows the book, its entry, its form and the test panel's hits as text.
    await page.getByRole('link', { name: `Edit “${INJECTION}”` }).click();
    await expect(page.getByRole('heading', { level: 1, name: `Lorebook “${INJECTION}”` })).toBeVisible();
    await page.getByRole('button', { name: `Edit entry “${INJECTION}”` }).click();
    await expect(page.getByLabel('Content')).toHaveValue(INJECTION);
    await page.getByLabel('Chat text: one message per paragraph, the newest last').fill(INJECTION);
    await expect(page.getByRole('region', { name: 'Test the book' }).locator('ol li')).toHaveCount(1);
    await expectNoInjectedMarkup(page);
  });

  test('refused backups each show their reason, and no store changes', async ({ page }) => {
    await openApp(page, '#/settings');
    await expect(page.getByRole('heading', { name: 'Backup and restore' })).toBeVisible();
    const before = await fingerprint(page);
    expect(before.characters.count).toBeGreaterThan(0);
    for (const kind of REFUSED_BACKUPS) {
      await page.getByRole('radio', { name: /Replace everything here/ }).check();
      await page.getByLabel('Restore from backup…').setInputFiles(file(kind));
      await page.getByRole('button', { name: 'Delete current data and restore' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Nothing was changed.' });
      for (const piece of sentencePieces(`backup.reason.${reasonOf(kind)}`)) await expect(alert).toContainText(piece);
      expect(await fingerprint(page), kind.kind).toEqual(before);
    }
    await expectNoInjectedMarkup(page);
    await page.reload();
    expect(await fingerprint(page)).toEqual(before);
  });
});
