// Runs web-llm (WebGPU) models in a dedicated worker, behind the ChatEngine interface.
//
// Facts from @mlc-ai/web-llm 0.2.86 lib/index.js that shape this file:
// - Worker errors reach the page as strings (`err.toString()`), never as Error objects.
// - unload() aborts an in-flight reload's downloads, and reload() then *resolves* silently; parts
//   of a reload that take no signal (tokenizer, shaders) run on. So a cancelled load rejects here
//   at once, and the next load gets a fresh worker if the old reload has not settled.
// - interruptGenerate() only sets a flag that the decode loop checks between tokens; the stream
//   then ends normally with finish_reason 'abort' and a usage chunk.
// - When the GPU device is lost, MLCEngine unloads its model by itself; later requests fail with
//   ModelNotLoadedError. Nothing else makes the engine drop a model we did not unload.
// - If the worker dies, the library's pending promises never settle, so every wait here also
//   races the worker's 'error' event.

import type {
  AppConfig,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionRequestStreaming,
  Completion,
  CompletionCreateParamsStreaming,
  CompletionUsage,
  InitProgressReport,
  LogLevel,
  MLCEngineConfig,
  ModelRecord,
} from '@mlc-ai/web-llm';
import type {
  ChatEngine,
  ChatEvent,
  CustomWebLlmModel,
  EngineCapabilities,
  FinishReason,
  GenerateOptions,
  LoadProgress,
  LoadedModel,
  ModelSource,
  SamplerName,
} from '../../core/engine';
import { renderOpenReply } from '../../core/conv-template';
import { AppError } from '../../core/errors';
import { findCatalogModel, type GpuReport } from '../../core/model-catalog';
import type { ChatTurn, Usage } from '../../core/types';
import { probeGpu } from '../gpu-probe';
import type { CacheStorageLike } from './model-tokenizer';
import { readModelTemplate, type ModelTemplate } from './model-template';
import { mapWebLlmError, recodeWebLlmError, webLlmSentence } from './webllm-errors';

/** What the engine needs of a worker (a real Worker, or a fake in tests). */
export interface WorkerLike {
  onmessage: unknown;
  postMessage(message: unknown): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

/** The part of web-llm's WebWorkerMLCEngine this engine uses. */
export interface WebLlmClient {
  setInitProgressCallback(callback: (report: InitProgressReport) => void): void;
  setAppConfig(config: AppConfig): void;
  reload(modelId: string): Promise<void>;
  unload(): Promise<void>;
  interruptGenerate(): void;
  getMessage(modelId?: string): Promise<string>;
  chat: {
    completions: {
      create(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
    };
  };
  /** Raw text completion: the prompt is prefilled as written, with no chat template. */
  completions: {
    create(request: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
  };
}

export interface WebLlmLibrary {
  prebuiltAppConfig: AppConfig;
  createClient(worker: WorkerLike, config: MLCEngineConfig): WebLlmClient;
}

export type WebLlmCacheBackend = 'cache' | 'indexeddb' | 'opfs';

export interface WebLlmEngineOptions {
  /** Where web-llm keeps downloaded files. Default 'cache' (Cache API, web-llm's default). */
  cacheBackend?: WebLlmCacheBackend;
  logLevel?: LogLevel;
  /** Default: the Vite-bundled src/workers/webllm.worker.ts. */
  createWorker?: () => WorkerLike;
  /** Default: a dynamic import of @mlc-ai/web-llm, so the page's first bundle stays small. */
  library?: () => Promise<WebLlmLibrary>;
  /** Rewrite where a model's files come from (self-hosting, mirrors). Relative URLs are made absolute. */
  resolveRecord?: (record: ModelRecord) => ModelRecord;
  /** GPU check before any download; null skips it (the worker then finds out by itself, later). */
  probe?: (() => Promise<GpuReport>) | null;
  isOnline?: () => boolean | undefined;
  /** Asks a server why a download failed; null skips it. Default: a HEAD request. */
  diagnose?: ((url: string) => Promise<DownloadDiagnosis>) | null;
  /** How long a stopped reply may take to wind down before the stream ends anyway. */
  stopGraceMs?: number;
  /**
   * Where the files web-llm downloaded are read back (the model's chat template, for Continue).
   * Default: the page's Cache API; null: nowhere (Continue is then not offered).
   */
  caches?: CacheStorageLike | null;
}

export interface DownloadDiagnosis {
  /** HTTP status of the probe, when the server answered. */
  status?: number;
  /** The server could not be reached at all. */
  unreachable?: boolean;
}

interface Session {
  worker: WorkerLike;
  client: WebLlmClient;
  /** Rejects when the worker dies or is retired; every wait races it. */
  dead: Promise<never>;
  kill(reason: unknown): void;
  broken: boolean;
  reloading: boolean;
}

interface Loaded {
  id: string;
  session: Session;
  record: ModelRecord;
  contextWindow: number;
  thinking: boolean;
  /** The model's chat template as the worker renders it; null where it could not be read (no Continue). */
  template: ModelTemplate | null;
}

const MIB = 1024 * 1024;
/** The samplers web-llm's request takes (presence and frequency penalties: -2..2, as the app's limits). */
const WEBLLM_SAMPLERS: readonly SamplerName[] = ['repetitionPenalty', 'presencePenalty', 'frequencyPenalty', 'seed', 'stop'];
const DEFAULT_CONTEXT = 4096;

function defaultWorker(): WorkerLike {
  return new Worker(new URL('../../workers/webllm.worker.ts', import.meta.url), { type: 'module', name: 'webllm' });
}

async function defaultLibrary(): Promise<WebLlmLibrary> {
  const webllm = await import('@mlc-ai/web-llm');
  return {
    prebuiltAppConfig: webllm.prebuiltAppConfig,
    createClient: (worker, config) => new webllm.WebWorkerMLCEngine(worker, config),
  };
}

async function headDiagnosis(url: string): Promise<DownloadDiagnosis> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    const response = await fetch(url, { method: 'HEAD', cache: 'no-store', signal: controller.signal });
    return { status: response.status };
  } catch {
    // A slow server is not an unreachable one.
    return controller.signal.aborted ? {} : { unreachable: true };
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const noop = () => {};

/** web-llm's InitProgressReport, in the app's words. */
export function toLoadProgress(report: InitProgressReport): LoadProgress {
  const text = report.text;
  let phase: LoadProgress['phase'] = 'init';
  if (/^(Fetching param cache|Start to fetch params)/.test(text)) phase = 'download';
  else if (/^Loading model from cache/.test(text)) phase = 'load';
  const fraction = Number.isFinite(report.progress) ? Math.min(1, Math.max(0, report.progress)) : null;
  const progress: LoadProgress = { fraction, phase, text };
  const megabytes = /(\d+)MB (?:fetched|loaded)/.exec(text);
  if (megabytes) progress.loadedBytes = Number(megabytes[1]) * MIB;
  return progress;
}

/**
 * The app's turns as web-llm wants them: one system message, first; the last message from the
 * user. Leading system turns are joined; a later system turn (a depth note, post-history
 * instructions) is folded into the next user message, or into the last one when it comes after it.
 */
export function toWebLlmMessages(turns: readonly ChatTurn[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  let i = 0;
  const system: string[] = [];
  while (i < turns.length && turns[i]!.role === 'system') system.push(turns[i++]!.content);
  if (system.length > 0) out.push({ role: 'system', content: system.join('\n\n') });
  let pending: string[] = [];
  for (; i < turns.length; i++) {
    const turn = turns[i]!;
    if (turn.role === 'system') {
      pending.push(turn.content);
    } else if (turn.role === 'user') {
      out.push({ role: 'user', content: [...pending, turn.content].join('\n\n') });
      pending = [];
    } else {
      out.push({ role: 'assistant', content: turn.content });
    }
  }
  const last = out.at(-1);
  if (pending.length > 0 && last?.role === 'user') {
    last.content = [last.content as string, ...pending].join('\n\n');
    pending = [];
  }
  if (!last || last.role !== 'user' || pending.length > 0) {
    throw new AppError(
      'generation-failed',
      'The model can only answer a message from you: the conversation must end with your message.',
      { lastRole: turns.at(-1)?.role ?? 'none' },
    );
  }
  return out;
}

/** A streamed piece of a chat (a delta) or of a raw completion (a text). */
type StreamChunk = ChatCompletionChunk | Completion;

function chunkText(choice: StreamChunk['choices'][number]): string | null | undefined {
  return 'delta' in choice ? choice.delta.content : choice.text;
}

function finishReason(reason: string | null | undefined): FinishReason {
  if (reason === 'length') return 'length';
  if (reason === 'abort') return 'abort';
  return 'stop';
}

function toUsage(usage: CompletionUsage | undefined, chunks: number): Usage {
  if (!usage) return { promptTokens: 0, completionTokens: chunks };
  const result: Usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
  const tps = usage.extra?.decode_tokens_per_s;
  if (typeof tps === 'number' && Number.isFinite(tps) && tps > 0) result.tokensPerSecond = tps;
  return result;
}

/** The sampling fields web-llm's chat and completion requests share. */
type Sampling = Pick<
  CompletionCreateParamsStreaming,
  'stream' | 'stream_options' | 'max_tokens' | 'temperature' | 'top_p' | 'repetition_penalty' | 'presence_penalty' | 'frequency_penalty' | 'seed' | 'stop'
>;

function samplingOf(options: GenerateOptions): Sampling & { stream: true } {
  const sampling: Sampling & { stream: true } = {
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: Math.max(1, Math.floor(options.maxTokens)),
    temperature: Math.max(0, options.temperature),
    // web-llm demands 0 < top_p <= 1.
    top_p: Math.min(1, Math.max(0.01, options.topP)),
  };
  if (options.repetitionPenalty !== undefined && options.repetitionPenalty > 0) sampling.repetition_penalty = options.repetitionPenalty;
  if (options.presencePenalty !== undefined) sampling.presence_penalty = options.presencePenalty;
  if (options.frequencyPenalty !== undefined) sampling.frequency_penalty = options.frequencyPenalty;
  if (options.seed !== undefined && Number.isFinite(options.seed)) sampling.seed = Math.trunc(options.seed);
  if (options.stop && options.stop.length > 0) sampling.stop = options.stop;
  return sampling;
}

function buildRequest(messages: readonly ChatTurn[], options: GenerateOptions, thinking: boolean): ChatCompletionRequestStreaming {
  const request: ChatCompletionRequestStreaming = { messages: toWebLlmMessages(messages), ...samplingOf(options) };
  // web-llm compiles the schema (as a string) into an XGrammar matcher that masks every token.
  if (options.jsonSchema) request.response_format = { type: 'json_object', schema: JSON.stringify(options.jsonSchema) };
  // Qwen3's hybrid thinking would spend the reply budget on a hidden monologue.
  if (thinking) request.extra_body = { enable_thinking: false };
  return request;
}

/**
 * What web-llm writes into a reply before the model does when thinking is off (llm_chat
 * forwardPrefill); it streams it as the reply's first text. A chat reply keeps it (sent back as
 * it came, the next turn can reuse the KV cache); a JSON reply drops it, to be the JSON alone.
 */
const EMPTY_THINKING = '<think>\n\n</think>\n\n';

/** Streamed text passed on without an opening it may start with (held back until it can tell). */
class OpeningFilter {
  #opening: string;
  #held = '';

  constructor(opening: string) {
    this.#opening = opening;
  }

  pass(text: string): string {
    const opening = this.#opening;
    if (opening === '') return text;
    const seen = this.#held + text;
    if (!seen.startsWith(opening) && opening.startsWith(seen)) {
      this.#held = seen;
      return '';
    }
    this.#opening = '';
    this.#held = '';
    return seen.startsWith(opening) ? seen.slice(opening.length) : seen;
  }

  /** What was held back when the stream ended inside the opening. */
  flush(): string {
    const held = this.#held;
    this.#held = '';
    this.#opening = '';
    return held;
  }
}

/**
 * Continue: the turns folded as for a chat (toWebLlmMessages), rendered in the model's template
 * with the last reply open after what it says so far. With thinking off, web-llm writes an empty
 * think block into the reply and streams it as the reply's first text; a reply that lacks it
 * (edited since) gets it back, so the model goes on from where it wrote.
 */
function continuationPrompt(messages: readonly ChatTurn[], model: ModelTemplate, thinking: boolean): string {
  const reply = messages.at(-1);
  if (reply?.role !== 'assistant') {
    throw new AppError('generation-failed', 'Only a reply of the model can be continued.', { lastRole: reply?.role ?? 'none' });
  }
  const turns = toWebLlmMessages(messages.slice(0, -1)).map((m) => ({ role: m.role as 'system' | 'user' | 'assistant', content: m.content as string }));
  return renderOpenReply(model.template, [...turns, { role: 'assistant', content: reply.content }], {
    prefix: model.prefix,
    replyOpening: thinking && !reply.content.startsWith(EMPTY_THINKING) ? EMPTY_THINKING : '',
  });
}

function absoluteUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  const base = (globalThis as { document?: { baseURI?: string } }).document?.baseURI ?? globalThis.location?.href;
  if (!base) throw new AppError('model-load-failed', `Model URL "${url}" must be absolute.`, { url });
  return new URL(url, base).href;
}

/** web-llm's own rule (cleanModelUrl): the files live under `<model>/resolve/main/` unless given. */
function modelFileUrl(model: string, file: string): string {
  let base = model.endsWith('/') ? model : `${model}/`;
  if (!/.+\/resolve\/.+\//.test(base)) base += 'resolve/main/';
  return new URL(file, base).href;
}

function needsF16(modelId: string, record: ModelRecord): boolean {
  return record.required_features?.includes('shader-f16') === true || /-q\d+f16(_\d+)?-MLC/.test(modelId);
}

export class WebLlmEngine implements ChatEngine {
  readonly kind = 'webllm' as const;
  private readonly options: WebLlmEngineOptions;
  private libraryPromise?: Promise<WebLlmLibrary>;
  private session?: Session;
  private loaded?: Loaded;
  private loadToken = 0;
  /** Id of the reply being streamed, 0 when none. */
  private activeStream = 0;
  private streamCounter = 0;
  /** Why the last model went away without unload() (device lost, worker crash). */
  private dropped?: AppError;

  constructor(options: WebLlmEngineOptions = {}) {
    this.options = options;
  }

  capabilities(): EngineCapabilities {
    // No top-k or min-p in web-llm's OpenAI-style request. Its chat API refuses a last assistant
    // turn, so a reply is continued as a raw completion of the chat in the model's own template:
    // only where that template could be read.
    return { gpu: true, multiThread: false, samplers: WEBLLM_SAMPLERS, continueReply: this.loaded?.template != null, structuredOutput: true };
  }

  /** The model that is ready to chat, if any. */
  get current(): { id: string; contextWindow: number } | undefined {
    return this.loaded && { id: this.loaded.id, contextWindow: this.loaded.contextWindow };
  }

  async load(source: ModelSource, onProgress: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    if (source.kind !== 'webllm') {
      throw new AppError('model-load-failed', 'The WebGPU engine loads only web-llm models.', { source: source.kind });
    }
    const modelId = source.modelId;
    const token = ++this.loadToken;
    this.loaded = undefined;
    this.dropped = undefined;
    const aborted = () => new AppError('aborted', webLlmSentence('aborted', {}), { modelId });
    const stale = () => token !== this.loadToken || signal?.aborted === true;
    if (signal?.aborted) throw aborted();
    const report = (progress: LoadProgress) => {
      if (!stale()) onProgress(progress);
    };
    let cancel = noop;
    const cancelled = new Promise<never>((_, reject) => {
      const onAbort = () => reject(aborted());
      signal?.addEventListener('abort', onAbort, { once: true });
      cancel = () => signal?.removeEventListener('abort', onAbort);
    });
    cancelled.catch(noop);
    try {
      return await this.loadInto(modelId, token, report, cancelled, aborted, stale, source.custom);
    } finally {
      cancel();
    }
  }

  private async loadInto(
    modelId: string,
    token: number,
    report: (progress: LoadProgress) => void,
    cancelled: Promise<never>,
    aborted: () => AppError,
    stale: () => boolean,
    custom?: CustomWebLlmModel,
  ): Promise<LoadedModel> {
    report({ fraction: null, phase: 'init', text: 'Starting the WebGPU engine' });
    let record: ModelRecord;
    let library: WebLlmLibrary;
    try {
      library = await Promise.race([this.library(), cancelled]);
      record = this.buildRecord(library, modelId, custom);
      await Promise.race([this.preflight(modelId, record), cancelled]);
    } catch (error) {
      throw mapWebLlmError(error, { phase: 'load', modelId, online: this.online() });
    }
    if (stale()) throw aborted();

    const session = this.ensureSession(library);
    const catalog = findCatalogModel(modelId);
    const appConfig: AppConfig = { model_list: [record], cacheBackend: this.options.cacheBackend ?? 'cache' };
    session.client.setInitProgressCallback((r) => report(toLoadProgress(r)));
    session.client.setAppConfig(appConfig);
    session.reloading = true;
    const reload = session.client.reload(modelId);
    reload.then(
      () => {
        session.reloading = false;
        // Cancelled or superseded, but the worker finished loading anyway: free the GPU memory.
        if (stale() && this.loaded?.session !== session) session.client.unload().catch(noop);
      },
      () => {
        session.reloading = false;
      },
    );
    try {
      await Promise.race([reload, session.dead, cancelled]);
    } catch (error) {
      if (error instanceof AppError && error.code === 'aborted') {
        // Stops the downloads in the worker; whatever follows the abort settles in the background.
        if (!session.broken) session.client.unload().catch(noop);
        throw aborted();
      }
      throw await this.loadFailure(error, modelId, record, session);
    }
    // For Continue: the template the worker renders chats with, from the files it has just cached.
    const template = await readModelTemplate(this.templateFiles(), record);
    if (stale() || token !== this.loadToken) {
      if (!session.broken && this.loaded === undefined) session.client.unload().catch(noop);
      throw aborted();
    }
    const contextWindow = record.overrides?.context_window_size ?? catalog?.contextWindow ?? DEFAULT_CONTEXT;
    this.loaded = { id: modelId, session, record, contextWindow, thinking: catalog?.thinking ?? /^Qwen3-/.test(modelId), template };
    const loaded: LoadedModel = {
      id: modelId,
      label: catalog ? `${catalog.label} (${catalog.quant === 'q4f16_1' ? 'f16' : 'f32'})` : modelId,
      engine: 'webllm',
      contextWindow,
    };
    if (catalog) loaded.sizeBytes = catalog.downloadMB * MIB;
    return loaded;
  }

  chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    if (options.continueLast) return this.continueLast(messages, options, signal);
    return this.stream((loaded) => {
      const request = buildRequest(messages, options, loaded.thinking);
      const opening = options.jsonSchema && loaded.thinking ? EMPTY_THINKING : '';
      return { send: () => loaded.session.client.chat.completions.create(request), opening };
    }, signal);
  }

  /**
   * Raw text completion (web-llm's completions.create): the prompt is prefilled as written, with the
   * model's chat template already applied by the caller, and the model writes on from its end.
   * web-llm's completions take no response_format, so a jsonSchema is not applied here.
   */
  complete(prompt: string, options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    const request: CompletionCreateParamsStreaming = { prompt, ...samplingOf(options) };
    return this.stream((loaded) => ({ send: () => loaded.session.client.completions.create(request) }), signal);
  }

  /** Continue: the chat in the model's own template with the reply left open, completed as raw text. */
  private async *continueLast(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    const loaded = this.ready();
    if (!loaded.template) {
      throw new AppError('generation-failed', 'This model’s chat template could not be read, so its reply cannot be continued.', { modelId: loaded.id });
    }
    const { continueLast: _continue, ...rest } = options;
    yield* this.complete(continuationPrompt(messages, loaded.template, loaded.thinking), rest, signal);
  }

  /** The model ready to write, or why there is none. */
  private ready(): Loaded {
    const loaded = this.loaded;
    if (!loaded || loaded.session.broken) {
      throw this.dropped ?? new AppError('no-model', 'Load a model first.', {});
    }
    return loaded;
  }

  /**
   * Streams one generation as ChatEvents (the deltas are the new text only). `prepare` builds the
   * request for the loaded model, before the stream counts as active, so a request refused here
   * leaves nothing to clean up; it returns how to send it, and an opening web-llm writes that the
   * deltas leave out.
   */
  private async *stream(
    prepare: (loaded: Loaded) => { send: () => Promise<AsyncIterable<StreamChunk>>; opening?: string },
    signal?: AbortSignal,
  ): AsyncGenerator<ChatEvent, void, undefined> {
    const loaded = this.ready();
    if (this.activeStream !== 0) {
      throw new AppError('busy', 'The model is still writing another reply.', { modelId: loaded.id });
    }
    const { send, opening = '' } = prepare(loaded);
    const shown = new OpeningFilter(opening);
    const { session } = loaded;
    const client = session.client;
    const streamId = ++this.streamCounter;
    this.activeStream = streamId;

    let stopped = false;
    let deadline: Promise<'deadline'> = new Promise(noop);
    const onAbort = () => {
      if (stopped) return;
      stopped = true;
      deadline = sleep(this.options.stopGraceMs ?? 3000).then(() => 'deadline' as const);
      try {
        client.interruptGenerate();
      } catch {
        // The worker may already be gone; the stream ends by the deadline then.
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let iterator: AsyncIterator<StreamChunk> | undefined;
    let started = false;
    let finished = false;
    let usage: CompletionUsage | undefined;
    let finish: FinishReason = 'stop';
    let chunks = 0;
    try {
      if (signal?.aborted) onAbort();
      if (!stopped) {
        const stream = await Promise.race([send(), session.dead]);
        iterator = stream[Symbol.asyncIterator]();
      }
      while (iterator && !stopped) {
        started = true;
        const result = await Promise.race([iterator.next(), session.dead]);
        if (result.done) {
          finished = true;
          break;
        }
        const chunk = result.value;
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (choice?.finish_reason) finish = finishReason(choice.finish_reason);
        const text = choice && chunkText(choice);
        if (text && !stopped) {
          chunks += 1;
          const passed = shown.pass(text);
          if (passed) yield { type: 'delta', text: passed };
        }
      }
      // After a stop, wait briefly for the closing chunks, which carry the usage figures. A stop
      // that came before the first pull skips this: the worker clears the interrupt flag when a
      // generation starts, so the finally block closes that stream without starting it.
      while (iterator && started && stopped && !finished) {
        const result = await Promise.race([iterator.next(), session.dead, deadline]);
        if (result === 'deadline') break;
        if (result.done) {
          finished = true;
          break;
        }
        if (result.value.usage) usage = result.value.usage;
        const choice = result.value.choices[0];
        // Still decoding: the interrupt raced the start of generation, so say it again.
        if (choice && !choice.finish_reason && chunkText(choice)) client.interruptGenerate();
      }
      const held = shown.flush();
      if (held) yield { type: 'delta', text: held };
      yield { type: 'done', finishReason: stopped ? 'abort' : finish, usage: toUsage(usage, chunks) };
    } catch (error) {
      const failure = await this.chatFailure(error, loaded);
      if (failure.code === 'aborted' || (stopped && failure.code !== 'device-lost')) {
        finished = true;
        yield { type: 'done', finishReason: 'abort', usage: toUsage(usage, chunks) };
        return;
      }
      throw failure;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (iterator && !finished && !session.broken) {
        // The consumer left early, or we stopped waiting: stop decoding and close the worker's stream.
        try {
          client.interruptGenerate();
        } catch {
          // ignore: the worker is going away
        }
        iterator.return?.().catch(noop);
      }
      if (this.activeStream === streamId) this.activeStream = 0;
    }
  }

  async unload(): Promise<void> {
    this.loadToken += 1;
    this.loaded = undefined;
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await this.retire(session, true);
  }

  // ---------------------------------------------------------------------------------------------

  /** Where web-llm's downloaded files can be read back: the Cache API, when that is where it keeps them. */
  private templateFiles(): CacheStorageLike | undefined {
    if ((this.options.cacheBackend ?? 'cache') !== 'cache' || this.options.caches === null) return undefined;
    return this.options.caches ?? (globalThis as { caches?: CacheStorageLike }).caches;
  }

  private online(): boolean | undefined {
    if (this.options.isOnline) return this.options.isOnline();
    return typeof navigator !== 'undefined' && typeof navigator.onLine === 'boolean' ? navigator.onLine : undefined;
  }

  private library(): Promise<WebLlmLibrary> {
    if (!this.libraryPromise) {
      const loading = (this.options.library ?? defaultLibrary)();
      this.libraryPromise = loading;
      // A failed import (offline before the chunk was cached) may work next time.
      loading.catch(() => {
        if (this.libraryPromise === loading) this.libraryPromise = undefined;
      });
    }
    return this.libraryPromise;
  }

  private buildRecord(library: WebLlmLibrary, modelId: string, custom?: CustomWebLlmModel): ModelRecord {
    // A model the person brought (custom URLs, or a folder served from the cache) is registered as given.
    const prebuilt = custom
      ? { model_id: modelId, model: custom.model, model_lib: custom.modelLib }
      : library.prebuiltAppConfig.model_list.find((r) => r.model_id === modelId);
    if (!prebuilt) {
      const details = { modelId, reason: 'unknown-model' };
      throw new AppError('not-found', webLlmSentence('not-found', details), details);
    }
    let record: ModelRecord = structuredClone(prebuilt);
    if (this.options.resolveRecord) record = this.options.resolveRecord(record);
    // web-llm's cleanModelUrl calls new URL(model) without a base: relative URLs throw "Invalid URL".
    record.model = absoluteUrl(record.model);
    record.model_lib = absoluteUrl(record.model_lib);
    return record;
  }

  /** Fail before downloading gigabytes: web-llm checks the GPU only after fetching config and wasm. */
  private async preflight(modelId: string, record: ModelRecord): Promise<void> {
    if (this.options.probe === null) return;
    const gpu = await (this.options.probe ?? probeGpu)();
    if (!gpu.webgpu) {
      throw new AppError('no-webgpu', webLlmSentence('no-webgpu', { modelId }), { modelId, reason: gpu.reason ?? '' });
    }
    if (needsF16(modelId, record) && !gpu.shaderF16) {
      const details = { modelId, twinId: modelId.replace(/-q(\d+)f16(_\d+)?-MLC/, '-q$1f32$2-MLC') };
      throw new AppError('no-shader-f16', webLlmSentence('no-shader-f16', details), details);
    }
    const needBytes = record.buffer_size_required_bytes;
    if (needBytes !== undefined && gpu.maxStorageBufferBindingSize > 0 && needBytes > gpu.maxStorageBufferBindingSize) {
      const details = { modelId, requiredBytes: needBytes, maxBytes: gpu.maxStorageBufferBindingSize };
      throw new AppError('model-too-large', webLlmSentence('model-too-large', details), details);
    }
  }

  private ensureSession(library: WebLlmLibrary): Session {
    const current = this.session;
    // A cancelled reload still running would race the next one inside the worker, and a reload
    // under a reply that is still decoding would dispose the pipeline beneath it.
    if (current && !current.broken && !current.reloading && this.activeStream === 0) return current;
    if (current) void this.retire(current, false);
    const worker = (this.options.createWorker ?? defaultWorker)();
    let kill: (reason: unknown) => void = noop;
    const dead = new Promise<never>((_, reject) => {
      kill = reject;
    });
    dead.catch(noop);
    const config: MLCEngineConfig = { logLevel: this.options.logLevel ?? 'WARN' };
    const session: Session = {
      worker,
      client: library.createClient(worker, config),
      dead,
      kill: (reason) => {
        session.broken = true;
        kill(reason);
      },
      broken: false,
      reloading: false,
    };
    const onCrash = (event: Event) => {
      const message = (event as ErrorEvent).message || 'the model worker stopped unexpectedly';
      const error = new Error(message);
      error.name = 'WorkerCrashedError';
      session.kill(error);
      if (this.loaded?.session === session) {
        const lost = mapWebLlmError(error, { phase: 'chat', modelId: this.loaded.id });
        this.dropped = recodeWebLlmError(lost, 'device-lost');
        this.loaded = undefined;
      }
    };
    worker.addEventListener('error', onCrash);
    worker.addEventListener('messageerror', onCrash);
    this.session = session;
    return session;
  }

  /** Ends a worker for good; pending waits on it reject with 'aborted'. */
  private async retire(session: Session, polite: boolean): Promise<void> {
    if (this.session === session) this.session = undefined;
    if (this.loaded?.session === session) this.loaded = undefined;
    const wasBroken = session.broken;
    session.kill(new AppError('aborted', webLlmSentence('aborted', {}), {}));
    if (polite && !wasBroken) {
      // Frees GPU memory in an orderly way; terminate() below would too, just less gently.
      await Promise.race([session.client.unload().catch(noop), sleep(3000)]);
    }
    session.worker.terminate();
  }

  private async loadFailure(error: unknown, modelId: string, record: ModelRecord, session: Session): Promise<AppError> {
    const online = this.online();
    let failure = mapWebLlmError(error, { phase: 'load', modelId, online });
    if (failure.details.name === 'WorkerCrashedError') void this.retire(session, false);
    const diagnose = this.options.diagnose === undefined ? headDiagnosis : this.options.diagnose;
    if (diagnose && online !== false && (failure.code === 'download-failed' || failure.code === 'offline')) {
      // Chrome's Cache.add() says only "Request failed" for a 404; ask the server what happened.
      const url = typeof failure.details.url === 'string' ? failure.details.url : modelFileUrl(record.model, 'mlc-chat-config.json');
      const found = await diagnose(url).catch((): DownloadDiagnosis => ({}));
      if (found.unreachable) failure = recodeWebLlmError(failure, 'offline', { url });
      else if (found.status === 404 || found.status === 410) failure = recodeWebLlmError(failure, 'not-found', { url, status: found.status });
      else if (found.status !== undefined && found.status >= 400) {
        failure = recodeWebLlmError(failure, 'download-failed', { url, status: found.status });
      }
    }
    return failure;
  }

  private async chatFailure(error: unknown, loaded: Loaded): Promise<AppError> {
    const { session } = loaded;
    if (error instanceof AppError && error.code === 'aborted') return error; // unload() during the reply
    let failure = mapWebLlmError(error, { phase: 'chat', modelId: loaded.id, online: this.online() });
    const name = failure.details.name;
    if (name === 'WorkerCrashedError' || name === 'ModelNotLoadedError' || name === 'WorkerEngineModelNotLoadedError') {
      // The worker died, or MLCEngine dropped the model by itself: that only happens on device loss.
      failure = recodeWebLlmError(failure, 'device-lost');
    } else if (failure.code === 'aborted' || failure.code === 'generation-failed' || failure.code === 'offline') {
      // An AbortError nobody asked for (a mapAsync on a lost device) or an opaque failure.
      if (!(await this.modelAlive(session))) failure = recodeWebLlmError(failure, 'device-lost');
      else if (failure.code !== 'generation-failed') failure = recodeWebLlmError(failure, 'generation-failed');
    }
    if (failure.code === 'device-lost') {
      // The worker's GPU state is gone; the next load starts a fresh worker.
      this.dropped = failure;
      await this.retire(session, false);
    }
    return failure;
  }

  private async modelAlive(session: Session): Promise<boolean> {
    if (session.broken) return false;
    const probe = session.client.getMessage().then(
      () => true,
      (error: unknown) => !/NotLoaded|not loaded/i.test(String(error)),
    );
    return Promise.race([probe, session.dead.catch(() => false), sleep(2000).then(() => false)]);
  }
}
