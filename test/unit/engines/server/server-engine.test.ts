// The server engine against a real HTTP server on a local port (node:http), scripted per test: what
// goes over the wire, streaming, stopping, usage, and the sentences for each refusal.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../../src/core/engine';
import { AppError } from '../../../../src/core/errors';
import { ServerEngine } from '../../../../src/engines/server/server-engine';

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

/** Starts a server whose routes answer as given; returns its base URL and the requests it saw. */
async function serve(routes: Record<string, Handler>): Promise<{ url: string; seen: { path: string; body: Record<string, unknown>; auth?: string }[] }> {
  const seen: { path: string; body: Record<string, unknown>; auth?: string }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const path = (req.url ?? '').split('?')[0];
      seen.push({ path, body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      const route = routes[`${req.method} ${path}`];
      if (route) route(req, body, res);
      else res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":{"message":"File Not Found"}}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (value: unknown, status = 200): Handler => (_req, _body, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
};
const models = (...ids: string[]): Handler => json({ object: 'list', data: ids.map((id) => ({ id, object: 'model' })) });
const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

/** A streamed reply: the pieces (split mid-event on purpose), a keep-alive, then usage and [DONE]. */
const streamReply = (pieces: string[], usage = { prompt_tokens: 40, completion_tokens: pieces.length }): Handler => (_req, _body, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  res.write(': keep-alive\n\n');
  const text = pieces.map(chunk).join('') +
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n` +
    `data: ${JSON.stringify({ choices: [], usage, timings: { predicted_per_second: 123.5 } })}\n\ndata: [DONE]\n\n`;
  // Cut into 7-byte pieces so events arrive split anywhere.
  for (let i = 0; i < text.length; i += 7) res.write(text.slice(i, i + 7));
  res.end();
};

async function collect(events: AsyncIterable<ChatEvent>): Promise<{ text: string; done?: Extract<ChatEvent, { type: 'done' }> }> {
  let text = '';
  let done: Extract<ChatEvent, { type: 'done' }> | undefined;
  for await (const event of events) {
    if (event.type === 'delta') text += event.text;
    else done = event;
  }
  return { text, ...(done ? { done } : {}) };
}

const OPTIONS = { maxTokens: 64, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.1 };

async function connected(routes: Record<string, Handler>, config: { apiKey?: string; contextWindow?: number; model?: string } = {}) {
  const server = await serve({ 'GET /v1/models': models('tiny'), ...routes });
  const engine = new ServerEngine({ pageProtocol: 'http:', reachable: async () => false });
  const model = await engine.load({ kind: 'server', server: { baseUrl: server.url, model: config.model ?? 'tiny', ...config } }, () => {});
  return { engine, model, ...server };
}

async function failure(work: Promise<unknown> | AsyncIterable<unknown>): Promise<AppError> {
  try {
    if (work instanceof Promise) await work;
    else for await (const _ of work) void _;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a failure');
}

describe('ServerEngine', () => {
  it('streams a reply split anywhere and reports the server’s usage and rate, asking for usage in the request', async () => {
    const { engine, seen } = await connected({ 'POST /v1/chat/completions': streamReply(['Hel', 'lo, ', '旅人']) }, { apiKey: 'sk-test' });
    const { text, done } = await collect(engine.chat([{ role: 'user', content: 'Hi' }], OPTIONS));
    expect(text).toBe('Hello, 旅人');
    expect(done).toEqual({ type: 'done', finishReason: 'stop', usage: { promptTokens: 40, completionTokens: 3, tokensPerSecond: 123.5 } });
    const request = seen.find((r) => r.path === '/v1/chat/completions')!;
    expect(request.body).toMatchObject({ model: 'tiny', stream: true, stream_options: { include_usage: true }, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    expect(request.auth).toBe('Bearer sk-test');
    // Not llama.cpp (no /props): no llama.cpp-only sampler field that OpenAI's API would refuse.
    expect(request.body).not.toHaveProperty('repeat_penalty');
  });

  it('reads the context window from llama-server /props, and an entered one wins', async () => {
    const props = { 'GET /props': json({ default_generation_settings: { n_ctx: 8192 } }) };
    expect((await connected(props)).model.contextWindow).toBe(8192);
    expect((await connected(props, { contextWindow: 2048 })).model.contextWindow).toBe(2048);
    expect((await connected({})).model).toMatchObject({ engine: 'server', contextWindow: 4096 });
  });

  it('counts tokens with llama-server /tokenize', async () => {
    const { engine } = await connected({
      'GET /props': json({ default_generation_settings: { n_ctx: 512 } }),
      'POST /tokenize': (_req, body, res) => json({ tokens: String(body.content).split(' ').map((_, i) => i) })(_req, body, res),
    });
    expect(await engine.countTokens('one two three')).toBe(3);
    expect(await (await connected({})).engine.countTokens('one two')).toBeNull();
  });

  it('stops on abort: the text so far stays, the reply ends as aborted and the server sees the request closed', async () => {
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => (closed = resolve));
    const { engine } = await connected({
      'POST /v1/chat/completions': (req, _body, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(chunk('Once'));
        res.write(chunk(' upon'));
        res.on('close', () => closed());
        // …and never ends on its own.
      },
    });
    const abort = new AbortController();
    let text = '';
    let done: ChatEvent | undefined;
    for await (const event of engine.chat([{ role: 'user', content: 'A story' }], OPTIONS, abort.signal)) {
      if (event.type === 'delta') {
        text += event.text;
        if (text === 'Once upon') abort.abort();
      } else done = event;
    }
    expect(text).toBe('Once upon');
    expect(done).toMatchObject({ type: 'done', finishReason: 'abort', usage: { completionTokens: 2 } });
    await requestClosed;
    // The engine is free again at once.
    const next = await connected({ 'POST /v1/chat/completions': streamReply(['ok']) });
    expect((await collect(next.engine.chat([{ role: 'user', content: 'again' }], OPTIONS))).text).toBe('ok');
  });

  it('renders the chat template through llama-server /apply-template, for a raw completion to go on from', async () => {
    const { engine, seen } = await connected({
      'GET /props': json({ default_generation_settings: { n_ctx: 512 } }),
      'POST /apply-template': json({ prompt: '<|user|>Go<|assistant|>' }),
    });
    expect(await engine.renderPrompt([{ role: 'user', content: 'Go' }])).toBe('<|user|>Go<|assistant|>');
    expect(seen.find((r) => r.path === '/apply-template')?.body).toEqual({ messages: [{ role: 'user', content: 'Go' }] });
    expect(await (await connected({})).engine.renderPrompt([{ role: 'user', content: 'Go' }])).toBeNull();
  });

  it('continues a reply (Continue) on llama-server: the turns before it in the model\'s template, the reply so far, completed as raw text', async () => {
    const { engine, seen } = await connected({
      'GET /props': json({ default_generation_settings: { n_ctx: 512 } }),
      'POST /apply-template': json({ prompt: '<|user|>Go<|assistant|>' }),
      'POST /v1/completions': (_req, _body, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(`data: ${JSON.stringify({ choices: [{ text: ' and on.', finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
      },
    });
    expect(engine.capabilities()).toMatchObject({ continueReply: true, samplers: expect.arrayContaining(['topK', 'minP', 'repetitionPenalty']) });
    const turns = [{ role: 'user' as const, content: 'Go' }, { role: 'assistant' as const, content: 'On' }];
    const { text } = await collect(engine.chat(turns, { ...OPTIONS, continueLast: true }));
    expect(text).toBe(' and on.');
    expect(seen.find((r) => r.path === '/apply-template')?.body).toEqual({ messages: [{ role: 'user', content: 'Go' }] });
    expect(seen.find((r) => r.path === '/v1/completions')?.body).toMatchObject({ prompt: '<|user|>Go<|assistant|>On' });
    expect(seen.some((r) => r.path === '/v1/chat/completions')).toBe(false);
  });

  it('offers Continue and llama.cpp\'s samplers only on llama-server; others get OpenAI\'s samplers by their names', async () => {
    const plain = await connected({ 'POST /v1/chat/completions': streamReply(['ok']) });
    expect(plain.engine.capabilities()).toMatchObject({ continueReply: false, samplers: ['presencePenalty', 'frequencyPenalty', 'seed', 'stop'] });
    await collect(plain.engine.chat([{ role: 'user', content: 'Hi' }], { ...OPTIONS, presencePenalty: 0.5, frequencyPenalty: 0.25 }));
    expect(plain.seen.find((r) => r.path === '/v1/chat/completions')?.body).toMatchObject({ presence_penalty: 0.5, frequency_penalty: 0.25 });
    const llama = await connected({ 'GET /props': json({ default_generation_settings: { n_ctx: 512 } }), 'POST /v1/chat/completions': streamReply(['ok']) });
    await collect(llama.engine.chat([{ role: 'user', content: 'Hi' }], { ...OPTIONS, topK: 20, minP: 0.05 }));
    expect(llama.seen.find((r) => r.path === '/v1/chat/completions')?.body).toMatchObject({ top_k: 20, min_p: 0.05, repeat_penalty: 1.1 });
  });

  it('asks any server for a JSON schema with OpenAI\'s response_format', async () => {
    const plain = await connected({ 'POST /v1/chat/completions': streamReply(['{"who":"Mira"}']) });
    expect(plain.engine.capabilities().structuredOutput).toBe(true);
    const schema = { type: 'object', properties: { who: { type: 'string', enum: ['Mira', 'Ana'] } }, required: ['who'] } as const;
    await collect(plain.engine.chat([{ role: 'user', content: 'Who said it?' }], { ...OPTIONS, jsonSchema: schema }));
    expect(plain.seen.find((r) => r.path === '/v1/chat/completions')?.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { schema, strict: true } } });
  });

  it('writes the person\'s line (Write my line) on llama-server from their opened turn in the model\'s template, dropping the request', async () => {
    const { engine, seen } = await connected({
      'GET /props': json({ default_generation_settings: { n_ctx: 512 } }),
      'POST /apply-template': (_req, body, res) => {
        const turns = body.messages as { role: string; content: string }[];
        json({ prompt: turns.map((t) => `<|${t.role}|>${t.content}<|end|>`).join('') + '<|assistant|>' })(_req, body, res);
      },
      'POST /v1/completions': (_req, _body, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(`data: ${JSON.stringify({ choices: [{ text: 'Then let us climb.', finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
      },
    });
    expect(engine.capabilities().personTurn).toBe(true);
    const turns = [{ role: 'assistant' as const, content: 'The lamp.' }, { role: 'user' as const, content: 'Write Ana\'s next message.' }];
    const { text } = await collect(engine.chat(turns, { ...OPTIONS, openPersonTurn: true }));
    expect(text).toBe('Then let us climb.');
    expect(seen.find((r) => r.path === '/v1/completions')?.body).toMatchObject({ prompt: '<|assistant|>The lamp.<|end|><|user|>' });
    expect(JSON.stringify(seen.find((r) => r.path === '/v1/completions')?.body)).not.toContain('Write Ana');
    expect((await connected({})).engine.capabilities().personTurn).toBe(false);
  });

  it('continues raw text through /v1/completions', async () => {
    const { engine, seen } = await connected({
      'POST /v1/completions': (_req, _body, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(`data: ${JSON.stringify({ choices: [{ text: ' and on' }] })}\n\ndata: ${JSON.stringify({ choices: [{ text: '.', finish_reason: 'length' }] })}\n\ndata: [DONE]\n\n`);
      },
    });
    const { text, done } = await collect(engine.complete('<|user|>Go<|assistant|>On', OPTIONS));
    expect(text).toBe(' and on.');
    expect(done?.finishReason).toBe('length');
    expect(seen.find((r) => r.path === '/v1/completions')?.body).toMatchObject({ prompt: '<|user|>Go<|assistant|>On', stream: true });
  });

  describe('errors become sentences the person can act on', () => {
    it('401 is a wrong key; 429 a rate limit; a model not on the server is named', async () => {
      expect((await failure(connected({ 'GET /v1/models': json({ error: { message: 'Invalid API key' } }, 401) }))).code).toBe('server-unauthorized');
      const limited = await connected({ 'POST /v1/chat/completions': json({ error: { message: 'Rate limit reached', type: 'requests' } }, 429) });
      expect((await failure(limited.engine.chat([{ role: 'user', content: 'x' }], OPTIONS))).code).toBe('server-rate-limited');
      const missing = await failure(connected({}, { model: 'llama-70b' }));
      expect(missing.code).toBe('server-model-missing');
      expect(missing.details.model).toBe('llama-70b');
      const ollama = await connected({ 'POST /v1/chat/completions': json({ error: "model 'tiny' not found" }, 404) });
      expect((await failure(ollama.engine.chat([{ role: 'user', content: 'x' }], OPTIONS))).code).toBe('server-model-missing');
    });

    it('a prompt over the window is context-exceeded with the sizes llama-server states', async () => {
      const { engine } = await connected({
        'POST /v1/chat/completions': json({ error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 5000, n_ctx: 4096 } }, 400),
      });
      const error = await failure(engine.chat([{ role: 'user', content: 'long' }], OPTIONS));
      expect(error.code).toBe('context-exceeded');
      expect(error.details).toEqual({ promptTokens: 5000, contextWindow: 4096 });
    });

    it('an error event inside the stream ends the reply with its message', async () => {
      const { engine } = await connected({
        'POST /v1/chat/completions': (_req, _body, res) => {
          res.writeHead(200, { 'Content-Type': 'text/event-stream' });
          res.end(`${chunk('Hi')}event: error\ndata: {"error":{"message":"slot crashed"}}\n\n`);
        },
      });
      const error = await failure(engine.chat([{ role: 'user', content: 'x' }], OPTIONS));
      expect(error.code).toBe('server-failed');
      expect(error.details.detail).toBe('slot crashed');
    });

    it('nothing listening is unreachable; a server that answers only without CORS is a CORS refusal', async () => {
      const { url } = await serve({});
      await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
      const source = { kind: 'server' as const, server: { baseUrl: url, model: 'tiny' } };
      const down = await failure(new ServerEngine({ pageProtocol: 'http:', reachable: async () => false }).load(source, () => {}));
      expect(down.code).toBe('server-unreachable');
      expect(down.details.host).toBe(new URL(url).host);
      const corsRefused = await failure(new ServerEngine({ pageProtocol: 'http:', reachable: async () => true }).load(source, () => {}));
      expect(corsRefused.code).toBe('server-cors');
    });

    it('an https page and an http server elsewhere is mixed content, said before anything is sent', async () => {
      let fetched = false;
      const engine = new ServerEngine({ pageProtocol: 'https:', fetch: async () => { fetched = true; return new Response('{}'); } });
      const error = await failure(engine.load({ kind: 'server', server: { baseUrl: 'http://192.168.1.20:8080', model: 'tiny' } }, () => {}));
      expect(error.code).toBe('server-mixed-content');
      expect(fetched).toBe(false);
    });
  });
});
