// The third ChatEngine: a model server of the person's own, reached over HTTP with OpenAI-compatible
// streaming. Characters, prompts, retrieval and history stay on the device; only the prompt of each
// reply is sent, to the one server the person configured.

import type { ChatEngine, ChatEvent, EngineCapabilities, FinishReason, GenerateOptions, LoadedModel, LoadProgress, ModelSource, SamplerName } from '../../core/engine';
import { AppError, isAbort, toAppError } from '../../core/errors';
import { jsonSchemaResponseFormat } from '../../core/json-schema';
import type { ServerConfig } from '../../core/model-server';
import type { ChatTurn, Usage } from '../../core/types';
import { ServerClient, type ServerClientOptions } from './server-client';
import { DeltaClock } from '../delta-clock';

/** Used when neither the person nor the server states a context window. */
export const FALLBACK_SERVER_CONTEXT = 4096;

interface Connection {
  client: ServerClient;
  config: ServerConfig;
  /** The server is llama.cpp (it answered /props): it takes llama.cpp's own sampler names. */
  llamaCpp: boolean;
}

function mapFinish(reason: unknown): FinishReason | null {
  if (typeof reason !== 'string' || reason === '') return null;
  return reason === 'length' ? 'length' : 'stop';
}

function usageOf(payload: Record<string, unknown>): Usage | null {
  const usage = payload.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined | null;
  if (!usage || typeof usage.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return null;
  const result: Usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
  // llama-server times its own decoding; other servers leave the rate to the measured one.
  const rate = (payload.timings as { predicted_per_second?: unknown } | undefined)?.predicted_per_second;
  if (typeof rate === 'number' && Number.isFinite(rate) && rate > 0) result.tokensPerSecond = rate;
  return result;
}

export class ServerEngine implements ChatEngine {
  readonly kind = 'server' as const;
  readonly #clientOptions: ServerClientOptions;
  #connection: Connection | null = null;
  #model: LoadedModel | null = null;
  #active: AbortController | null = null;

  constructor(clientOptions: ServerClientOptions = {}) {
    this.#clientOptions = clientOptions;
  }

  get model(): LoadedModel | null {
    return this.#model;
  }

  capabilities(): EngineCapabilities {
    // llama-server takes llama.cpp's samplers and renders its own chat template (so a reply can be
    // continued); any other server is held to what OpenAI's API defines.
    const llamaCpp = this.#connection?.llamaCpp ?? false;
    // Structured output is OpenAI's response_format json_schema, which llama-server, vLLM, Ollama and LM Studio take.
    return { gpu: false, multiThread: false, samplers: llamaCpp ? LLAMA_SERVER_SAMPLERS : OPENAI_SAMPLERS, continueReply: llamaCpp, personTurn: llamaCpp, structuredOutput: true };
  }

  /** "Loading" a server model: check that the server answers and has the model, and learn its window. */
  async load(source: ModelSource, onProgress: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    if (source.kind !== 'server') throw new AppError('model-load-failed', 'The server engine runs models on a server only', { detail: source.kind });
    await this.unload();
    const { server } = source;
    const client = new ServerClient(server.baseUrl, server.apiKey, this.#clientOptions);
    onProgress({ phase: 'init', fraction: null, text: `Connecting to ${client.host}` });
    try {
      const models = await client.listModels(signal);
      // Some servers list nothing (or only aliases) yet serve the model asked for; an empty list proves nothing.
      if (models.length > 0 && !models.includes(server.model)) {
        throw new AppError('server-model-missing', `${server.model} is not among ${models.join(', ')}`, { host: client.host, model: server.model });
      }
      const stated = await client.contextWindow(signal);
      const contextWindow = server.contextWindow ?? stated ?? FALLBACK_SERVER_CONTEXT;
      if (signal?.aborted) throw new AppError('aborted', 'Cancelled');
      this.#connection = { client, config: server, llamaCpp: stated !== null };
      this.#model = { id: `server:${server.baseUrl}#${server.model}`, label: `${server.model} (${client.host})`, engine: 'server', contextWindow };
      onProgress({ phase: 'load', fraction: 1, text: `Connected to ${client.host}` });
      return this.#model;
    } catch (error) {
      throw signal?.aborted ? new AppError('aborted', 'Cancelled') : toAppError(error, 'model-load-failed');
    }
  }

  /** The prompt's size in the model's own tokens (llama-server /tokenize), or null where the server cannot say. */
  async countTokens(text: string, signal?: AbortSignal): Promise<number | null> {
    const connection = this.#connection;
    return connection?.llamaCpp ? connection.client.tokenize(text, signal) : null;
  }

  /**
   * The turns in the model's chat template (llama-server /apply-template), for complete(): Continue
   * appends the reply so far, Impersonate the opening of the person's turn. Null where the server
   * cannot render its template.
   */
  async renderPrompt(messages: ChatTurn[], signal?: AbortSignal): Promise<string | null> {
    const connection = this.#connection;
    return connection?.llamaCpp ? connection.client.applyTemplate(messages.map((m) => ({ role: m.role, content: m.content })), signal) : null;
  }

  chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    if (options.continueLast) return this.#continueLast(messages, options, signal);
    if (options.openPersonTurn) return this.#personTurn(messages, options, signal);
    return this.#generate('/v1/chat/completions', { messages: messages.map((m) => ({ role: m.role, content: m.content })) },
      (choice) => (choice.delta as { content?: unknown } | undefined)?.content, options, signal);
  }

  /**
   * Raw text completion (/v1/completions): the prompt is sent as written, with the model's chat
   * template already applied by the caller, and the model goes on from its last character. For
   * Continue (the prompt ends inside the reply) and Impersonate (it ends where the person's turn opens).
   */
  complete(prompt: string, options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    return this.#generate('/v1/completions', { prompt }, (choice) => choice.text, options, signal);
  }

  /**
   * Continue: the turns before the reply in the model's own template (ending where the reply opens),
   * then the reply so far, completed as raw text so the model writes on from its last character.
   */
  async *#continueLast(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    const last = messages.at(-1);
    const opening = last?.role === 'assistant' ? await this.renderPrompt(messages.slice(0, -1), signal) : null;
    if (!last || opening === null) throw new AppError('generation-failed', 'This server cannot continue a reply (it does not render its chat template)');
    const { continueLast: _continue, ...rest } = options;
    yield* this.complete(opening + last.content, rest, signal);
  }

  /**
   * Write my line: the turns before the request in the model's template, cut where a person's turn
   * opens (found by rendering one holding a marker), completed as raw text: the model writes as the
   * person, and stops at its end-of-turn token.
   */
  async *#personTurn(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    const { openPersonTurn: _open, ...rest } = options;
    const rendered = await this.renderPrompt([...messages.slice(0, -1), { role: 'user', content: OPEN_TURN_MARKER }], signal);
    const at = rendered?.indexOf(OPEN_TURN_MARKER) ?? -1;
    // A template that changes the marker: ask through chat as any server would be asked.
    if (rendered === null || at < 0) yield* this.chat(messages, rest, signal);
    else yield* this.complete(rendered.slice(0, at), rest, signal);
  }

  async *#generate(
    path: string,
    input: Record<string, unknown>,
    textOf: (choice: Record<string, unknown>) => unknown,
    options: GenerateOptions,
    signal?: AbortSignal,
  ): AsyncGenerator<ChatEvent, void, undefined> {
    const connection = this.#connection;
    if (!connection) throw new AppError('no-model', 'No server model is connected');
    if (this.#active) throw new AppError('busy', 'A reply is already being written');
    const controller = new AbortController();
    this.#active = controller;
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort();

    const clock = new DeltaClock();
    let finish: FinishReason | null = null;
    let usage: Usage | null = null;
    try {
      if (!controller.signal.aborted) {
        const body: Record<string, unknown> = {
          model: connection.config.model,
          ...input,
          // Without it OpenAI-compatible servers end the stream with no token counts.
          stream_options: { include_usage: true },
          max_tokens: options.maxTokens,
          temperature: options.temperature,
          top_p: options.topP,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.stop && options.stop.length > 0 ? { stop: options.stop } : {}),
          ...(options.presencePenalty !== undefined ? { presence_penalty: options.presencePenalty } : {}),
          ...(options.frequencyPenalty !== undefined ? { frequency_penalty: options.frequencyPenalty } : {}),
          ...(options.jsonSchema ? { response_format: jsonSchemaResponseFormat(options.jsonSchema) } : {}),
          // Only llama.cpp is known to take these; OpenAI's own API refuses fields it does not know.
          ...(connection.llamaCpp ? llamaCppSamplers(options) : {}),
        };
        try {
          for await (const payload of connection.client.stream(path, body, controller.signal, connection.config.model)) {
            const choice = (payload.choices as Record<string, unknown>[] | undefined)?.[0];
            const text = choice ? textOf(choice) : undefined;
            if (typeof text === 'string' && text !== '') {
              clock.tick();
              yield { type: 'delta', text };
              if (controller.signal.aborted) break;
            }
            if (choice) finish = mapFinish(choice.finish_reason) ?? finish;
            usage = usageOf(payload) ?? usage;
          }
        } catch (error) {
          if (!controller.signal.aborted && !isAbort(error)) {
            throw error instanceof AppError ? error : new AppError('server-unreachable', String(error), { host: connection.client.host }, { cause: error });
          }
        }
      }
      const aborted = controller.signal.aborted;
      // A stopped stream carries no usage: count the deltas (about one token each) and time them.
      const measured = clock.usage(0);
      const reported = !aborted && usage ? usage : null;
      if (reported && reported.tokensPerSecond === undefined && measured.tokensPerSecond !== undefined) reported.tokensPerSecond = measured.tokensPerSecond;
      this.#release(controller, signal, onAbort);
      yield { type: 'done', finishReason: aborted ? 'abort' : (finish ?? 'stop'), usage: reported ?? measured };
    } finally {
      this.#release(controller, signal, onAbort);
    }
  }

  #release(controller: AbortController, signal: AbortSignal | undefined, onAbort: () => void): void {
    signal?.removeEventListener('abort', onAbort);
    if (this.#active === controller) {
      // The consumer may stop reading early: end the request so the server stops generating.
      controller.abort();
      this.#active = null;
    }
  }

  async unload(): Promise<void> {
    this.#active?.abort();
    this.#active = null;
    this.#connection = null;
    this.#model = null;
  }
}

/** Stands for the person's words when the template is rendered, to find where their turn opens. */
const OPEN_TURN_MARKER = '\u27e6hearth-open-turn\u27e7';

/** The samplers OpenAI's chat API defines (every OpenAI-compatible server takes them). */
const OPENAI_SAMPLERS: readonly SamplerName[] = ['presencePenalty', 'frequencyPenalty', 'seed', 'stop'];
/** llama-server also takes llama.cpp's own. */
const LLAMA_SERVER_SAMPLERS: readonly SamplerName[] = [...OPENAI_SAMPLERS, 'topK', 'minP', 'repetitionPenalty'];

/** llama.cpp's sampler fields, by the names llama-server reads from a request. */
function llamaCppSamplers(options: GenerateOptions): Record<string, number> {
  return {
    ...(options.topK !== undefined ? { top_k: options.topK } : {}),
    ...(options.minP !== undefined ? { min_p: options.minP } : {}),
    ...(options.repetitionPenalty !== undefined ? { repeat_penalty: options.repetitionPenalty } : {}),
  };
}
