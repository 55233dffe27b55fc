// Talks to an OpenAI-compatible model server: /v1/models, llama-server's /props and /tokenize, and the
// streamed /v1/chat/completions and /v1/completions. Every request goes to the one configured origin.

import { AppError } from '../../core/errors';
import { serverAddressProblem, serverHost } from '../../core/model-server';
import { SseParser } from '../../core/sse';
import { describeFetchFailure, describeServerError } from './server-errors';

export interface ServerClientOptions {
  fetch?: typeof fetch;
  /** Whether anything answers at the URL (a no-cors request), to tell a CORS refusal from a server that is down. */
  reachable?: (url: string) => Promise<boolean>;
  /** The page's protocol, for the mixed-content check ('https:' on a hosted app). */
  pageProtocol?: string;
}

/** A no-cors request resolves with an opaque answer when the server is up, whatever its CORS settings. */
async function browserReachable(url: string): Promise<boolean> {
  await fetch(url, { mode: 'no-cors', cache: 'no-store' });
  return true;
}

export class ServerClient {
  readonly baseUrl: string;
  readonly host: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #reachable: (url: string) => Promise<boolean>;
  readonly #pageProtocol: string;

  constructor(baseUrl: string, apiKey: string | undefined, options: ServerClientOptions = {}) {
    this.baseUrl = baseUrl;
    this.host = serverHost(baseUrl);
    this.#apiKey = apiKey?.trim() ?? '';
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#reachable = options.reachable ?? browserReachable;
    this.#pageProtocol = options.pageProtocol ?? globalThis.location?.protocol ?? 'http:';
  }

  /** Sends one request; a refusal becomes a typed error. `model` names the model in the sentence. */
  async request(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; model?: string } = {}): Promise<Response> {
    const problem = serverAddressProblem(this.baseUrl, this.#pageProtocol);
    if (problem === 'invalid') throw new AppError('server-unreachable', `Not a server address: ${this.baseUrl}`, { host: this.host });
    if (problem === 'mixed-content') throw new AppError('server-mixed-content', `https page, http server ${this.baseUrl}`, { host: this.host });
    if (problem === 'blocked-by-policy') throw new AppError('server-blocked', `http server off this computer: ${this.baseUrl}`, { host: this.host });
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.#apiKey) headers.Authorization = `Bearer ${this.#apiKey}`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
        cache: 'no-store',
      });
    } catch (error) {
      throw await describeFetchFailure(error, this.host, () => this.#reachable(url));
    }
    if (!response.ok) throw describeServerError(response.status, await response.text().catch(() => ''), this.host, init.model);
    return response;
  }

  /** Model ids from /v1/models (OpenAI, llama-server, Ollama, LM Studio, vLLM all answer it). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const body = (await (await this.request('/v1/models', { ...(signal ? { signal } : {}) })).json()) as { data?: { id?: unknown }[] };
    return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  }

  /** The context window llama-server runs with (/props), or null where the server does not say. */
  async contextWindow(signal?: AbortSignal): Promise<number | null> {
    try {
      const props = (await (await this.request('/props', { ...(signal ? { signal } : {}) })).json()) as { default_generation_settings?: { n_ctx?: unknown } };
      const nCtx = props.default_generation_settings?.n_ctx;
      return typeof nCtx === 'number' && nCtx > 0 ? nCtx : null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'aborted') throw error;
      return null; // not llama-server: the person enters the window
    }
  }

  /** The model's tokens for a text (llama-server /tokenize), or null where the server has no tokenizer endpoint. */
  async tokenize(text: string, signal?: AbortSignal): Promise<number | null> {
    try {
      const body = (await (await this.request('/tokenize', { body: { content: text }, ...(signal ? { signal } : {}) })).json()) as { tokens?: unknown };
      return Array.isArray(body.tokens) ? body.tokens.length : null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'aborted') throw error;
      return null;
    }
  }

  /** The messages in the model's chat template, as llama-server renders them (/apply-template); null elsewhere. */
  async applyTemplate(messages: { role: string; content: string }[], signal?: AbortSignal): Promise<string | null> {
    try {
      const body = (await (await this.request('/apply-template', { body: { messages }, ...(signal ? { signal } : {}) })).json()) as { prompt?: unknown };
      return typeof body.prompt === 'string' ? body.prompt : null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'aborted') throw error;
      return null;
    }
  }

  /**
   * POSTs a streamed request and yields each JSON payload of its server-sent events until [DONE].
   * An `error` event, or a payload carrying `error`, is thrown as a typed error.
   */
  async *stream(path: string, body: Record<string, unknown>, signal: AbortSignal, model: string): AsyncGenerator<Record<string, unknown>, void, undefined> {
    const response = await this.request(path, { body: { ...body, stream: true }, signal, model });
    if (!response.body) throw new AppError('server-failed', 'The server sent no stream', { host: this.host, status: response.status, detail: 'no body' });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        for (const event of parser.push(value)) {
          if (event.data === '[DONE]') return;
          if (event.event === 'error') throw describeServerError(0, event.data, this.host, model);
          let payload: Record<string, unknown>;
          try {
            payload = JSON.parse(event.data) as Record<string, unknown>;
          } catch {
            continue; // not JSON (a status line some proxies add): nothing for the reply
          }
          if (payload.error !== undefined) throw describeServerError(0, event.data, this.host, model);
          yield payload;
        }
      }
    } finally {
      parser.end();
      void reader.cancel().catch(() => {});
    }
  }
}
