// A model server of the person's own, for real: a small OpenAI-compatible server on llama.cpp
// (node-llama-cpp, test/e2e/llama-test-server.ts) serving the tiny GGUF, started and stopped here.

import { expect, test } from '@playwright/test';
import { openApp, recordStreaming, setReplyLength, startChat, streamingSamples, TINY_GGUF } from './app';
import { startLlamaTestServer, type LlamaTestServer } from './llama-test-server';

let server: LlamaTestServer;

test.beforeAll(async () => {
  // 20 ms a token: slow enough to press Stop mid-reply, as on a busy GPU box.
  server = await startLlamaTestServer({ modelPath: TINY_GGUF, contextSize: 2048, tokenDelayMs: 20 });
});

test.afterAll(async () => {
  await server?.close();
});

test('connects to a llama.cpp server, says where text goes, streams, stops, and keeps the chat over a reload', async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`));
  });
  const host = new URL(server.url).host;
  await openApp(page);
  await setReplyLength(page, 256);

  // The card: address, test (models and window read from the server), then "use" — asked once first.
  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByLabel('Server address').fill(`${server.url}/v1/`);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByText(`Connected to ${host}: 1 models.`)).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Model', exact: true })).toHaveValue('tiny');
  await expect(page.getByText(`The server runs it with ${server.contextSize} tokens.`)).toBeVisible();
  await page.getByRole('button', { name: 'Use this model' }).click();
  const consent = page.getByRole('alertdialog', { name: `Send text to ${host}?` });
  await expect(consent).toBeVisible();
  expect(server.stats.generations).toBe(0);
  await consent.getByRole('button', { name: `Send to ${host}` }).click();
  await expect(page.getByText(`Loaded: tiny (${host})`)).toBeVisible();
  await expect(page.getByRole('link', { name: `↗ Sent to ${host}` })).toBeVisible();

  // The gallery no longer claims nothing leaves the device.
  await page.getByRole('link', { name: 'Characters' }).click();
  await expect(page.getByText(`Replies come from your model server at ${host}`)).toBeVisible();
  await expect(page.getByText('nothing leaves it')).toHaveCount(0);

  await startChat(page);
  await expect(page.getByText(`Replies in this chat are written by the model server at ${host}`)).toBeVisible();
  const replies = page.locator('article[data-role="assistant"]');
  const greeting = await replies.first().locator('.content').innerText();
  await recordStreaming(page);
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('Is the lamp lit tonight?');
  await box.press('Enter');
  await expect(replies.nth(1)).toHaveAttribute('data-status', 'streaming');
  await expect.poll(async () => new Set(await streamingSamples(page)).size, { timeout: 20_000 }).toBeGreaterThan(3);

  // Stop: the text so far stays, and the server stops generating (it sees the request closed).
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(replies.nth(1)).toHaveAttribute('data-status', 'stopped');
  const stoppedText = await replies.nth(1).locator('.content').innerText();
  expect(stoppedText.length).toBeGreaterThan(0);
  await expect.poll(() => server.stats.cancelled).toBe(1);

  // Reload: the chat is intact; the server is offered again, without asking a second time.
  await page.reload();
  await expect.poll(() => replies.first().locator('.content').innerText()).toBe(greeting);
  await expect(page.locator('article[data-role="user"]')).toContainText('Is the lamp lit tonight?');
  await expect.poll(() => replies.nth(1).locator('.content').innerText()).toBe(stoppedText);
  await page.getByRole('button', { name: `Use tiny on ${host}` }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await expect(page.getByText(`Replies in this chat are written by the model server at ${host}`)).toBeVisible();

  // A whole reply from the server after the reload.
  await page.getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByText('2 of 2')).toBeVisible();
  await expect(replies.nth(1)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(server.stats.generations).toBe(2);

  // Continue through llama-server (its chat template, then a raw completion): the same reply grows.
  const whole = await replies.nth(1).locator('.content').innerText();
  await replies.nth(1).getByRole('button', { name: 'Continue' }).click();
  await expect.poll(async () => (await replies.nth(1).locator('.content').innerText()).length, { timeout: 60_000 }).toBeGreaterThan(whole.length);
  await expect(replies.nth(1)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect((await replies.nth(1).locator('.content').innerText()).startsWith(whole.trimEnd())).toBe(true);
  await expect(replies).toHaveCount(2);
  expect(server.stats.generations).toBe(3);
  expect(server.stats.completions).toBe(1);

  // Write my line: the person's opened turn completed as raw text, into the box; nothing is saved.
  await page.getByRole('button', { name: 'Write my line' }).click();
  await expect(box).not.toHaveValue('', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
  expect(server.stats.completions).toBe(2);
  await expect(page.locator('article[data-role="user"]')).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
});
