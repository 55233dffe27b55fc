import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { encodePng, readPngCard, readPngChunks } from '../../src/core/cards/png';
import { openApp } from './app';

/** A 320x200 picture with a left and a right half, so a crop has something to show. */
function twoToneImage(): Buffer {
  const width = 320;
  const height = 200;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set(x < width / 2 ? [220, 60, 40, 255] : [40, 90, 220, 255], (y * width + x) * 4);
  }
  return Buffer.from(encodePng(width, height, rgba));
}

/** The colour at the centre of the cropper's preview. */
function previewCentre(page: Page): Promise<number[]> {
  return page.getByTestId('crop-preview').evaluate((canvas: HTMLCanvasElement) => [...canvas.getContext('2d')!.getImageData(128, 128, 1, 1).data.slice(0, 3)]);
}

async function downloaded(page: Page, button: string): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
  return { download, bytes: readFileSync((await download.path())!) };
}

function textKeywords(png: Uint8Array): string[] {
  return readPngChunks(png)
    .filter((chunk) => chunk.type === 'tEXt')
    .map((chunk) => new TextDecoder('latin1').decode(chunk.data.subarray(0, chunk.data.indexOf(0))));
}

function pngWidth(png: Uint8Array): number {
  const ihdr = readPngChunks(png).find((chunk) => chunk.type === 'IHDR')!;
  return new DataView(ihdr.data.buffer, ihdr.data.byteOffset).getUint32(0);
}

test.describe('the character editor', () => {
  test('create, chat, edit, duplicate, delete with undo, and export', async ({ page }) => {
    await openApp(page);
    await page.getByRole('link', { name: 'New character' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'New character' })).toBeVisible();

    // Saving without a name is refused with a reason.
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('A name is required.')).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toBeFocused();

    // Avatar: upload, move with the keyboard and the pointer, zoom, use the crop.
    await page.getByLabel('Upload image').setInputFiles({ name: 'face.png', mimeType: 'image/png', buffer: twoToneImage() });
    const cropArea = page.getByRole('application', { name: /Crop area/ });
    await expect(cropArea).toBeVisible();
    await cropArea.focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await expect.poll(() => page.getByRole('slider', { name: 'Zoom' }).inputValue()).not.toBe('1');
    // The keyboard moves the square onto the blue right half…
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => previewCentre(page)).toEqual([40, 90, 220]);
    // …and dragging the picture to the right brings the red left half under it.
    const box = (await cropArea.boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 10, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => previewCentre(page)).toEqual([220, 60, 40]);
    await page.getByRole('button', { name: 'Use this crop' }).click();
    const avatar = page.locator('fieldset img');
    await expect(avatar).toHaveAttribute('src', /^data:image\/(webp|png);base64,/);
    const size = await avatar.evaluate(async (img: HTMLImageElement) => {
      const probe = new Image();
      probe.src = img.src;
      await probe.decode();
      const canvas = document.createElement('canvas');
      canvas.width = probe.naturalWidth;
      canvas.height = probe.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(probe, 0, 0);
      const [r, g, b] = context.getImageData(256, 256, 1, 1).data;
      return [probe.naturalWidth, probe.naturalHeight, r > 150 && b < 100 ? 'red' : 'other'];
    });
    expect(size).toEqual([512, 512, 'red']);

    // Fields, with live token counts.
    const descriptionTokens = page.getByTestId('field-description-tokens');
    await expect(descriptionTokens).toHaveText('0 tokens');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Wren Ashdown');
    await page.getByLabel('Short description').fill('A ghost who keeps the attic tidy');
    await page.getByLabel('Long description').fill('{{char}} is a polite ghost who has lived in the attic for a hundred years.');
    await expect(descriptionTokens).not.toHaveText('0 tokens');
    const count = Number((await descriptionTokens.innerText()).split(' ')[0]);
    expect(count).toBeGreaterThan(10);
    await page.getByLabel('Greeting', { exact: true }).fill('Oh! A visitor. Mind the dust, {{user}}.');
    await page.getByLabel('Categories and tags').fill('ghost, cozy');
    await page.getByLabel('Example dialogue').fill('<START>\n{{user}}: Who are you?\n{{char}}: Only the attic’s oldest tenant.');
    await page.getByRole('button', { name: 'Add alternate greeting' }).click();
    await page.getByRole('textbox', { name: 'Alternate greeting 1' }).fill('You came back!');
    await page.getByRole('button', { name: 'Add alternate greeting' }).click();
    await page.getByRole('textbox', { name: 'Alternate greeting 2' }).fill('Shh, listen to the rain.');
    await page.getByRole('button', { name: 'Move alternate greeting 2 up' }).click();
    await expect(page.getByRole('textbox', { name: 'Alternate greeting 1' })).toHaveValue('Shh, listen to the rain.');
    await page.getByRole('button', { name: 'Save' }).click();

    // It has its page and its gallery card.
    await expect(page.getByRole('heading', { level: 1, name: 'Wren Ashdown' })).toBeVisible();
    const characterUrl = page.url();
    await page.getByRole('link', { name: 'Characters' }).click();
    await expect(page.getByRole('link', { name: 'Open Wren Ashdown' })).toContainText('A ghost who keeps the attic tidy');
    await page.getByRole('link', { name: 'Open Wren Ashdown' }).click();

    // A chat opens on the greeting that was written ({{user}} filled in).
    await page.getByRole('button', { name: 'New chat' }).click();
    const greeting = page.locator('article[data-role="assistant"]').first();
    await expect(greeting.locator('.content')).toContainText('Oh! A visitor. Mind the dust,');
    await page.goto(characterUrl);

    // Edit; leaving with unsaved changes asks first.
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Edit Wren Ashdown' })).toBeVisible();
    await page.getByLabel('Short description').fill('A ghost with opinions');
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('link', { name: 'Characters' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Edit Wren Ashdown' })).toBeVisible();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Wren Ashdown' })).toBeVisible();
    await expect(page.getByText('A ghost with opinions')).toBeVisible();

    // Export: a PNG card with both chunks over the avatar, and a V3 JSON card.
    const png = await downloaded(page, 'PNG card');
    expect(png.download.suggestedFilename()).toBe('Wren Ashdown.png');
    expect(textKeywords(png.bytes).sort()).toEqual(['ccv3', 'chara']);
    const card = readPngCard(png.bytes);
    expect((card.json as { data: { name: string } }).data.name).toBe('Wren Ashdown');
    expect(pngWidth(card.image)).toBe(512);
    const json = await downloaded(page, 'JSON card (V3)');
    expect(json.download.suggestedFilename()).toBe('Wren Ashdown.card.json');
    const v3 = JSON.parse(json.bytes.toString('utf8'));
    expect(v3.spec).toBe('chara_card_v3');
    expect(v3.data).toMatchObject({
      name: 'Wren Ashdown',
      first_mes: 'Oh! A visitor. Mind the dust, {{user}}.',
      alternate_greetings: ['Shh, listen to the rain.', 'You came back!'],
      tags: ['ghost', 'cozy'],
    });

    // Duplicate, then delete the copy and undo.
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Wren Ashdown (copy)' })).toBeVisible();
    await page.getByRole('button', { name: 'Delete character' }).click();
    await expect(page.getByText('Wren Ashdown (copy) deleted.')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Characters' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Open Wren Ashdown (copy)' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(page.getByRole('link', { name: 'Open Wren Ashdown (copy)' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('link', { name: 'Open Wren Ashdown (copy)' })).toBeVisible();
  });

  test('a deleted built-in stays deleted after a reload, and its SVG avatar exports as a 512 px PNG', async ({ page }) => {
    await openApp(page);
    await page.getByRole('link', { name: 'Open Hester Coyle' }).click();
    const png = await downloaded(page, 'PNG card');
    const card = readPngCard(png.bytes);
    expect((card.json as { data: { name: string } }).data.name).toBe('Hester Coyle');
    expect(pngWidth(card.image)).toBe(512);
    await expect(page.getByText(/scenes ·|No corpus yet/)).toBeVisible();

    await page.getByRole('button', { name: 'Delete character' }).click();
    await expect(page.getByText('Hester Coyle deleted.')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Characters' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Open Hester Coyle' })).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Characters' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Open Hester Coyle' })).toHaveCount(0);
  });

  test('the character page shows and searches the corpus as text, and the Hearth pack carries it', async ({ page }) => {
    await openApp(page);
    // Put a corpus straight into the app's IndexedDB, as an import would have stored it.
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('hearth');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction('scenes', 'readwrite');
      for (let i = 0; i < 45; i++) {
        const line = i === 3 ? '<img src=x onerror="window.pwned=1"> <b>bold?</b>' : i % 10 === 0 ? `The lighthouse lamp, night ${i}` : `Tea and gossip ${i}`;
        tx.objectStore('scenes').put({
          id: `scene-${String(i).padStart(3, '0')}`, characterId: 'builtin:hester-coyle', title: `Story ${i}`,
          text: `Hester:「${line}」`, lines: [{ speaker: 'Hester', text: line }], tokens: 10, source: 'chatharuhi',
          vectors: [{ model: 'bag', dim: 2, data: new Float32Array([i, -i]).buffer }],
        });
      }
      await new Promise((resolve) => (tx.oncomplete = resolve));
      db.close();
    });
    await page.getByRole('link', { name: 'Open Hester Coyle' }).click();
    const summary = page.getByTestId('corpus-summary');
    await expect(summary).toHaveText('45 scenes · 450 tokens');
    await summary.click();
    const scenes = page.locator('.scenes > li');
    await expect(scenes).toHaveCount(20);
    await expect(scenes.nth(3)).toContainText('Hester: <img src=x onerror="window.pwned=1"> <b>bold?</b>');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect(page.getByText('Page 2 of 3')).toBeVisible();
    await expect(scenes.first()).toContainText('Story 20');
    await page.getByRole('searchbox', { name: 'Search the corpus' }).fill('LIGHTHOUSE');
    await expect(page.getByText('5 matching scenes')).toBeVisible();
    await expect(scenes).toHaveCount(5);
    await expect(scenes.first()).toContainText('The lighthouse lamp, night 0');

    const pack = await downloaded(page, 'Hearth pack (with corpus)');
    expect(pack.download.suggestedFilename()).toBe('Hester Coyle.hearth.json');
    const json = JSON.parse(pack.bytes.toString('utf8'));
    expect(json.character.name).toBe('Hester Coyle');
    expect(json.scenes).toHaveLength(45);
    expect(json.scenes.every((scene: { vectors: unknown[] }) => scene.vectors.length === 1)).toBe(true);
  });

  test('a character page whose chats cannot be read says why', async ({ page }) => {
    await openApp(page);
    // Reading this character's chats fails (a storage fault); the rest of the page still works.
    await page.evaluate(() => {
      const index = IDBObjectStore.prototype.index;
      IDBObjectStore.prototype.index = function (this: IDBObjectStore, name: string) {
        if (this.name === 'conversations') throw new DOMException('Simulated read failure.', 'DataError');
        return index.call(this, name);
      };
    });
    await page.getByRole('link', { name: 'Open Hester Coyle' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Hester Coyle' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('Simulated read failure.');
    await expect(page.getByText('Loading…')).toHaveCount(0);
  });

  test('on a phone the editor fits the screen and saves', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await openApp(page, '#/new');
    await expect(page.getByRole('heading', { level: 1, name: 'New character' })).toBeVisible();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Pocket Pal');
    await page.getByLabel('Greeting', { exact: true }).fill('Hi from a small screen.');
    await page.getByLabel('Upload image').setInputFiles({ name: 'face.png', mimeType: 'image/png', buffer: twoToneImage() });
    const cropArea = page.getByRole('application', { name: /Crop area/ });
    const box = (await cropArea.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    await page.getByRole('button', { name: 'Use this crop' }).click();
    const overflow = await page.evaluate(() => {
      const main = document.querySelector('main')!;
      return Math.max(document.documentElement.scrollWidth, main.scrollWidth) - window.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    const save = page.getByRole('button', { name: 'Save' });
    await expect(save).toBeInViewport();
    await save.click();
    await expect(page.getByRole('heading', { level: 1, name: 'Pocket Pal' })).toBeVisible();
  });
});
