// web-llm's real WebWorkerMLCEngine client and WebWorkerMLCEngineHandler, talking through a fake
// worker; only the MLCEngine inside the "worker" is scripted. So the message protocol, the
// string-only errors and the streaming are the library's own. Also the Cache API as web-llm leaves
// it after a load (the model's mlc-chat-config.json and tokenizer.json), for Continue.

import { ModelType, postInitAndCheckFieldsChatCompletion, postInitAndCheckFieldsCompletion, WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';
import type { AppConfig, ChatCompletionChunk, ChatCompletionRequest, Completion, CompletionCreateParams, InitProgressReport } from '@mlc-ai/web-llm';
import type { GpuReport } from '../../../src/core/model-catalog';
import { WebLlmEngine, type WebLlmEngineOptions } from '../../../src/engines/webllm/webllm-engine';
import type { CacheStorageLike } from '../../../src/engines/webllm/model-tokenizer';
import { mlcChatConfig, type ConvTemplateName } from './mlc-chat-configs';

/** A catalog model (Qwen2.5 0.5B, f32) in web-llm's prebuilt list. */
export const MODEL = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
export const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

export function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export interface Script {
  reload?: (engine: FakeMLCEngine) => Promise<void>;
  /** Pieces of each reply, chat or raw completion, in order; a function may throw (device loss, overflow). */
  replies?: ((engine: FakeMLCEngine) => AsyncGenerator<ChatCompletionChunk>)[];
}

export const chunk = (content: string): ChatCompletionChunk => ({
  id: 'c',
  created: 0,
  model: MODEL,
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null, logprobs: null }],
});
export const finalChunk = (reason: 'stop' | 'length' | 'abort'): ChatCompletionChunk => ({
  id: 'c',
  created: 0,
  model: MODEL,
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: {}, finish_reason: reason }],
});
export const usageChunk = (completion: number): ChatCompletionChunk => ({
  id: 'c',
  created: 0,
  model: MODEL,
  object: 'chat.completion.chunk',
  choices: [],
  usage: {
    prompt_tokens: 42,
    completion_tokens: completion,
    total_tokens: 42 + completion,
    extra: { e2e_latency_s: 1, prefill_tokens_per_s: 100, decode_tokens_per_s: 25.5, time_to_first_token_s: 0.1, time_per_output_token_s: 0.04 },
  },
});

/** Plays MLCEngine the way lib/index.js does: interrupt flag checked between tokens, reset per request. */
export function scriptedReply(pieces: string[], delayMs = 1) {
  return async function* (engine: FakeMLCEngine): AsyncGenerator<ChatCompletionChunk> {
    engine.interruptSignal = false;
    let n = 0;
    for (const piece of pieces) {
      if (engine.interruptSignal) break;
      await tick(delayMs);
      n += 1;
      yield chunk(piece);
    }
    yield finalChunk(engine.interruptSignal ? 'abort' : 'stop');
    yield usageChunk(n);
  };
}

export class FakeMLCEngine {
  appConfig?: AppConfig;
  progress?: (report: InitProgressReport) => void;
  loaded?: string;
  interruptSignal = false;
  calls: string[] = [];
  requests: ChatCompletionRequest[] = [];
  completionRequests: CompletionCreateParams[] = [];
  closedStreams = 0;
  private abortReload?: () => void;

  constructor(private readonly script: Script) {}

  setAppConfig(config: AppConfig) {
    this.appConfig = config;
  }
  setInitProgressCallback(callback: (report: InitProgressReport) => void) {
    this.progress = callback;
  }
  setLogLevel() {}

  async reload(modelIds: string[]) {
    this.calls.push(`reload:${modelIds.join()}`);
    await this.unload();
    const aborted = new Promise<'aborted'>((resolve) => {
      this.abortReload = () => resolve('aborted');
    });
    const work = this.script.reload ? this.script.reload(this) : Promise.resolve();
    // Like MLCEngine.reload: an unload() during the download makes reload return silently.
    const outcome = await Promise.race([work.then(() => 'done' as const), aborted]);
    if (outcome === 'done') this.loaded = modelIds[0];
  }

  async unload() {
    this.calls.push('unload');
    this.loaded = undefined;
    this.abortReload?.();
  }

  async interruptGenerate() {
    this.calls.push('interrupt');
    this.interruptSignal = true;
  }

  async getMessage() {
    if (!this.loaded) throw named('ModelNotLoadedError', 'Model not loaded before trying to complete getMessage.');
    return '';
  }

  async chatCompletion(request: ChatCompletionRequest) {
    if (!this.loaded) throw named('ModelNotLoadedError', 'Model not loaded before trying to complete ChatCompletionRequest.');
    // web-llm's own checks of a request (message order, response_format, seed, stream options).
    postInitAndCheckFieldsChatCompletion(request, this.loaded, ModelType.LLM);
    this.requests.push(request);
    const reply = this.script.replies?.shift() ?? scriptedReply(['Hello', ' there']);
    const generator = reply(this);
    const engine = this;
    return (async function* () {
      try {
        yield* generator;
      } finally {
        engine.closedStreams += 1;
      }
    })();
  }

  /** engine.completions.create(): the same scripted pieces, in web-llm's text_completion chunks. */
  async completion(request: CompletionCreateParams) {
    if (!this.loaded) throw named('ModelNotLoadedError', 'Model not loaded before trying to complete CompletionCreateParams.');
    postInitAndCheckFieldsCompletion(request, this.loaded);
    this.completionRequests.push(request);
    const reply = this.script.replies?.shift() ?? scriptedReply(['Hello', ' there']);
    const generator = reply(this);
    const engine = this;
    return (async function* (): AsyncGenerator<Completion> {
      try {
        for await (const chunk of generator) {
          const { choices, object: _object, ...rest } = chunk;
          yield {
            ...rest,
            object: 'text_completion',
            choices: choices.map((c) => ({ index: c.index, finish_reason: c.finish_reason, text: c.delta.content ?? '' })),
          };
        }
      } finally {
        engine.closedStreams += 1;
      }
    })();
  }
}

/** The Cache API as web-llm leaves it after a load: files keyed by their URL, in its named caches. */
export function cachedFiles(files: Record<string, Record<string, unknown>>): CacheStorageLike {
  return {
    open: async (name: string) => ({
      keys: async () => Object.keys(files[name] ?? {}).map((url) => new Request(url)),
      match: async (request: Request | string) => {
        const body = files[name]?.[typeof request === 'string' ? request : request.url];
        return body === undefined ? undefined : new Response(JSON.stringify(body));
      },
    }),
  };
}

export const fileUrl = (modelId: string, file: string) => `https://huggingface.co/mlc-ai/${modelId}/resolve/main/${file}`;

/** What web-llm caches when it loads `modelId` with the given template (and a tokenizer.json with the added tokens given). */
export function modelFiles(modelId: string, template: ConvTemplateName, addedTokens?: { id: number; content: string }[]): CacheStorageLike {
  return cachedFiles({
    'webllm/config': { [fileUrl(modelId, 'mlc-chat-config.json')]: mlcChatConfig(template) },
    'webllm/model': addedTokens ? { [fileUrl(modelId, 'tokenizer.json')]: { added_tokens: addedTokens.map((t) => ({ ...t, special: true })) } } : {},
  });
}

/** A Worker whose other side runs web-llm's real handler around a FakeMLCEngine. */
export class FakeWorker {
  onmessage: ((event: MessageEvent) => void) | null = null;
  terminated = false;
  readonly engine: FakeMLCEngine;
  private readonly handler: WebWorkerMLCEngineHandler;
  private readonly listeners: Record<string, ((event: Event) => void)[]> = {};

  constructor(script: Script) {
    this.engine = new FakeMLCEngine(script);
    this.handler = new WebWorkerMLCEngineHandler();
    (this.handler as unknown as { engine: FakeMLCEngine }).engine = this.engine;
    this.handler.postMessage = (message: unknown) => {
      if (this.terminated) return;
      const data = structuredClone(message);
      setTimeout(() => {
        if (!this.terminated) this.onmessage?.(new MessageEvent('message', { data }));
      }, 0);
    };
    this.engine.setInitProgressCallback((report) => this.handler.postMessage({ kind: 'initProgressCallback', uuid: '', content: report }));
  }

  postMessage(message: unknown) {
    if (this.terminated) return;
    const data = structuredClone(message);
    setTimeout(() => {
      if (!this.terminated) this.handler.onmessage(new MessageEvent('message', { data }));
    }, 0);
  }

  addEventListener(type: string, listener: (event: Event) => void) {
    (this.listeners[type] ??= []).push(listener);
  }

  crash(message: string) {
    const event = Object.assign(new Event('error'), { message });
    for (const listener of this.listeners.error ?? []) listener(event);
  }

  terminate() {
    this.terminated = true;
  }
}

export const gpu = (over: Partial<GpuReport> = {}): GpuReport => ({
  webgpu: true,
  shaderF16: false,
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize: 1 << 30,
  vendor: 'google',
  architecture: 'swiftshader',
  ...over,
});

/** A WebLlmEngine whose workers are FakeWorkers playing `scripts` (one a worker; the last one repeats). */
export function webLlmWithFakeWorkers(scripts: Script[] = [{}], options: WebLlmEngineOptions = {}) {
  const workers: FakeWorker[] = [];
  const engine = new WebLlmEngine({
    createWorker: () => {
      const worker = new FakeWorker(scripts[Math.min(workers.length, scripts.length - 1)]!);
      workers.push(worker);
      return worker;
    },
    probe: async () => gpu(),
    isOnline: () => true,
    diagnose: null,
    stopGraceMs: 300,
    ...options,
  });
  return { engine, workers };
}
