// axe-core (WCAG 2.0 A/AA and 2.1 AA rules) on every screen, in English and Chinese, at desktop and
// phone sizes: the gallery, import results, the replace-or-keep question, a character's page, the
// editor, the Models page with a model loaded, Settings, the lorebook editor, a chat with a reply and its prompt inspector.

import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { exportPngCard, type CardCharacter } from '../../src/core/cards';
import { translate, type MessageKey, type UiLang } from '../../src/core/i18n';
import { TINY_GGUF } from './app';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa'];

const card: CardCharacter = {
  name: 'Wren Ashdown',
  nickname: '',
  avatar: '',
  shortDescription: 'Keeper of a lantern-lit archive.',
  description: '{{char}} is the archivist of Ashdown.',
  personality: 'patient',
  scenario: 'A rainy evening in the archive.',
  firstMessage: 'Welcome to the Ashdown archive, {{user}}.',
  alternateGreetings: [],
  exampleDialogue: '',
  systemPrompt: '',
  postHistoryInstructions: '',
  creatorNotes: '',
  tags: ['archive'],
  creator: 'e2e',
  characterVersion: '1',
  catchphrases: [],
  language: 'en',
  extensions: {},
};
const pngCard = () => ({ name: 'wren.png', mimeType: 'image/png', buffer: Buffer.from(exportPngCard(card)) });

/** Runs axe on the page as it is now; returns one line per failing element ("rule: selector"). */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(' ')} — ${node.failureSummary ?? ''}`));
  }, AXE_TAGS);
}

const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 740 } } as const;
const locales: Record<UiLang, string> = { en: 'en-US', zh: 'zh-CN' };

for (const lang of ['en', 'zh'] as const) {
  for (const [sizeName, viewport] of Object.entries(sizes)) {
    test.describe(`accessibility, ${lang}, ${sizeName}`, () => {
      // The built app's Content-Security-Policy forbids inline scripts, and axe is injected as one:
      // this test alone lifts the policy (csp.spec.ts checks the policy itself).
      test.use({ locale: locales[lang], viewport, bypassCSP: true });

      test('every screen has zero axe violations', async ({ page }) => {
        const t = (key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params);
        const found: Record<string, string[]> = {};
        // Each screen in the light and the dark theme (theme.css follows prefers-color-scheme).
        const check = async (screen: string) => {
          for (const colorScheme of ['light', 'dark'] as const) {
            await page.emulateMedia({ colorScheme });
            const list = await violations(page);
            if (list.length) found[`${screen} (${colorScheme})`] = list;
          }
          await page.emulateMedia({ colorScheme: 'light' });
        };

        await page.goto('/#/');
        await expect(page.getByRole('heading', { level: 1, name: t('gallery.title') })).toBeVisible();
        // The UI started in the browser's language, and the page says which from the first paint.
        await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
        await check('gallery');

        // A SillyTavern chat with a character of no known name: its result asks which character.
        const strayChat = [JSON.stringify({ user_name: 'U', character_name: 'Nobody', chat_metadata: {} }), JSON.stringify({ name: 'Nobody', is_user: false, mes: 'Hi.' })].join('\n');
        await page.getByLabel(t('chatFiles.import')).setInputFiles({ name: 'stray.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(strayChat) });
        await expect(page.getByRole('button', { name: t('chatFiles.importInto') })).toBeVisible();
        await check('chat import');

        await page.getByLabel(t('import.files')).setInputFiles([pngCard()]);
        await expect(page.getByRole('region', { name: t('import.results') }).locator('li')).toHaveCount(1);
        await check('import results');
        await page.getByLabel(t('import.files')).setInputFiles([pngCard()]);
        const question = page.getByRole('dialog', { name: t('import.duplicate.title') });
        await expect(question).toBeVisible();
        await check('replace-or-keep question');
        await question.getByRole('button', { name: t('import.duplicate.skip') }).click();
        await expect(question).toBeHidden();

        await page.locator('.grid a', { hasText: card.name }).click();
        await expect(page.getByRole('heading', { level: 1, name: card.name })).toBeVisible();
        await check('character page');

        await page.goto('/#/new');
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await check('character editor');

        await page.goto('/#/models');
        await page.getByLabel(t('models.ggufFile')).setInputFiles(TINY_GGUF);
        await expect(page.getByText(t('models.loaded', { name: '' }).trim())).toBeVisible({ timeout: 60_000 });
        await check('models');

        await page.getByRole('link', { name: t('nav.settings') }).click();
        await expect(page.getByRole('heading', { level: 1, name: t('settings.title') })).toBeVisible();
        await check('settings');

        // The lorebook editor: a new book with an entry open, a key refused, the test panel filled in.
        await page.getByRole('button', { name: t('lore.new') }).click();
        await expect(page.getByRole('heading', { level: 1, name: t('lore.pageTitle', { name: t('lore.newName') }) })).toBeVisible();
        await page.getByRole('button', { name: t('lore.add') }).click();
        await page.getByLabel(t('lore.f.keys'), { exact: true }).fill('Ashdown, /(a+)+b/');
        await page.getByLabel(t('lore.test.text')).fill('Ashdown');
        await page.getByText(t('lore.settings'), { exact: true }).click();
        await check('lorebook editor');

        await page.getByRole('link', { name: t('nav.characters') }).click();
        await page.locator('.grid a', { hasText: 'Hester Coyle' }).click();
        await page.getByRole('button', { name: t('character.newChat') }).click();
        const box = page.getByRole('textbox', { name: t('chat.message') });
        // Role-play markup nested as models write it: an action inside an action, emphasis inside both.
        await box.fill('*waves *slowly* and _smiles_* Hello there.');
        await box.press('Enter');
        const reply = page.locator('article[data-role="assistant"]').last();
        await expect(page.locator('article[data-role="user"]')).toHaveCount(1);
        await expect(reply).toHaveAttribute('data-status', /done|stopped/, { timeout: 90_000 });
        await check('chat');

        await reply.getByRole('button', { name: t('inspector.show') }).click();
        await expect(page.getByRole('dialog', { name: t('inspector.title') })).toBeVisible();
        await check('prompt inspector');
        await page.keyboard.press('Escape');

        await page.getByRole('link', { name: t('chatSearch.nav'), exact: true }).click();
        await page.getByRole('searchbox', { name: t('chatSearch.query') }).fill('Hello there');
        await page.getByRole('button', { name: t('chatSearch.submit'), exact: true }).click();
        await expect(page.getByRole('main').getByRole('status')).toHaveText(t('chatSearch.found', { count: 1 }));
        await check('chat search');
        await page.getByRole('link', { name: /Hello there/ }).click();
        await expect(page.locator('article[aria-current="true"]')).toBeVisible();
        await check('chat at a search result');

        expect(found).toEqual({});
      });
    });
  }
}
