import { expect, test } from '@playwright/test';
import { openApp } from './app';

// A stored character whose avatar names another host (an older import, a backup, a hand-made
// pack) shows its initial instead: the app must not fetch from that host.
test('a remote avatar URL is never requested; the initial shows instead', async ({ page }) => {
  const offDevice: string[] = [];
  await page.route('https://tracker.example/**', async (route) => {
    offDevice.push(route.request().url());
    await route.abort();
  });
  await openApp(page);
  await page.evaluate(async () => {
    const open = indexedDB.open('hearth');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction('characters', 'readwrite');
    const store = tx.objectStore('characters');
    const row = await new Promise<Record<string, unknown>>((resolve) => {
      const cursor = store.openCursor();
      cursor.onsuccess = () => resolve(cursor.result!.value as Record<string, unknown>);
    });
    store.put({ ...row, id: 'remote-avatar', name: 'Zed Remote', avatar: 'https://tracker.example/pixel.png?who=me', builtin: undefined, origin: 'import' });
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  });
  await page.reload();
  const card = page.getByRole('link', { name: 'Open Zed Remote' });
  await expect(card).toBeVisible();
  await expect(card.locator('img')).toHaveCount(0);
  await expect(card.getByText('Z', { exact: true })).toBeVisible();
  await card.click();
  await expect(page.getByRole('heading', { name: 'Zed Remote' })).toBeVisible();
  expect(offDevice).toEqual([]);
});
