// A small OpenAI-compatible model server on real llama.cpp (node-llama-cpp's prebuilt binaries),
// serving the tiny GGUF for the end-to-end tests and the benchmark: /v1/models, /props, /tokenize, /apply-template,
// and streamed /v1/chat/completions and /v1/completions, in llama-server's shapes (a response_format
// json_schema constrains the reply by a grammar). Real inference,
// not a script: the replies are whatever the tiny random-weights model writes.
// CLI: npx tsx test/e2e/llama-test-server.ts [port]

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, LlamaGrammarEvaluationState, type GbnfJsonSchema, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import type { JsonSchema } from '../../src/core/json-schema';

export interface LlamaTestServer {
  url: string;
  modelId: string;
  contextSize: number;
  /** Generations started, and those the client closed before the end (a Stop). */
  /** Replies written; those stopped by the client; those written as raw text (/v1/completions). */
  stats: { generations: number; cancelled: number; completions: number };
  close(): Promise<void>;
}

interface ChatMessage {
  role: string;
  content: string;
}

/** The tiny model has no chat template of its own: a plain one, the same for every request. */
function renderChat(messages: ChatMessage[]): string {
  return messages.map((m) => `<|${m.role}|>\n${m.content}\n`).join('') + '<|assistant|>\n';
}

/**
 * The app's JSON Schema in node-llama-cpp's grammar dialect: it has no integer bounds, so a small
 * bounded range becomes an enum of its numbers (as llama-server's converter bounds them).
 */
function gbnfSchema(schema: JsonSchema): GbnfJsonSchema {
  switch (schema.type) {
    case 'object':
      return { type: 'object', properties: Object.fromEntries(Object.entries(schema.properties).map(([key, sub]) => [key, gbnfSchema(sub)])) };
    case 'array':
      return { type: 'array', items: gbnfSchema(schema.items), ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}), ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}) };
    case 'string':
      if (schema.enum) return { enum: [...schema.enum] };
      return { type: 'string', ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}), ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}) };
    case 'integer':
      if (schema.minimum !== undefined && schema.maximum !== undefined && schema.maximum - schema.minimum <= 100) {
        return { enum: Array.from({ length: schema.maximum - schema.minimum + 1 }, (_, i) => schema.minimum! + i) };
      }
      return { type: 'integer' };
    default:
      return { type: schema.type };
  }
}

/** The schema a request constrains its reply to: OpenAI's response_format, or llama-server's json_schema. */
function requestedSchema(body: Record<string, unknown>): JsonSchema | undefined {
  const format = body.response_format as { type?: string; json_schema?: { schema?: JsonSchema } } | undefined;
  return format?.type === 'json_schema' ? format.json_schema?.schema : (body.json_schema as JsonSchema | undefined);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}

/**
 * `tokenDelayMs` holds each token back that long, as a slower machine would, so a test can press Stop
 * mid-reply (the tiny model writes a thousand tokens a second).
 */
export async function startLlamaTestServer(options: { modelPath: string; port?: number; contextSize?: number; modelId?: string; tokenDelayMs?: number }): Promise<LlamaTestServer> {
  const contextSize = options.contextSize ?? 1024;
  const modelId = options.modelId ?? 'tiny';
  // build: 'never' — the prebuilt binary or nothing: a test never downloads or compiles llama.cpp.
  const llama: Llama = await getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: 'error' as never });
  const model: LlamaModel = await llama.loadModel({ modelPath: options.modelPath });
  // One thread: the tiny model needs no more, and test machines run browsers beside it.
  const context: LlamaContext = await model.createContext({ contextSize, sequences: 1, threads: 1 });
  const sequence: LlamaContextSequence = context.getSequence();
  /** One generation at a time, as llama-server with one slot: the next request waits its turn. */
  let queue: Promise<unknown> = Promise.resolve();
  const stats = { generations: 0, cancelled: 0, completions: 0 };
  const tokenDelayMs = options.tokenDelayMs ?? 0;

  async function generate(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, chat: boolean): Promise<void> {
    const prompt = chat ? renderChat((body.messages as ChatMessage[]) ?? []) : String(body.prompt ?? '');
    const tokens = model.tokenize(prompt);
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 128;
    if (tokens.length + 1 > contextSize) {
      sendJson(res, 400, { error: { code: 400, message: `the request exceeds the available context size (${tokens.length} tokens), try increasing it (${contextSize} tokens)`, type: 'exceed_context_size_error', n_prompt_tokens: tokens.length, n_ctx: contextSize } });
      return;
    }
    if (body.stream !== true) {
      sendJson(res, 400, { error: { code: 400, message: 'this test server streams only', type: 'invalid_request_error' } });
      return;
    }
    let closed = false;
    res.on('close', () => (closed = true));
    stats.generations++;
    if (!chat) stats.completions++;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    const id = `cmpl-${Date.now()}`;
    const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}): void => {
      res.write(`data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', model: modelId, choices: [{ index: 0, ...choice }], ...extra })}\n\n`);
    };
    if (chat) chunk({ delta: { role: 'assistant', content: null }, finish_reason: null });

    await sequence.clearHistory();
    // A JSON schema constrains every token through a grammar, as llama-server does.
    const schema = requestedSchema(body);
    const grammar = schema ? await llama.createGrammarForJsonSchema<GbnfJsonSchema>(gbnfSchema(schema)) : undefined;
    const generated: Token[] = [];
    let sent = '';
    let decodeStart = 0;
    let finish: 'stop' | 'length' = 'length';
    const evaluation = sequence.evaluate(tokens, {
      temperature: typeof body.temperature === 'number' ? body.temperature : 0.8,
      topP: typeof body.top_p === 'number' ? body.top_p : 0.95,
      ...(typeof body.seed === 'number' ? { seed: body.seed } : {}),
      ...(grammar ? { grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar }) } : {}),
    });
    for await (const token of evaluation) {
      if (decodeStart === 0) decodeStart = performance.now();
      if (closed) break; // the client stopped: stop generating, as llama-server does
      if (model.isEogToken(token)) {
        finish = 'stop';
        break;
      }
      generated.push(token);
      const text = model.detokenize(generated);
      // A token may end inside a UTF-8 character: send it with the next one.
      if (!text.endsWith('\uFFFD') && text.length > sent.length) {
        const delta = text.slice(sent.length);
        sent = text;
        chunk(chat ? { delta: { content: delta }, finish_reason: null } : { text: delta, finish_reason: null });
      }
      if (generated.length >= maxTokens) break;
      if (tokenDelayMs > 0) await new Promise((wait) => setTimeout(wait, tokenDelayMs));
    }
    if (closed) {
      stats.cancelled++;
      return;
    }
    const seconds = decodeStart > 0 ? (performance.now() - decodeStart) / 1000 : 0;
    chunk(chat ? { delta: {}, finish_reason: finish } : { text: '', finish_reason: finish });
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) {
      res.write(`data: ${JSON.stringify({
        id, object: 'chat.completion.chunk', model: modelId, choices: [],
        usage: { prompt_tokens: tokens.length, completion_tokens: generated.length, total_tokens: tokens.length + generated.length },
        timings: { prompt_n: tokens.length, predicted_n: generated.length, predicted_per_second: seconds > 0 ? generated.length / seconds : 0 },
      })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  const server: Server = createServer((req, res) => {
    // Any origin, as llama-server by default: the app's page is on another port.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    const path = (req.url ?? '').split('?')[0];
    const route = `${req.method} ${path}`;
    const handle = async (): Promise<void> => {
      if (req.method === 'OPTIONS') return void res.writeHead(204).end();
      if (route === 'GET /v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: modelId, object: 'model', owned_by: 'llamacpp' }] });
      if (route === 'GET /props') return sendJson(res, 200, { default_generation_settings: { n_ctx: contextSize }, total_slots: 1 });
      if (route === 'GET /health') return sendJson(res, 200, { status: 'ok' });
      if (route === 'POST /tokenize') {
        const body = await readBody(req);
        return sendJson(res, 200, { tokens: [...model.tokenize(String(body.content ?? ''))] });
      }
      if (route === 'POST /apply-template') {
        const body = await readBody(req);
        return sendJson(res, 200, { prompt: renderChat((body.messages as ChatMessage[]) ?? []) });
      }
      if (route === 'POST /v1/chat/completions' || route === 'POST /v1/completions') {
        const body = await readBody(req);
        if (body.model !== undefined && body.model !== modelId) {
          return sendJson(res, 404, { error: { code: 404, message: `model '${String(body.model)}' not found`, type: 'not_found_error' } });
        }
        const turn = queue.then(() => generate(req, res, body, route === 'POST /v1/chat/completions'));
        queue = turn.catch(() => {});
        return turn;
      }
      sendJson(res, 404, { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } });
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 500, message: String(error), type: 'server_error' } });
      else res.end();
    });
  });
  await new Promise<void>((ready) => server.listen(options.port ?? 0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    modelId,
    contextSize,
    stats,
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await queue;
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { makeTinyGguf } = await import('../fixtures/make-tiny-gguf');
  const server = await startLlamaTestServer({ modelPath: makeTinyGguf().path, port: Number(process.argv[2] ?? 0) });
  console.log(`llama test server: ${server.url} (model ${server.modelId}, n_ctx ${server.contextSize})`);
}
