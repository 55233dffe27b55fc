// Write example dialogues with the tiny GGUF (random weights): the grammar makes every reply a
// well-formed record even though its text is noise, the filters run and are counted, review
// accepts a pair, and it is in the corpus as generated and in a later reply's retrieved scenes.

import { expect, test } from '@playwright/test';
import { loadTinyModel, openApp, sendMessage } from './app';

test('writes pairs under a JSON grammar, filters and counts them, and an accepted pair is retrieved in a chat', async ({ page }) => {
  test.setTimeout(420_000);
  await openApp(page);
  await loadTinyModel(page);
  // A short card: in the tiny model's byte-level tokens a long one leaves the chat prompt no room for scenes.
  await page.getByRole('link', { name: 'Characters' }).click();
  await page.getByRole('link', { name: 'New character' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Wren Ashdown');
  await page.getByLabel('Long description').fill('{{char}} is a polite ghost who has kept the attic of the old mill tidy for a hundred years.');
  await page.getByLabel('Greeting', { exact: true }).fill('Oh! A visitor. Mind the dust, {{user}}.');
  await page.getByLabel('Example dialogue').fill('<START>\n{{user}}: Who are you?\n{{char}}: Only the attic’s oldest tenant.');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Wren Ashdown' })).toBeVisible();

  await page.getByText('Write example dialogues', { exact: true }).click();
  await page.getByLabel('How many pairs').fill('10');
  await page.getByRole('button', { name: 'Start writing' }).click();

  const job = page.getByRole('region', { name: 'Example dialogues for Wren Ashdown' });
  await expect(job.getByRole('status')).toContainText('Done', { timeout: 360_000 });
  // Under the grammar no reply failed to parse, however noisy its text.
  await expect(job.getByText('Not a valid record: 0')).toBeVisible();
  // Every filter is shown with its count; with noise for text some pairs pass and some are dropped.
  for (const filter of ['Low confidence', 'Incomplete question', 'Wrong language', 'Too short', 'Too long', 'Near-duplicate', 'Breaks character', 'Out-of-world question not deflected']) {
    await expect(job.getByText(new RegExp(`^${filter}: \\d+$`))).toBeVisible();
  }
  const kept = Number((await job.getByText(/^Kept: \d+$/).textContent())!.replace(/\D/g, ''));
  expect(kept).toBeGreaterThan(0);

  // Review: edit the first pair (noise is long: a short pair fits any prompt's room for scenes), accept it on its own.
  const pairs = page.getByTestId('review-pair');
  await expect(pairs).toHaveCount(kept);
  const question = 'What keeps a ghost busy through the long winter nights?';
  await pairs.first().getByRole('textbox', { name: 'Question 1' }).fill(question);
  await pairs.first().getByRole('textbox', { name: 'Answer 1' }).fill('Dusting, mostly. And counting the mice.');
  await pairs.first().getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(pairs).toHaveCount(kept - 1);

  // In the corpus, apart, as generated, with the prompt it was written from.
  const generated = page.getByTestId('generated-scene');
  await expect(generated).toHaveCount(1);
  await expect(generated).toContainText('Wren Ashdown: Dusting, mostly. And counting the mice.');
  await expect(page.getByRole('heading', { name: 'Written by the model (1)' })).toBeVisible();
  await generated.getByText('Prompt', { exact: true }).click();
  await expect(generated.locator('pre')).toContainText('You are Wren Ashdown.');
  await expect(page.getByTestId('corpus-summary')).toContainText(/^1 scenes?/);

  // A later chat retrieves it: asking the same question finds it by keywords.
  await page.getByRole('button', { name: 'New chat' }).click();
  const replies = page.locator('article[data-role="assistant"]');
  await sendMessage(page, question, { untilDone: true });
  await replies.last().getByRole('button', { name: 'Show prompt' }).click();
  const scenes = page.getByRole('dialog', { name: 'Prompt sent for this reply' }).getByTestId('inspector-scenes');
  await expect(scenes).toContainText('Chosen (1)');
  await expect(scenes.locator('li').first()).toContainText(question);
});
