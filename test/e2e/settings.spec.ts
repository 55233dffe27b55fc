// Settings: the persona and sampling saved together, and still there after a reload.

import { expect, test } from '@playwright/test';
import { openApp, setReplyLength } from './app';

test('saving the persona and the reply length keeps both, also after a reload', async ({ page }) => {
  await openApp(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Your name').fill('Mara');
  // setReplyLength saves the whole form: the persona change above goes with it.
  await setReplyLength(page, 48);
  await expect(page.getByLabel('Longest reply (tokens)')).toHaveValue('48');
  await page.reload();
  await expect(page.getByLabel('Your name')).toHaveValue('Mara');
  await expect(page.getByLabel('Longest reply (tokens)')).toHaveValue('48');
});
