// Evaluating a character on real inference (the tiny GGUF): a run over held-out exchanges of an
// imported corpus completes as a background job, shows its table, exports a CSV whose content is
// checked; the held-out scenes are found by the corpus search again afterwards.

import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { loadTinyModel, openApp, setReplyLength } from './app';

/** A ChatHaruhi JSONL pack written here: Wren answers Tom in every story and has the last word, so she speaks most and is the character. */
const STORIES: [string, string][] = [
  ['Where did the archive key go?', 'Under the brass inkwell, where it always hides.'],
  ['Why are the lanterns lit at noon?', 'Because the fog in the stacks never lifts.'],
  ['Who wrote the ledger of storms?', 'A keeper who counted every wave twice.'],
  ['Can I borrow the map of the marsh?', 'Only if you bring it back dry.'],
];
const pack = () => ({
  name: 'wren.jsonl',
  mimeType: 'application/jsonl',
  buffer: Buffer.from(STORIES.map(([asked, answer]) => JSON.stringify({ text: `Tom:「${asked}」\nWren:「${answer}」\nWren:「Mind the stairs on your way out.」` })).join('\n')),
});

async function importPack(page: Page): Promise<void> {
  await page.getByLabel('Import character cards, packs or lorebooks').setInputFiles([pack()]);
  const results = page.getByRole('region', { name: 'Import results' });
  await expect(results.getByRole('link', { name: 'Open Wren' })).toContainText('4 scenes');
  await results.getByRole('link', { name: 'Open Wren' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Wren' })).toBeVisible();
}

test.describe('evaluation', () => {
  test('a run over held-out exchanges completes with real replies, shows its table and exports a CSV; the held-out scenes are searchable again', async ({ page }) => {
    test.setTimeout(900_000);
    await openApp(page);
    await setReplyLength(page, 16);
    await loadTinyModel(page);
    await page.getByRole('link', { name: 'Characters' }).click();
    await importPack(page);
    const characterUrl = page.url();

    await page.getByRole('link', { name: 'Evaluate' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Evaluate Wren' })).toBeVisible();
    await page.getByLabel(/Held-out exchanges from the corpus/).fill('2');
    await page.getByLabel('Few-shot (RoleGPT example exchanges)').uncheck();
    await page.getByLabel('+ memory (pinned facts of the chats)').uncheck();
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect(page.getByText('The run started: 4 replies to write.')).toBeVisible();

    // Two questions × two configurations, each a real reply and the judge's answer.
    await expect(page.getByText('Finished', { exact: true })).toBeVisible({ timeout: 480_000 });
    const table = page.getByRole('table', { name: 'Scores per configuration (mean ± spread)' });
    await expect(table.getByRole('row')).toHaveCount(3);
    await expect(table.getByRole('row', { name: /Zero-shot/ })).toContainText('2 / 2');
    await expect(table.getByRole('row', { name: /\+ scenes/ })).toContainText('2 / 2');
    // Every question has its original reply, so every configuration has a Rouge-L mean and spread.
    await expect(table.getByRole('row', { name: /Zero-shot/ }).getByRole('cell').nth(1)).toHaveText(/^\d\.\d\d ± \d\.\d\d$/);
    await expect(page.getByRole('img', { name: /Chart of Rouge-L F per configuration/ })).toBeVisible();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^Wren-evaluation-\d+\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('question,source,configuration,mode,model,prompt,reference,reply,rouge_l,cosine_reference,cosine_lines,identity_pick,identity_right,ooc_markers,length,stars');
    expect(lines).toHaveLength(5);
    const asked = STORIES.filter(([question]) => csv.includes(question));
    expect(asked).toHaveLength(2);
    for (const line of lines.slice(1)) expect(line).toMatch(/^held-out:[^,]+,held-out,(zero-shot|scenes)@/);
    for (const [, answer] of asked) expect(csv).toContain(answer);

    // After the run, retrieval is as before: the corpus search finds each held-out exchange.
    await page.goto(characterUrl);
    await page.getByTestId('corpus-summary').click();
    const search = page.getByRole('searchbox', { name: 'Search the corpus' });
    for (const [question] of asked) {
      await search.fill(question);
      await expect(page.getByRole('region', { name: 'Corpus' }).locator('ol.scenes > li').first()).toContainText(question);
    }
  });
});
