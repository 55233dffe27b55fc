// The prompt inspector on real replies of the tiny GGUF: a built-in character, an imported card with
// example dialogue and a lorebook, and a real ChatHaruhi pack whose scenes retrieval finds.

import { expect, test, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { exportPngCard, type CardCharacter } from '../../src/core/cards';
import { haveFixtures, readPackFolder } from '../unit/core/packs/helpers';
import { loadTinyModel, openApp, sendMessage, startChat } from './app';

/** Opens a character from the gallery grid (an import's result list links to it too) and starts a chat. */
async function newChatWith(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name: 'Characters' }).click();
  await page.locator('.grid').getByRole('link', { name: `Open ${name}` }).click();
  await page.getByRole('button', { name: 'New chat' }).click();
}

/** Waits for the newest reply to finish and opens its prompt; returns the dialog and the button that opened it. */
async function openPrompt(page: Page) {
  const reply = page.locator('article[data-role="assistant"]').last();
  await expect(reply).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
  const show = reply.getByRole('button', { name: 'Show prompt' });
  await show.click();
  const dialog = page.getByRole('dialog', { name: 'Prompt sent for this reply' });
  await expect(dialog).toBeVisible();
  return { dialog, show };
}

const sectionNames = (page: Page) =>
  page.getByRole('dialog').locator('[data-section]').evaluateAll((items) => items.map((item) => item.getAttribute('data-section')));

test.describe('the prompt inspector', () => {
  test('shows a built-in character\'s prompt: sections with tokens, the message last; Escape closes; phone layout', async ({ page }) => {
    await openApp(page);
    await loadTinyModel(page);
    await startChat(page, '胡不归');
    const question = '掌柜的，今晚山上有什么新鲜事？';
    await sendMessage(page, question);
    const { dialog, show } = await openPrompt(page);
    await expect(dialog.getByTestId('inspector-total')).toContainText(/\d+ of \d+ prompt tokens used: a 4096-token window less \d+ kept for the reply/);

    // Each section in the order sent, each with its token count; the system prompt first, the new message last.
    const names = await sectionNames(page);
    expect(names[0]).toBe('system');
    expect(names.at(-1)).toBe('message');
    await expect(dialog.locator('[data-section="system"] summary')).toHaveText(/Role system prompt\s*\d+ tokens/);
    await expect(dialog.locator('[data-section="character"] summary')).toHaveText(/Character: description.*\d+ tokens/);
    await dialog.locator('[data-section="system"] summary').click();
    await expect(dialog.locator('[data-section="system"] pre').first()).toContainText('你是胡不归，正在与');
    await dialog.locator('[data-section="message"] summary').click();
    await expect(dialog.locator('[data-section="message"] pre')).toHaveText(question);

    // The messages exactly as sent: the system message first, the person's message last.
    await dialog.getByText(/Messages exactly as sent/).click();
    const messages = dialog.locator('.messages > li');
    await expect(messages.first()).toHaveAttribute('data-role', 'system');
    await expect(messages.last()).toHaveAttribute('data-role', 'user');
    await expect(messages.last().locator('pre')).toHaveText(question);
    // Built-in characters ship no corpus: no scenes, said plainly.
    await expect(dialog.getByTestId('inspector-scenes')).toContainText('No scenes');

    // Escape closes it and focus goes back to the button that opened it.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(show).toBeFocused();

    // On a phone the dialog takes the screen without spilling sideways; Close works the same.
    await page.setViewportSize({ width: 375, height: 740 });
    await show.click();
    await expect(dialog).toBeVisible();
    expect((await dialog.boundingBox())!.width).toBeLessThanOrEqual(375);
    expect(await dialog.evaluate((d) => d.scrollWidth <= d.clientWidth + 1)).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(show).toBeFocused();

    // In Chinese, every label follows.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh');
    await page.locator('article[data-role="assistant"]').last().getByRole('button', { name: '查看提示词' }).click();
    const zh = page.getByRole('dialog', { name: '这条回复所发送的提示词' });
    await expect(zh.locator('[data-section="system"] summary')).toHaveText(/角色系统提示\s*\d+ 个词元/);
    await expect(zh.getByTestId('inspector-scenes')).toContainText('没有场景');
    await page.keyboard.press('Escape');
    await expect(zh).toBeHidden();
  });

  test('an imported card: its example dialogue goes as few-shot user/assistant turns, its lorebook fires on a key', async ({ page }) => {
    const mira: CardCharacter = {
      name: 'Mira', nickname: '', avatar: '', shortDescription: 'A ferry pilot.', description: '{{char}} pilots the night ferry.',
      personality: 'calm', scenario: '', firstMessage: 'Ticket, please.', alternateGreetings: [],
      exampleDialogue: '<START>\n{{user}}: Is it far?\n{{char}}: Two hours, if the fog lifts.\n<START>\n{{user}}: Can I sit up front?\n{{char}}: Only if you keep quiet.',
      systemPrompt: '', postHistoryInstructions: '', creatorNotes: '', tags: [], creator: 'e2e', characterVersion: '1', catchphrases: [], language: 'en',
      extensions: {},
      lorebook: {
        extensions: {},
        entries: [{ id: 1, keys: ['lighthouse'], secondaryKeys: [], content: 'The lighthouse on Gannet Rock guides the ferry.', enabled: true, insertionOrder: 0, extensions: {} }],
      },
    };
    await openApp(page);
    await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles([{ name: 'mira.png', mimeType: 'image/png', buffer: Buffer.from(exportPngCard(mira)) }]);
    await expect(page.locator('.grid').getByRole('link', { name: 'Open Mira' })).toBeVisible();
    await loadTinyModel(page);
    await newChatWith(page, 'Mira');
    await sendMessage(page, 'Can you see the lighthouse?');
    const { dialog } = await openPrompt(page);

    const names = await sectionNames(page);
    expect(names).toEqual(expect.arrayContaining(['system', 'examples', 'lorebook', 'history', 'message']));
    expect(names.indexOf('examples')).toBeLessThan(names.indexOf('lorebook'));
    await expect(dialog.locator('[data-section="examples"] summary')).toHaveText(/Example exchanges \(few-shot\)\s*\d+ tokens/);

    await dialog.getByText(/Messages exactly as sent/).click();
    const messages = dialog.locator('.messages > li');
    await expect(messages.nth(0)).toHaveAttribute('data-role', 'system');
    for (const [i, role, text] of [[1, 'user', 'Is it far?'], [2, 'assistant', 'Two hours, if the fog lifts.'], [3, 'user', 'Can I sit up front?'], [4, 'assistant', 'Only if you keep quiet.']] as const) {
      await expect(messages.nth(i)).toHaveAttribute('data-role', role);
      await expect(messages.nth(i).locator('pre')).toHaveText(text);
    }
    await expect(messages.last().locator('pre')).toHaveText('Can you see the lighthouse?');
    // The same messages, copied as OpenAI-style JSON.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await dialog.getByRole('button', { name: 'Copy as JSON' }).click();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { role: string; content: string }[];
    expect(copied[1]).toEqual({ role: 'user', content: 'Is it far?' });
    expect(copied.at(-1)).toEqual({ role: 'user', content: 'Can you see the lighthouse?' });

    const lore = dialog.getByTestId('inspector-lore');
    await expect(lore).toContainText('key “lighthouse”');
    await expect(lore).toContainText('before the conversation');
    await dialog.locator('[data-section="lorebook"] summary').click();
    await expect(dialog.locator('[data-section="lorebook"] pre')).toContainText('The lighthouse on Gannet Rock guides the ferry.');
  });

  test('a ChatHaruhi pack: the scenes retrieval chose, with their BM25 scores, in the classic-scenes section, and knowledge passages in their own', async ({ page }) => {
    test.skip(!haveFixtures, 'needs ../shared/fixtures/chatharuhi');
    const files = readPackFolder('haruhi');
    // A wiki-like page (prose, far over a scene's size): imported as knowledge passages.
    const wiki = Array.from({ length: 40 }, (_, i) => `第${i}条资料，SOS团是凉宫春日创立的社团，目的是寻找外星人、未来人和超能力者，活动室在文艺社的旧教室。`).join('\n');
    files.push({ path: 'haruhi/texts/SOS团资料.txt', bytes: new TextEncoder().encode(wiki) });
    const zip = Buffer.from(zipSync(Object.fromEntries(files.map((f) => [f.path, f.bytes]))));
    await openApp(page);
    await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles([{ name: 'haruhi.zip', mimeType: 'application/zip', buffer: zip }]);
    // Named from the pack's system prompt (你正在扮演凉宫春日), not from its folder.
    await expect(page.locator('.grid').getByRole('link', { name: 'Open 凉宫春日' })).toBeVisible({ timeout: 30_000 });
    await loadTinyModel(page);
    await newChatWith(page, '凉宫春日');
    await sendMessage(page, '阿虚，SOS团今天去哪里找外星人？');
    const { dialog } = await openPrompt(page);

    const scenes = dialog.getByTestId('inspector-scenes');
    await expect(scenes).toContainText(/Searched 1\d\d scenes by keywords \(BM25\)\./);
    await expect(scenes).toContainText(/Chosen \(\d+\)/);
    await expect(scenes.locator('li').first()).toContainText(/BM25 [\d.]+, rank \d+/);
    // A first reply: every chosen scene was put in for it.
    await expect(scenes.locator('li').first()).toContainText('put in for this reply');
    await expect(dialog.locator('[data-section="scenes"] summary')).toHaveText(/Classic scenes\s*\d+ tokens/);
    await dialog.locator('[data-section="scenes"] summary').click();
    await expect(dialog.locator('[data-section="scenes"] pre').first()).toContainText('角色的经典场景如下：');
    await expect(dialog.getByTestId('inspector-knowledge')).toHaveText(/Knowledge passages chosen \(\d+\)/);
    await expect(dialog.locator('[data-section="knowledge"] summary')).toHaveText(/Knowledge passages\s*\d+ tokens/);
    await dialog.locator('[data-section="knowledge"] summary').click();
    await expect(dialog.locator('[data-section="knowledge"] pre').first()).toContainText('角色了解的背景知识（资料，不是对白）：');
  });
});
