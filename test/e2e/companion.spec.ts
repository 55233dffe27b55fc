// Ratings, reading aloud and personas on real replies of the tiny GGUF, in Chromium with real IndexedDB.

import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { loadTinyModel, openApp, sendMessage, setReplyLength, startChat } from './app';

async function replyDone(page: Page) {
  const reply = page.locator('article[data-role="assistant"]').last();
  await expect(reply).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
  return reply;
}

interface SpeechLog {
  spoken: { text: string; voice: string | null; lang: string; rate: number; streaming: boolean }[];
  cancels: number;
}

/**
 * A speech synthesis stub put in the page before it loads: it has two voices, records every
 * utterance (and whether a reply was streaming then) and every cancel, and never finishes speaking
 * by itself, so what is being read stays "being read" until Stop.
 */
async function stubSpeech(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log: SpeechLog = { spoken: [], cancels: 0 };
    (window as unknown as { __speech: SpeechLog }).__speech = log;
    const voices = [
      { voiceURI: 'test-en', name: 'Test English', lang: 'en-GB', localService: true, default: true },
      { voiceURI: 'test-zh', name: 'Test Chinese', lang: 'zh-CN', localService: true, default: false },
    ];
    class Utterance extends EventTarget {
      lang = '';
      rate = 1;
      pitch = 1;
      voice: { voiceURI: string } | null = null;
      constructor(public text: string) {
        super();
      }
    }
    const queue: Utterance[] = [];
    const synth = Object.assign(new EventTarget(), {
      getVoices: () => voices,
      speak(u: Utterance) {
        log.spoken.push({ text: u.text, voice: u.voice?.voiceURI ?? null, lang: u.lang, rate: u.rate, streaming: document.querySelector('article[data-status="streaming"]') !== null });
        queue.push(u);
      },
      cancel() {
        log.cancels++;
        for (const u of queue.splice(0)) u.dispatchEvent(new Event('error'));
      },
    });
    Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
    Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance, configurable: true });
  });
}

const speechLog = (page: Page) => page.evaluate(() => structuredClone((window as unknown as { __speech: SpeechLog }).__speech));

test.describe('ratings, voices and personas', () => {
  test('a rating stays with its reply after a reload; low stars offer another reply; ratings export as CSV', async ({ page }) => {
    await openApp(page);
    await setReplyLength(page, 32);
    await loadTinyModel(page);
    await startChat(page);
    await sendMessage(page, 'Is the lamp lit tonight?');
    const reply = await replyDone(page);
    const replyText = (await reply.locator('.content').innerText()).trim();

    const rating = reply.getByRole('group', { name: 'Rate this reply' });
    await rating.getByRole('radio', { name: '2 of 4 stars' }).focus();
    await page.keyboard.press('ArrowLeft'); // a radio group: arrows choose, and each choice is saved
    await expect(rating.getByRole('radio', { name: '1 of 4 stars' })).toBeChecked();
    await expect(reply.getByRole('button', { name: 'Try another reply' })).toBeVisible();
    await page.keyboard.press('ArrowRight');
    await expect(rating.getByRole('radio', { name: '2 of 4 stars' })).toBeChecked();
    await expect(reply.getByRole('button', { name: 'Try another reply' })).toBeVisible();

    await page.reload();
    const again = page.locator('article[data-role="assistant"]').last();
    await expect(again.getByRole('radio', { name: '2 of 4 stars' })).toBeChecked();
    await expect(again.getByRole('button', { name: 'Try another reply' })).toBeVisible();

    await page.getByRole('link', { name: 'Back' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export ratings' }).click()]);
    expect(download.suggestedFilename()).toBe('Hester Coyle-ratings.csv');
    const csv = (await readFile(await download.path())).toString('utf8').replace(/^\uFEFF/, '');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('character,prompt,reply,stars');
    expect(csv).toContain('Hester Coyle,Is the lamp lit tonight?,');
    expect(csv.trimEnd().endsWith(',2')).toBe(true);
    expect(csv).toContain(replyText.slice(0, 12).replace(/"/g, '""'));
  });

  test('reads aloud: the greeting in the chosen voice from the editor, a message on request, replies as they stream; Stop cancels', async ({ page }) => {
    await stubSpeech(page);
    await openApp(page);
    await setReplyLength(page, 512);

    // The editor offers the device's voices for the character's language and plays the greeting.
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByRole('link', { name: 'Open Hester Coyle' }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    const choice = page.getByRole('combobox', { name: 'Voice for replies' });
    await expect(choice.locator('option')).toHaveText(['The device’s voice for English', 'Test English (en-GB)']);
    await choice.selectOption('test-en');
    await page.getByRole('button', { name: 'Play the greeting' }).click();
    let log = await speechLog(page);
    expect(log.spoken.length).toBeGreaterThan(0);
    expect(log.spoken.every((u) => u.voice === 'test-en' && u.lang === 'en-GB')).toBe(true);
    const greetingWords = log.spoken.map((u) => u.text).join(' ');
    await page.getByRole('button', { name: 'Stop reading' }).click();
    await expect(page.getByRole('button', { name: 'Stop reading' })).toBeHidden();
    expect((await speechLog(page)).cancels).toBeGreaterThan(log.cancels);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Hester Coyle' })).toBeVisible();

    await loadTinyModel(page);
    await startChat(page);
    // The greeting read on request, in the character's voice.
    const greeting = page.locator('article[data-role="assistant"]').first();
    const before = (await speechLog(page)).spoken.length;
    await greeting.getByRole('button', { name: 'Read aloud' }).click();
    log = await speechLog(page);
    expect(log.spoken.slice(before).map((u) => u.text).join(' ')).toBe(greetingWords);
    await page.getByRole('button', { name: 'Stop reading' }).click();

    // Auto-read: sentences are spoken while the reply is still being written; Stop ends the reading.
    await page.getByRole('button', { name: 'Read replies aloud as they arrive' }).click();
    await expect(page.getByRole('button', { name: 'Read replies aloud as they arrive' })).toHaveAttribute('aria-pressed', 'true');
    const start = (await speechLog(page)).spoken.length;
    await sendMessage(page, 'Tell me about the storm.');
    await expect.poll(async () => (await speechLog(page)).spoken.slice(start).filter((u) => u.streaming).length, { timeout: 60_000 }).toBeGreaterThan(0);
    const { cancels } = await speechLog(page);
    await page.getByRole('button', { name: 'Stop reading' }).click();
    expect((await speechLog(page)).cancels).toBeGreaterThan(cancels);
    await expect(page.getByRole('button', { name: 'Stop reading' })).toBeHidden();
    const heardBeforeStop = (await speechLog(page)).spoken.length;
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await replyDone(page);
    // The rest of the reply stays unread once reading was stopped.
    const log2 = await speechLog(page);
    expect(log2.spoken.length).toBe(heardBeforeStop);
    expect(log2.spoken.slice(start).every((u) => u.voice === 'test-en')).toBe(true);
  });

  test('a persona switch in the chat changes the name on the person’s messages and the persona in the prompt', async ({ page }) => {
    await openApp(page);
    await setReplyLength(page, 32);
    for (const [name, about] of [['Ana', 'A sailor from the mainland.'], ['Bo', 'A painter lost in the fog.']]) {
      await page.getByRole('button', { name: 'New persona' }).click();
      const form = page.getByRole('form', { name: 'New persona' });
      await form.getByLabel('Name').fill(name);
      await form.getByLabel('About this persona (the character sees this)').fill(about);
      await form.getByRole('button', { name: 'Save' }).click();
      await expect(page.getByRole('button', { name: `Edit ${name}` })).toBeVisible();
    }
    await loadTinyModel(page);
    await startChat(page);
    await sendMessage(page, 'Hello, keeper.');
    await expect(page.locator('article[data-role="user"]').last()).toHaveAttribute('aria-label', 'Ana');
    await replyDone(page);

    await page.getByRole('combobox', { name: 'You are' }).selectOption({ label: 'Bo' });
    await expect(page.locator('article[data-role="user"]').last()).toHaveAttribute('aria-label', 'Bo');
    await sendMessage(page, 'Do you remember me?');
    const reply = await replyDone(page);
    await reply.getByRole('button', { name: 'Show prompt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prompt sent for this reply' });
    await dialog.locator('[data-section="persona"] summary').click();
    await expect(dialog.locator('[data-section="persona"] pre').first()).toContainText('A painter lost in the fog.');
    await expect(dialog.locator('[data-section="persona"]')).not.toContainText('A sailor from the mainland.');

    await page.reload();
    await expect(page.getByRole('combobox', { name: 'You are' })).toHaveValue(/.+/);
    await expect(page.locator('article[data-role="user"]').first()).toHaveAttribute('aria-label', 'Bo');
  });
});
