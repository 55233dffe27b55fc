// WllamaEngine on its own in the built app's page (no UI): real llama.cpp inference on the tiny GGUF.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test, tinyGgufPath } from './fixtures';

// The build under test: HEARTH_OUT_DIR when a run builds elsewhere (see vite.config.ts), else dist/.
const assetsDir = join(process.env.HEARTH_OUT_DIR || fileURLToPath(new URL('../../dist/', import.meta.url)), 'assets');

/** The engine is a lazily loaded chunk of the built app (src/main.ts imports it on demand). */
function engineChunk(): string {
  const chunk = readdirSync(assetsDir).find((f) => /^wllama-engine-[\w-]+\.js$/.test(f));
  if (!chunk) throw new Error(`no wllama-engine-*.js chunk in ${assetsDir}: is the engine still imported lazily?`);
  return `/assets/${chunk}`;
}

interface Collected {
  deltas: string[];
  text: string;
  done?: { type: 'done'; finishReason: string; usage: { promptTokens: number; completionTokens: number; tokensPerSecond?: number } };
  error?: { code: string; message: string; details: Record<string, unknown> };
}

/** Opens the app, imports the engine chunk and installs helpers on window. */
async function openEngine(page: Page): Promise<void> {
  await page.goto('/');
  await page.evaluate(async (chunk) => {
    const { WllamaEngine } = (await import(chunk)) as { WllamaEngine: new () => unknown };
    const w = window as unknown as Record<string, unknown>;
    w.__engine = new WllamaEngine();
    w.__plain = (e: { name?: string; code?: string; message?: string; details?: unknown }) => ({ name: e?.name, code: e?.code, message: e?.message, details: e?.details });
    const input = document.createElement('input');
    input.type = 'file';
    input.id = '__gguf';
    input.setAttribute('aria-label', 'engine test file');
    document.body.append(input);
  }, engineChunk());
}

async function pickFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await page.locator('#__gguf').setInputFiles(file);
}

async function loadPicked(page: Page): Promise<{ model?: Record<string, unknown>; progress?: Record<string, unknown>[]; error?: Collected['error'] }> {
  return page.evaluate(async () => {
    const w = window as unknown as { __engine: { load: Function }; __plain: Function };
    const file = (document.getElementById('__gguf') as HTMLInputElement).files![0];
    const progress: unknown[] = [];
    try {
      const model = await w.__engine.load({ kind: 'gguf-file', file, name: file.name }, (p: unknown) => progress.push(p));
      return { model, progress };
    } catch (e) {
      return { error: w.__plain(e) };
    }
  }) as never;
}

/** Streams one reply; aborts after `abortAfter` deltas when given. */
async function chat(page: Page, content: string, maxTokens: number, abortAfter?: number): Promise<Collected> {
  return page.evaluate(async ({ content, maxTokens, abortAfter }) => {
    const w = window as unknown as { __engine: { chat: Function }; __plain: Function };
    const controller = new AbortController();
    const deltas: string[] = [];
    let done: unknown;
    try {
      const messages = [{ role: 'system', content: 'You are a lighthouse keeper.' }, { role: 'user', content }];
      for await (const ev of w.__engine.chat(messages, { maxTokens, temperature: 0.8, topP: 0.95, repetitionPenalty: 1.1, seed: 11 }, controller.signal)) {
        if (ev.type === 'delta') {
          deltas.push(ev.text);
          if (deltas.length === abortAfter) controller.abort();
        } else done = ev;
      }
    } catch (e) {
      return { deltas, text: deltas.join(''), error: w.__plain(e) };
    }
    return { deltas, text: deltas.join(''), done };
  }, { content, maxTokens, abortAfter }) as Promise<Collected>;
}

/** One reply to `messages` with the given options (no abort). */
async function reply(page: Page, messages: { role: string; content: string }[], options: Record<string, unknown>): Promise<Collected> {
  return page.evaluate(async ({ messages, options }) => {
    const w = window as unknown as { __engine: { chat: Function }; __plain: Function };
    const deltas: string[] = [];
    let done: unknown;
    try {
      for await (const ev of w.__engine.chat(messages, options)) {
        if (ev.type === 'delta') deltas.push(ev.text);
        else done = ev;
      }
    } catch (e) {
      return { deltas, text: deltas.join(''), error: w.__plain(e) };
    }
    return { deltas, text: deltas.join(''), done };
  }, { messages, options }) as Promise<Collected>;
}

test.describe('WllamaEngine in Chromium', () => {
  test('loads a picked GGUF, streams, stops mid-reply and replies again', async ({ page }) => {
    const wasmRequests: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmRequests.push(r.url()); });
    page.on('pageerror', (e) => pageErrors.push(e.message)); // e.g. an unhandled AbortError
    await openEngine(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    await pickFile(page, tinyGgufPath);
    const loaded = await loadPicked(page);
    expect(loaded.error).toBeUndefined();
    expect(loaded.model).toMatchObject({ id: 'gguf:tiny.gguf', engine: 'wllama', contextWindow: 4096 });
    expect(loaded.progress!.at(-1)).toMatchObject({ phase: 'load', fraction: 1 });
    // The wasm comes from the app's own origin (no CDN, no compat build).
    expect(wasmRequests.length).toBeGreaterThan(0);
    for (const url of wasmRequests) expect(new URL(url).hostname).toBe('localhost');

    const first = await chat(page, 'Is the lamp lit tonight?', 40);
    expect(first.error).toBeUndefined();
    expect(first.deltas.length).toBeGreaterThan(5);
    expect(first.text).toMatch(/[ -~]{5}/); // visible text
    expect(first.done).toMatchObject({ finishReason: 'length', usage: { completionTokens: 40 } });
    expect(first.done!.usage.promptTokens).toBeGreaterThan(10);
    expect(first.done!.usage.tokensPerSecond).toBeGreaterThan(0);

    const stopped = await chat(page, 'Tell me a long story.', 300, 4);
    expect(stopped.error).toBeUndefined();
    expect(stopped.deltas).toHaveLength(4);
    // A fast model's pieces reach the page in batches (one delta may hold several tokens): the
    // stopped reply counts the tokens those four deltas carried, far fewer than it was allowed.
    expect(stopped.done).toMatchObject({ finishReason: 'abort' });
    expect(stopped.done!.usage.completionTokens).toBeGreaterThanOrEqual(4);
    expect(stopped.done!.usage.completionTokens).toBeLessThan(300);
    expect(stopped.done!.usage.promptTokens).toBeGreaterThan(10);

    const again = await chat(page, 'And then?', 24);
    expect(again.error).toBeUndefined();
    expect(again.done).toMatchObject({ finishReason: 'length', usage: { completionTokens: 24 } });

    const { caps, cores } = await page.evaluate(() => ({ caps: (window as unknown as { __engine: { capabilities(): unknown } }).__engine.capabilities(), cores: navigator.hardwareConcurrency }));
    // Half the cores run the model (the rest stay free for the page): threads start at 4 cores.
    expect(caps).toEqual({
      gpu: false, multiThread: Math.floor(cores / 2) >= 2, continueReply: true, structuredOutput: true,
      samplers: ['topK', 'minP', 'repetitionPenalty', 'presencePenalty', 'frequencyPenalty', 'seed', 'stop'],
    });
    // Structured output: random weights still write a record of the schema's shape (a grammar constrains every token).
    const schema = { type: 'object', properties: { answer: { type: 'string', minLength: 1, maxLength: 40 }, mood: { type: 'integer', minimum: 1, maximum: 5 } }, required: ['answer', 'mood'] };
    const record = await reply(page, [{ role: 'user', content: 'How are you?' }], { maxTokens: 120, temperature: 0.8, topP: 0.95, jsonSchema: schema });
    expect(record.error).toBeUndefined();
    const parsed = JSON.parse(record.text) as { answer: string; mood: number };
    expect(Object.keys(parsed)).toEqual(['answer', 'mood']);
    expect([...parsed.answer].length).toBeLessThanOrEqual(40);
    expect([1, 2, 3, 4, 5]).toContain(parsed.mood);
    await page.evaluate(() => (window as unknown as { __engine: { unload(): Promise<void> } }).__engine.unload());
    const afterUnload = await chat(page, 'Anyone there?', 8);
    expect(afterUnload.error?.code).toBe('no-model');
    expect(pageErrors).toEqual([]);
  });

  test('samplers reach llama.cpp (a repetition penalty changes a greedy reply) and a last assistant turn is continued', async ({ page }) => {
    await openEngine(page);
    await pickFile(page, tinyGgufPath);
    expect((await loadPicked(page)).error).toBeUndefined();
    const messages = [{ role: 'system', content: 'You are a lighthouse keeper.' }, { role: 'user', content: 'Tell me about the sea.' }];
    const greedy = { maxTokens: 24, temperature: 0, topP: 1, topK: 0, minP: 0, seed: 1 };

    const plain = await reply(page, messages, { ...greedy, repetitionPenalty: 1 });
    const again = await reply(page, messages, { ...greedy, repetitionPenalty: 1 });
    const penalised = await reply(page, messages, { ...greedy, repetitionPenalty: 2 });
    expect(plain.error).toBeUndefined();
    expect(again.text).toBe(plain.text); // greedy is repeatable, so a difference is the penalty's
    expect(penalised.text).not.toBe(plain.text);

    // Continue: the reply so far is the open last turn; new text comes after it, in the same turn.
    const continued = await reply(page, [...messages, { role: 'assistant', content: plain.text }], { ...greedy, repetitionPenalty: 1, continueLast: true });
    expect(continued.error).toBeUndefined();
    expect(continued.deltas.length).toBeGreaterThan(0);
    expect(continued.done!.usage.promptTokens).toBeGreaterThan(plain.done!.usage.promptTokens);
  });

  test('refuses a file that is not GGUF, naming it, and keeps the model that was loaded', async ({ page }) => {
    await openEngine(page);
    await pickFile(page, tinyGgufPath);
    expect((await loadPicked(page)).error).toBeUndefined();

    await pickFile(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Dear diary, today I downloaded a model.') });
    const refused = await loadPicked(page);
    expect(refused.error).toMatchObject({ code: 'not-gguf', details: { file: 'notes.txt' } });

    const reply = await chat(page, 'Still there?', 8);
    expect(reply.done?.finishReason).toBe('length');
  });

  test('downloads a GGUF by URL with progress; a missing URL is not-found', async ({ page }) => {
    await page.route('**/models/tiny.gguf', (route) => route.fulfill({ path: tinyGgufPath, headers: { 'Content-Type': 'application/octet-stream' } }));
    await page.route('**/models/missing.gguf', (route) => route.fulfill({ status: 404, body: 'not found' }));
    await openEngine(page);
    const result = await page.evaluate(async () => {
      const w = window as unknown as { __engine: { load: Function }; __plain: Function };
      const phases: string[] = [];
      const model = await w.__engine.load({ kind: 'gguf-url', url: '/models/tiny.gguf' }, (p: { phase: string; fraction: number | null }) => phases.push(`${p.phase}:${p.fraction === null ? 'null' : p.fraction.toFixed(2)}`));
      let missing: unknown = null;
      try {
        await w.__engine.load({ kind: 'gguf-url', url: '/models/missing.gguf' }, () => {});
      } catch (e) {
        missing = w.__plain(e);
      }
      return { model, phases, missing };
    });
    expect(result.model).toMatchObject({ engine: 'wllama', sizeBytes: expect.any(Number) });
    expect(result.phases[0]).toMatch(/^download:/);
    expect(result.phases).toContain('download:1.00');
    expect(result.phases.at(-1)).toBe('load:1.00');
    expect(result.phases.indexOf('download:1.00')).toBeLessThan(result.phases.findIndex((p) => p.startsWith('load:')));
    expect(result.missing).toMatchObject({ code: 'not-found', details: { status: 404 } });
  });
});
