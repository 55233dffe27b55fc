// Runs GGUF models with wllama (llama.cpp compiled to WebAssembly: CPU, or WebGPU where the adapter
// has shader-f16) behind the ChatEngine interface. It runs inside workers/wllama.worker.ts; the page talks to it through WllamaEngine.

import {
  Wllama,
  type ChatCompletionChunk,
  type ChatCompletionParams,
  type LoadModelParams,
  type WllamaLogger,
} from '@wllama/wllama/esm/index.js';
// Served from our own origin (Vite emits it into dist/assets); wllama's default would be a CDN.
import bundledWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { ChatEngine, ChatEvent, EngineCapabilities, FinishReason, GenerateOptions, LoadedModel, LoadProgress, ModelSource, SamplerName } from '../../core/engine';
import { AppError, isAbort, toAppError } from '../../core/errors';
import { jsonSchemaResponseFormat } from '../../core/json-schema';
import type { ChatTurn, Usage } from '../../core/types';
import { trainedContextLength, type GgufHeader } from './wllama-gguf';
import { checkGgufFile, checkWasmReachable, supportsMemory64 } from './wllama-checks';
import { describeWllamaChatError, describeWllamaLoadError, fileNameOfUrl } from './wllama-errors';
import { DeltaClock } from '../delta-clock';

export interface WllamaCoreOptions {
  /** URL of wllama.wasm; defaults to the copy bundled with the app. */
  wasmUrl?: string;
  /** Worker threads; defaults to about one per physical core when cross-origin isolated, else 1. */
  threads?: number;
  /** Upper bound for n_ctx: KV cache memory grows with it. */
  maxContext?: number;
  /** Forward llama.cpp's own log and wllama's debug lines to the console. */
  debug?: boolean;
}

const DEFAULT_MAX_CONTEXT = 4096;
/** Used when a GGUF header does not state its trained context. */
const FALLBACK_CONTEXT = 2048;

function isCrossOriginIsolated(): boolean {
  return typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
}

/**
 * Threads only work with SharedArrayBuffer (cross-origin isolation). Half of hardwareConcurrency
 * (about the physical cores), as wllama itself does: the other half stays free for the page.
 * Taking every core makes inference fight the page's own rendering for CPU time.
 */
export function defaultThreadCount(hardwareConcurrency: number, isolated: boolean): number {
  if (!isolated) return 1;
  return Math.min(8, Math.max(1, Math.floor(hardwareConcurrency / 2)));
}

/** Whether this browser's WebGPU adapter can run wllama's GPU backend (it needs shader-f16). */
async function adapterHasShaderF16(): Promise<boolean> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } })?.gpu;
  if (!gpu) return false;
  try {
    const adapter = await gpu.requestAdapter();
    return adapter?.features.has('shader-f16') ?? false;
  } catch {
    return false;
  }
}

function abortedError(): AppError {
  return new AppError('aborted', 'Cancelled');
}

/** Resolves with `work`, or rejects with AppError('aborted') as soon as the signal fires. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

function mapFinish(reason: string | null | undefined): FinishReason | null {
  if (!reason) return null;
  return reason === 'length' ? 'length' : 'stop';
}

/** A loaded wllama and a promise that settles when its worker is terminated. */
interface Instance {
  wllama: Wllama;
  /** Resolves once exit() has been called: requests in flight on it will never answer. */
  gone: Promise<typeof GONE>;
  markGone: () => void;
}

const GONE = Symbol('gone');

/** llama.cpp samples with every one of them. */
const WLLAMA_SAMPLERS: readonly SamplerName[] = ['topK', 'minP', 'repetitionPenalty', 'presencePenalty', 'frequencyPenalty', 'seed', 'stop'];

/** The sampling part of a llama-server request: each option the app set, under the name the server reads. */
export function llamaServerSampling(options: GenerateOptions): LlamaServerSampling & Pick<ChatCompletionParams, 'max_tokens' | 'temperature' | 'top_p' | 'top_k' | 'min_p' | 'seed' | 'response_format'> & { stop?: string[] } {
  return {
    max_tokens: options.maxTokens,
    temperature: options.temperature,
    top_p: options.topP,
    ...(options.topK !== undefined ? { top_k: options.topK } : {}),
    ...(options.minP !== undefined ? { min_p: options.minP } : {}),
    ...(options.repetitionPenalty !== undefined ? { repeat_penalty: options.repetitionPenalty } : {}),
    ...(options.presencePenalty !== undefined ? { presence_penalty: options.presencePenalty } : {}),
    ...(options.frequencyPenalty !== undefined ? { frequency_penalty: options.frequencyPenalty } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.stop && options.stop.length > 0 ? { stop: options.stop } : {}),
    ...(options.jsonSchema ? { response_format: jsonSchemaResponseFormat(options.jsonSchema) } : {}),
  };
}

/**
 * The request keys llama-server reads for the penalties (its JSON names; wllama's typings list the
 * C++ field names, penalty_repeat and so on, which the server does not read from a request).
 */
interface LlamaServerSampling {
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

function newInstance(wllama: Wllama): Instance {
  let markGone = (): void => {};
  const gone = new Promise<typeof GONE>((resolve) => {
    markGone = () => resolve(GONE);
  });
  return { wllama, gone, markGone };
}

/**
 * Whether a wllama failure means its wasm is dead. wllama names such errors "RuntimeError" (a trap,
 * or its worker's abort signal); "Invalid typed array length" is its worker reading a failed
 * action's input header ("GLUE") as the output length, after which its queue is out of step.
 */
export function isWllamaCrash(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  return name === 'RuntimeError' || /has crashed|invalid typed array length|\(ABORT\)/i.test(message);
}

export class WllamaCore implements ChatEngine {
  readonly kind = 'wllama' as const;

  readonly #wasmUrl: string;
  readonly #threads: number;
  readonly #maxContext: number;
  readonly #debug: boolean;
  #instance: Instance | null = null;
  #model: LoadedModel | null = null;
  /** Whether the loaded model's layers run on WebGPU. */
  #onGpu = false;
  /** The reply being written, so unload/load can stop it first. */
  #activeChat: AbortController | null = null;
  /** Settles when the last stopped request has been wound down inside wllama. */
  #settling: Promise<unknown> = Promise.resolve();
  /** Settles when an abandoned load has been torn down. */
  #teardown: Promise<unknown> = Promise.resolve();

  constructor(options: WllamaCoreOptions = {}) {
    this.#wasmUrl = options.wasmUrl ?? bundledWasmUrl;
    this.#threads = options.threads ?? defaultThreadCount(globalThis.navigator?.hardwareConcurrency ?? 1, isCrossOriginIsolated());
    this.#maxContext = options.maxContext ?? DEFAULT_MAX_CONTEXT;
    this.#debug = options.debug ?? false;
  }

  /** The model now loaded, if any. */
  get model(): LoadedModel | null {
    return this.#model;
  }

  capabilities(): EngineCapabilities {
    const wllama = this.#instance?.wllama;
    const multiThread = wllama?.isModelLoaded() ? wllama.isMultithread() : this.#threads > 1 && isCrossOriginIsolated();
    return { gpu: this.#onGpu, multiThread, samplers: WLLAMA_SAMPLERS, continueReply: true, structuredOutput: true };
  }

  #create(): Wllama {
    const logger: WllamaLogger = {
      debug: this.#debug ? console.debug.bind(console) : () => {},
      log: this.#debug ? console.log.bind(console) : () => {},
      // wllama logs at error level what it then throws (e.g. a prompt over the window), and those
      // become AppErrors for the person; keep the console at warning level for them.
      warn: console.warn.bind(console, '[wllama]'),
      error: console.warn.bind(console, '[wllama]'),
    };
    const wllama = new Wllama({ default: this.#wasmUrl }, { logger, suppressNativeLog: !this.#debug });
    // The constructor picks a "compat" build from jsDelivr for browsers without JSPI or Memory64.
    // The app never loads code from a CDN, so turn that off (Memory64 is checked in load()).
    wllama.setCompat(null);
    return wllama;
  }

  async load(source: ModelSource, onProgress: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel> {
    if (signal?.aborted) throw abortedError();
    if (source.kind === 'webllm' || source.kind === 'server') {
      throw new AppError('model-load-failed', 'The CPU engine runs GGUF models only', { model: source.kind === 'webllm' ? source.modelId : source.server.model });
    }
    if (!supportsMemory64()) {
      throw new AppError('model-load-failed', 'This browser lacks WebAssembly Memory64, which the CPU engine needs', { reason: 'no-memory64' });
    }
    // A picked file is checked before anything loaded now is dropped.
    let header: GgufHeader | null = source.kind === 'gguf-file' ? await checkGgufFile(source.file, source.name) : null;
    await this.unload();
    await this.#teardown;
    if (signal?.aborted) throw abortedError();
    await checkWasmReachable(this.#wasmUrl);

    let wllama = this.#create();
    let name: string;
    let id: string;
    let blobs: Blob[];
    try {
      if (source.kind === 'gguf-file') {
        name = source.name;
        id = `gguf:${source.name}`;
        blobs = [source.file];
      } else {
        name = fileNameOfUrl(source.url);
        id = `gguf:${source.url}`;
        blobs = await this.#download(wllama, source.url, onProgress, signal);
        try {
          header = await checkGgufFile(blobs[0], name, { url: source.url });
        } catch (error) {
          await this.#forget(wllama, source.url); // do not keep a bad download in the cache
          throw error;
        }
      }
    } catch (error) {
      void wllama.exit().catch(() => {});
      if (signal?.aborted) throw abortedError();
      throw describeWllamaLoadError(error, source.kind === 'gguf-url' ? source.url : source.name);
    }

    const trained = header ? trainedContextLength(header) : null;
    const nCtx = Math.min(trained ?? FALLBACK_CONTEXT, this.#maxContext);
    const sizeBytes = blobs.reduce((sum, b) => sum + b.size, 0);
    onProgress({ phase: 'load', fraction: null, text: `Loading ${name} into memory`, loadedBytes: 0, totalBytes: sizeBytes });

    const params: LoadModelParams = {
      n_ctx: nCtx,
      n_threads: this.#threads,
      // wllama's WebGPU backend needs shader-f16; where the adapter has it, offload every layer.
      // 0 keeps wllama from touching navigator.gpu at all.
      n_gpu_layers: (await adapterHasShaderF16()) ? 999 : 0,
      // One conversation at a time: a single slot gets the whole window and keeps its prompt cache.
      n_parallel: 1,
    };
    try {
      await this.#loadInto(wllama, blobs, params, signal);
    } catch (error) {
      if (signal?.aborted || isAbort(error) || params.n_gpu_layers === 0) throw this.#loadFailure(error, name, signal);
      // The GPU path failed (driver, memory): the same model on the CPU still works.
      wllama = this.#create();
      params.n_gpu_layers = 0;
      try {
        await this.#loadInto(wllama, blobs, params, signal);
      } catch (cpuError) {
        throw this.#loadFailure(cpuError, name, signal);
      }
    }
    if (signal?.aborted) {
      await wllama.exit().catch(() => {});
      throw abortedError();
    }

    const info = wllama.getLoadedContextInfo();
    const modelName = header?.metadata.get('general.name');
    const label = typeof modelName === 'string' && modelName.trim() !== '' && modelName !== name ? `${modelName} (${name})` : name;
    this.#instance = newInstance(wllama);
    this.#onGpu = (params.n_gpu_layers ?? 0) > 0;
    this.#model = { id, label, engine: 'wllama', contextWindow: info.n_ctx, sizeBytes };
    onProgress({ phase: 'load', fraction: 1, text: `Loaded ${name}`, loadedBytes: sizeBytes, totalBytes: sizeBytes });
    return this.#model;
  }

  /** Loads into one wllama instance; a failed or cancelled load tears that instance down. */
  async #loadInto(wllama: Wllama, blobs: Blob[], params: LoadModelParams, signal?: AbortSignal): Promise<void> {
    try {
      await raceAbort(wllama.loadModel(blobs, params), signal);
    } catch (error) {
      // Loading cannot be interrupted inside the wasm; terminating the worker ends it.
      this.#teardown = wllama.exit().catch(() => {});
      throw error;
    }
  }

  #loadFailure(error: unknown, name: string, signal?: AbortSignal): AppError {
    return signal?.aborted || isAbort(error) ? abortedError() : describeWllamaLoadError(error, name);
  }

  async #download(wllama: Wllama, url: string, onProgress: (p: LoadProgress) => void, signal?: AbortSignal): Promise<Blob[]> {
    const absolute = new URL(url, globalThis.location?.href).href;
    const file = fileNameOfUrl(url);
    onProgress({ phase: 'download', fraction: null, text: `Downloading ${file}`, loadedBytes: 0 });
    // What wllama.loadModelFromUrl does (cached copy in OPFS, else download into it), split out so
    // the file can be checked before loading and the two phases reported apart.
    const download = raceAbort(
      wllama.modelManager.getModelOrDownload(
        { url: absolute },
        {
          ...(signal ? { signal } : {}),
          progressCallback: ({ loaded, total }) => {
            onProgress({
              phase: 'download',
              fraction: total > 0 ? Math.min(1, loaded / total) : null,
              text: `Downloading ${file}`,
              loadedBytes: loaded,
              ...(total > 0 ? { totalBytes: total } : {}),
            });
          },
        },
      ),
      signal,
    );
    let model: Awaited<typeof download>;
    try {
      model = await download;
    } catch (error) {
      // A download cut short (full disk, network, Cancel) leaves a file with no metadata that wllama
      // never lists again: delete it, so nothing half-written stays behind.
      await wllama.modelManager.cacheManager.delete(absolute).catch(() => {});
      throw error;
    }
    return await model.open();
  }

  async #forget(wllama: Wllama, url: string): Promise<void> {
    try {
      const absolute = new URL(url, globalThis.location?.href).href;
      const models = await wllama.modelManager.getModels({ includeInvalid: true });
      await Promise.all(models.filter((m) => m.url === absolute).map((m) => m.remove()));
    } catch {
      // Nothing cached, or no storage: nothing to forget.
    }
  }

  async *chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncGenerator<ChatEvent, void, undefined> {
    if (this.#activeChat) throw new AppError('busy', 'A reply is already being written');
    const controller = new AbortController();
    this.#activeChat = controller;
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort();

    const clock = new DeltaClock();
    let finish: FinishReason | null = null;
    let usage: Usage | null = null;
    let promptTokens = 0;
    let iterator: AsyncIterator<ChatCompletionChunk> | null = null;
    /**
     * One read is always kept waiting on wllama's stream (read ahead before each yield): wllama
     * rejects its next result with an AbortError as soon as it sees the signal, and a rejection with
     * no reader waiting would surface as an unhandled rejection.
     */
    let pending: Promise<IteratorResult<ChatCompletionChunk>> | null = null;
    const readNext = (it: AsyncIterator<ChatCompletionChunk>): Promise<IteratorResult<ChatCompletionChunk>> => {
      const next = it.next();
      next.catch(() => {});
      pending = next;
      return next;
    };
    let instance: Instance | null = null;
    let drained = false;
    let cleaned = false;
    const cleanup = (): void => {
      if (cleaned) return;
      cleaned = true;
      signal?.removeEventListener('abort', onAbort);
      if (iterator && instance && !drained) {
        // Stopped early (abort, or the consumer stopped reading): wllama cancels the request at its
        // next step; read the stream to its end so that AbortError is caught here, not unhandled.
        controller.abort();
        const it = iterator;
        const gone = instance.gone;
        const first = pending ?? readNext(it);
        this.#settling = (async () => {
          try {
            let step = await Promise.race([first, gone]);
            while (step !== GONE && !step.done) step = await Promise.race([readNext(it), gone]);
          } catch {
            // The expected AbortError.
          }
        })();
      }
      if (this.#activeChat === controller) this.#activeChat = null;
    };

    try {
      await this.#settling; // a stopped request may still be winding down
      instance = this.#instance;
      if (!instance) throw new AppError('no-model', 'No model is loaded');
      if (controller.signal.aborted) {
        cleanup();
        yield { type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
        return;
      }
      const request: ChatCompletionParams & LlamaServerSampling & { stream: true; stop?: string[]; stream_options?: { include_usage: boolean } } = {
        // A last assistant turn is continued in place: llama-server renders the template up to the
        // open assistant turn and appends that turn's text (its prefill_assistant option, on by default).
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        stream: true,
        // Without this llama-server ends a stream without a usage chunk.
        stream_options: { include_usage: true },
        // The first chunks then carry prompt_progress.total: the prompt's size, even after a Stop.
        return_progress: true,
        abortSignal: controller.signal,
        ...llamaServerSampling(options),
      };
      let stream: AsyncIterable<ChatCompletionChunk>;
      try {
        stream = await instance.wllama.createChatCompletion(request);
      } catch (error) {
        this.#checkCrash(instance, error);
        throw describeWllamaChatError(error);
      }
      iterator = stream[Symbol.asyncIterator]();
      readNext(iterator);
      // wllama looks at the abort signal only between results, and the first result waits for the
      // whole prompt to be read (seconds on a long prompt): stop waiting at once, wind down behind.
      const stopped = new Promise<typeof GONE>((resolve) => {
        if (controller.signal.aborted) resolve(GONE);
        else controller.signal.addEventListener('abort', () => resolve(GONE), { once: true });
      });
      while (true) {
        let step: IteratorResult<ChatCompletionChunk> | typeof GONE;
        try {
          // An unload terminates the worker; a request in flight then never answers.
          step = await Promise.race([pending ?? readNext(iterator), instance.gone, stopped]);
        } catch (error) {
          drained = true;
          if (controller.signal.aborted || isAbort(error)) break;
          this.#checkCrash(instance, error);
          throw describeWllamaChatError(error);
        }
        if (step === GONE) {
          if (!controller.signal.aborted) {
            drained = true; // the worker is gone: nothing left to read
            controller.abort();
          }
          break;
        }
        if (step.done) {
          drained = true;
          break;
        }
        readNext(iterator);
        if (controller.signal.aborted) break;
        const chunk = step.value;
        if (chunk.prompt_progress?.total) promptTokens = chunk.prompt_progress.total;
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) {
          clock.tick();
          yield { type: 'delta', text };
          if (controller.signal.aborted) break;
        }
        finish = mapFinish(choice?.finish_reason) ?? finish;
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          const tps = chunk.timings?.predicted_per_second;
          if (tps !== undefined && Number.isFinite(tps) && tps > 0) usage.tokensPerSecond = tps;
        }
      }

      const aborted = controller.signal.aborted;
      // After an abort llama-server sends no usage: count the deltas (≈ tokens) and time them. The
      // prompt size is 0 only when stopped before llama.cpp reported it.
      const measured = clock.usage(promptTokens);
      const done: ChatEvent = {
        type: 'done',
        finishReason: aborted ? 'abort' : (finish ?? 'stop'),
        usage: !aborted && usage ? usage : measured,
      };
      // Wind down before the last event, so a chat started as soon as it arrives is not 'busy'.
      cleanup();
      yield done;
    } finally {
      cleanup();
    }
  }

  /**
   * A trap inside the wasm, or a wllama worker that lost track of its own messages, leaves that
   * wllama unusable: every later call fails (or says "model not loaded") while the app still shows
   * the model as loaded. Drop it and say so, so the app offers to load it again.
   */
  #checkCrash(instance: Instance, error: unknown): void {
    if (!isWllamaCrash(error)) return;
    if (this.#instance === instance) {
      this.#instance = null;
      this.#model = null;
      instance.markGone();
      void instance.wllama.exit().catch(() => {});
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('engine-crashed', message, { engine: 'wllama' }, { cause: error });
  }

  async unload(): Promise<void> {
    this.#activeChat?.abort();
    const instance = this.#instance;
    this.#instance = null;
    this.#model = null;
    if (!instance) return;
    // Give a stopped request a moment to cancel cleanly; the worker is terminated regardless.
    await Promise.race([this.#settling, new Promise((r) => setTimeout(r, 1000))]);
    instance.markGone();
    try {
      await instance.wllama.exit();
    } catch (error) {
      throw toAppError(error);
    }
  }
}
