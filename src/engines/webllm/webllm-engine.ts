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
import { AppError } from '../../core/errors';
import { findCatalogModel, type GpuReport } from '../../core/model-catalog';
import type { ChatTurn, Usage } from '../../core/types';
import { probeGpu } from '../gpu-probe';
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

function buildRequest(messages: readonly ChatTurn[], options: GenerateOptions, thinking: boolean): ChatCompletionRequestStreaming {
  const request: ChatCompletionRequestStreaming = {
    messages: toWebLlmMessages(messages),
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: Math.max(1, Math.floor(options.maxTokens)),
    temperature: Math.max(0, options.temperature),
    // web-llm demands 0 < top_p <= 1.
    top_p: Math.min(1, Math.max(0.01, options.topP)),
  };
  if (options.repetitionPenalty !== undefined && options.repetitionPenalty > 0) request.repetition_penalty = options.repetitionPenalty;
  if (options.presencePenalty !== undefined) request.presence_penalty = options.presencePenalty;
  if (options.frequencyPenalty !== undefined) request.frequency_penalty = options.frequencyPenalty;
  if (options.seed !== undefined && Number.isFinite(options.seed)) request.seed = Math.trunc(options.seed);
  if (options.stop && options.stop.length > 0) request.stop = options.stop;
  // web-llm compiles the schema (as a string) into an XGrammar matcher that masks every token.
  if (options.jsonSchema) request.response_format = { type: 'json_object', schema: JSON.stringify(options.jsonSchema) };
  // Qwen3's hybrid thinking would spend the reply budget on a hidden monologue.
  if (thinking) request.extra_body = { enable_thinking: false };
  return request;
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
    // No top-k or min-p in web-llm's OpenAI-style request; and its chat API refuses a last
    // assistant turn ("The last message should be from the `user` or `tool`"), so no Continue.
    return { gpu: true, multiThread: false, samplers: WEBLLM_SAMPLERS, continueReply: false, structuredOutput: true };
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
    if (stale() || token !== this.loadToken) {
      if (!session.broken && this.loaded === undefined) session.client.unload().catch(noop);
      throw aborted();
    }
    const contextWindow = record.overrides?.context_window_size ?? catalog?.contextWindow ?? DEFAULT_CONTEXT;
    this.loaded = { id: modelId, session, record, contextWindow, thinking: catalog?.thinking ?? /^Qwen3-/.test(modelId) };
    const loaded: LoadedModel = {
      id: modelId,
      label: catalog ? `${catalog.label} (${catalog.quant === 'q4f16_1' ? 'f16' : 'f32'})` : modelId,
      engine: 'webllm',
      contextWindow,
    };
    if (catalog) loaded.sizeBytes = catalog.downloadMB * MIB;
    return loaded;
  }

  async *chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    const loaded = this.loaded;
    if (!loaded || loaded.session.broken) {
      throw this.dropped ?? new AppError('no-model', 'Load a model first.', {});
    }
    if (this.activeStream !== 0) {
      throw new AppError('busy', 'The model is still writing another reply.', { modelId: loaded.id });
    }
    const request = buildRequest(messages, options, loaded.thinking);
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
    let iterator: AsyncIterator<ChatCompletionChunk> | undefined;
    let started = false;
    let finished = false;
    let usage: CompletionUsage | undefined;
    let finish: FinishReason = 'stop';
    let chunks = 0;
    try {
      if (signal?.aborted) onAbort();
      if (!stopped) {
        const stream = await Promise.race([client.chat.completions.create(request), session.dead]);
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
        const text = choice?.delta.content;
        if (text && !stopped) {
          chunks += 1;
          yield { type: 'delta', text };
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
        if (choice && !choice.finish_reason && choice.delta.content) client.interruptGenerate();
      }
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
