// WebLlmEngine against web-llm's real WebWorkerMLCEngine client and WebWorkerMLCEngineHandler,
// talking through a fake worker; only the MLCEngine inside the "worker" is scripted. So the
// message protocol, the string-only errors and the streaming are the library's own.

import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';
import type { AppConfig, ChatCompletionChunk, ChatCompletionRequest, InitProgressReport } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import type { ChatEvent, LoadProgress } from '../../../../src/core/engine';
import { AppError } from '../../../../src/core/errors';
import type { GpuReport } from '../../../../src/core/model-catalog';
import type { ChatTurn } from '../../../../src/core/types';
import { toLoadProgress, toWebLlmMessages, WebLlmEngine, type WebLlmEngineOptions } from '../../../../src/engines/webllm/webllm-engine';

const MODEL = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

interface Script {
  reload?: (engine: FakeMLCEngine) => Promise<void>;
  /** Pieces of each reply, in order; a function may throw (device loss, overflow). */
  replies?: ((engine: FakeMLCEngine, request: ChatCompletionRequest) => AsyncGenerator<ChatCompletionChunk>)[];
}

const chunk = (content: string): ChatCompletionChunk => ({
  id: 'c',
  created: 0,
  model: MODEL,
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null, logprobs: null }],
});
const finalChunk = (reason: 'stop' | 'length' | 'abort'): ChatCompletionChunk => ({
  id: 'c',
  created: 0,
  model: MODEL,
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: {}, finish_reason: reason }],
});
const usageChunk = (completion: number): ChatCompletionChunk => ({
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
function scriptedReply(pieces: string[], delayMs = 1) {
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

class FakeMLCEngine {
  appConfig?: AppConfig;
  progress?: (report: InitProgressReport) => void;
  loaded?: string;
  interruptSignal = false;
  calls: string[] = [];
  requests: ChatCompletionRequest[] = [];
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
    this.requests.push(request);
    const reply = this.script.replies?.shift() ?? scriptedReply(['Hello', ' there']);
    const generator = reply(this, request);
    const engine = this;
    return (async function* () {
      try {
        yield* generator;
      } finally {
        engine.closedStreams += 1;
      }
    })();
  }
}

/** A Worker whose other side runs web-llm's real handler around a FakeMLCEngine. */
class FakeWorker {
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

const gpu = (over: Partial<GpuReport> = {}): GpuReport => ({
  webgpu: true,
  shaderF16: false,
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize: 1 << 30,
  vendor: 'google',
  architecture: 'swiftshader',
  ...over,
});

function setup(scripts: Script[] = [{}], options: WebLlmEngineOptions = {}) {
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

const turns: ChatTurn[] = [
  { role: 'system', content: 'You are Haruhi.' },
  { role: 'user', content: 'Hi' },
];
const sampling = { maxTokens: 64, temperature: 0.8, topP: 0.95, repetitionPenalty: 1.1, seed: 7.9, stop: ['\nUser:'] };

async function collect(stream: AsyncIterable<ChatEvent>, onDelta?: (n: number) => void): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream) {
    events.push(event);
    if (event.type === 'delta') onDelta?.(events.length);
  }
  return events;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

describe('toLoadProgress', () => {
  it('maps web-llm progress texts to phases', () => {
    const at = (text: string, progress = 0.5) => toLoadProgress({ text, progress, timeElapsed: 1 });
    expect(at('Start to fetch params', 0).phase).toBe('download');
    const download = at('Fetching param cache[3/20]: 412MB fetched. 21% completed, 9 secs elapsed.', 0.21);
    expect(download).toMatchObject({ phase: 'download', fraction: 0.21, loadedBytes: 412 * 1024 * 1024 });
    expect(at('Loading model from cache[5/20]: 100MB loaded. 25% completed, 1 secs elapsed.').phase).toBe('load');
    expect(at('Loading GPU shader modules[10/40]: 25% completed, 1 secs elapsed.').phase).toBe('init');
    expect(at('Finish loading on WebGPU - google', 1).phase).toBe('init');
    expect(at('x', Number.NaN).fraction).toBeNull();
  });
});

describe('toWebLlmMessages', () => {
  it('keeps one system message first and folds later ones into user messages', () => {
    const out = toWebLlmMessages([
      { role: 'system', content: 'A' },
      { role: 'system', content: 'B' },
      { role: 'user', content: 'u1' },
      { role: 'assistant', content: 'a1' },
      { role: 'system', content: 'depth note' },
      { role: 'user', content: 'u2' },
      { role: 'system', content: 'post-history' },
    ]);
    expect(out).toEqual([
      { role: 'system', content: 'A\n\nB' },
      { role: 'user', content: 'u1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'depth note\n\nu2\n\npost-history' },
    ]);
  });

  it('refuses a conversation that does not end with the person', () => {
    expect(() => toWebLlmMessages([{ role: 'user', content: 'u' }, { role: 'assistant', content: 'a' }])).toThrow(AppError);
    expect(() => toWebLlmMessages([])).toThrow(AppError);
  });
});

describe('WebLlmEngine.load', () => {
  it('loads through the worker with an absolute single-record appConfig and mapped progress', async () => {
    const { engine, workers } = setup([
      {
        reload: async (fake) => {
          fake.progress?.({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' });
          fake.progress?.({ progress: 0.5, timeElapsed: 1, text: 'Fetching param cache[1/2]: 150MB fetched. 50% completed, 1 secs elapsed.' });
          fake.progress?.({ progress: 1, timeElapsed: 2, text: 'Loading model from cache[2/2]: 300MB loaded. 100% completed, 2 secs elapsed.' });
          fake.progress?.({ progress: 1, timeElapsed: 2, text: 'Finish loading on WebGPU - google' });
        },
      },
    ]);
    const progress: LoadProgress[] = [];
    const loaded = await engine.load({ kind: 'webllm', modelId: MODEL }, (p) => progress.push(p));
    expect(loaded).toMatchObject({ id: MODEL, engine: 'webllm', contextWindow: 4096, label: 'Qwen2.5 0.5B Instruct (f32)' });
    expect(loaded.sizeBytes).toBeGreaterThan(100 * 1024 * 1024);
    await tick(5);
    expect(progress.map((p) => p.phase)).toEqual(['init', 'download', 'download', 'load', 'init']);
    const config = workers[0]!.engine.appConfig!;
    expect(config.cacheBackend).toBe('cache');
    expect(config.model_list).toHaveLength(1);
    expect(config.model_list[0]!.model_id).toBe(MODEL);
    expect(config.model_list[0]!.model).toMatch(/^https:\/\/huggingface\.co\/mlc-ai\//);
    expect(config.model_list[0]!.model_lib).toMatch(/^https:\/\/.*v0_2_86.*\.wasm$/);
    expect(config).not.toHaveProperty('useIndexedDBCache');
    expect(workers[0]!.engine.calls).toContain(`reload:${MODEL}`);
  });

  it('registers a model the person brought (custom URLs) as the only record of its appConfig', async () => {
    const { engine, workers } = setup();
    const custom = { model: 'https://example.org/me/Tiny-q4f32_1-MLC', modelLib: 'https://example.org/libs/Tiny-webgpu.wasm' };
    const loaded = await engine.load({ kind: 'webllm', modelId: 'Tiny-q4f32_1-MLC', custom }, () => {});
    expect(loaded.id).toBe('Tiny-q4f32_1-MLC');
    expect(workers[0]!.engine.appConfig!.model_list).toEqual([{ model_id: 'Tiny-q4f32_1-MLC', ...{ model: custom.model, model_lib: custom.modelLib } }]);
    expect(workers[0]!.engine.calls).toContain('reload:Tiny-q4f32_1-MLC');
  });

  it('fails fast without WebGPU or shader-f16, before any worker or download', async () => {
    const none = setup([{}], { probe: async () => gpu({ webgpu: false, reason: 'no adapter' }) });
    expect((await rejection(none.engine.load({ kind: 'webllm', modelId: MODEL }, () => {}))).code).toBe('no-webgpu');
    const noF16 = setup();
    const f16 = await rejection(noF16.engine.load({ kind: 'webllm', modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC' }, () => {}));
    expect(f16.code).toBe('no-shader-f16');
    expect(f16.details.twinId).toBe(MODEL);
    expect(none.workers.length + noF16.workers.length).toBe(0);
    expect((await rejection(noF16.engine.load({ kind: 'webllm', modelId: 'Nope-MLC' }, () => {}))).code).toBe('not-found');
  });

  it('maps a failed download and stays usable for the next attempt', async () => {
    const { engine, workers } = setup([{ reload: async () => Promise.reject(new TypeError('Failed to fetch')) }]);
    const first = await rejection(engine.load({ kind: 'webllm', modelId: MODEL }, () => {}));
    expect(first.code).toBe('offline');
    expect(first.details).toMatchObject({ modelId: MODEL, name: 'TypeError', raw: 'Failed to fetch' });
    const second = await rejection(engine.load({ kind: 'webllm', modelId: MODEL }, () => {}));
    expect(second.code).toBe('offline');
    expect(workers).toHaveLength(1);
  });

  it('asks the server what a failed download meant', async () => {
    const seen: string[] = [];
    const { engine } = setup([{ reload: async () => Promise.reject(new TypeError("Failed to execute 'add' on 'Cache': Request failed")) }], {
      diagnose: async (url) => {
        seen.push(url);
        return { status: 404 };
      },
    });
    const error = await rejection(engine.load({ kind: 'webllm', modelId: MODEL }, () => {}));
    expect(error.code).toBe('not-found');
    expect(error.details.status).toBe(404);
    expect(seen).toEqual([`https://huggingface.co/mlc-ai/${MODEL}/resolve/main/mlc-chat-config.json`]);
  });

  it('cancels: rejects with aborted at once, unloads in the worker, and loads again afterwards', async () => {
    let attempts = 0;
    // The first download never ends by itself; later ones finish.
    const download = () => (attempts++ === 0 ? new Promise<void>(() => {}) : Promise.resolve());
    const { engine, workers } = setup([{ reload: download }]);
    const controller = new AbortController();
    const pending = engine.load({ kind: 'webllm', modelId: MODEL }, () => {}, controller.signal);
    await tick(20);
    controller.abort();
    // The download never ends, so a rejection at all means the load did not wait for it.
    const error = await rejection(pending);
    expect(error.code).toBe('aborted');
    await tick(20);
    expect(workers[0]!.engine.calls.filter((c) => c === 'unload').length).toBeGreaterThanOrEqual(2);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    expect(engine.current?.id).toBe(MODEL);
    // The cancelled reload had settled, so the worker was kept.
    expect(workers).toHaveLength(1);
  });

  it('a second load while a cancelled one still runs in the worker gets a fresh worker', async () => {
    const { engine, workers } = setup([{ reload: () => new Promise<void>(() => {}) }, {}]);
    const controller = new AbortController();
    const pending = engine.load({ kind: 'webllm', modelId: MODEL }, () => {}, controller.signal);
    await tick(20);
    controller.abort();
    expect((await rejection(pending)).code).toBe('aborted');
    // No waiting: the worker has not answered the unload yet.
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('does not hang when the worker dies during a load', async () => {
    const { engine, workers } = setup([{ reload: () => new Promise<void>(() => {}) }, {}]);
    const pending = engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    await tick(20);
    workers[0]!.crash('Uncaught RangeError: Array buffer allocation failed');
    const error = await rejection(pending);
    expect(error.code).toBe('model-load-failed');
    expect(workers[0]!.terminated).toBe(true);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    expect(workers).toHaveLength(2);
  });
});

describe('WebLlmEngine.chat', () => {
  it('streams deltas and ends with usage, sending the sampling settings', async () => {
    const { engine, workers } = setup([{ replies: [scriptedReply(['Hel', 'lo', '!'])] }]);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    const events = await collect(engine.chat(turns, sampling));
    expect(events).toEqual([
      { type: 'delta', text: 'Hel' },
      { type: 'delta', text: 'lo' },
      { type: 'delta', text: '!' },
      { type: 'done', finishReason: 'stop', usage: { promptTokens: 42, completionTokens: 3, tokensPerSecond: 25.5 } },
    ]);
    const request = workers[0]!.engine.requests[0]!;
    expect(request).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0.8,
      top_p: 0.95,
      repetition_penalty: 1.1,
      seed: 7,
      stop: ['\nUser:'],
    });
    expect(request.messages[0]).toEqual({ role: 'system', content: 'You are Haruhi.' });
    expect(request).not.toHaveProperty('extra_body');
  });

  it('constrains a reply to a JSON schema with web-llm\'s response_format (the schema as a string)', async () => {
    const { engine, workers } = setup();
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    expect(engine.capabilities().structuredOutput).toBe(true);
    const schema = { type: 'object', properties: { who: { type: 'string', enum: ['Mira', 'Ana'] } }, required: ['who'] } as const;
    await collect(engine.chat(turns, { ...sampling, jsonSchema: schema }));
    expect(workers[0]!.engine.requests[0]!.response_format).toEqual({ type: 'json_object', schema: JSON.stringify(schema) });
    await collect(engine.chat(turns, sampling));
    expect(workers[0]!.engine.requests[1]).not.toHaveProperty('response_format');
  });

  it('turns Qwen3 thinking off', async () => {
    const { engine, workers } = setup();
    await engine.load({ kind: 'webllm', modelId: 'Qwen3-0.6B-q4f32_1-MLC' }, () => {});
    await collect(engine.chat(turns, sampling));
    expect(workers[0]!.engine.requests[0]!.extra_body).toEqual({ enable_thinking: false });
  });

  it('stops on abort: interrupts the worker, ends with finishReason abort, keeps the text, and chats again', async () => {
    const pieces = Array.from({ length: 50 }, (_, i) => `w${i} `);
    const { engine, workers } = setup([{ replies: [scriptedReply(pieces, 5), scriptedReply(['again'])] }]);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    const controller = new AbortController();
    const events = await collect(engine.chat(turns, sampling, controller.signal), (n) => {
      if (n === 3) controller.abort();
    });
    const deltas = events.filter((e) => e.type === 'delta');
    expect(deltas).toHaveLength(3);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'done', finishReason: 'abort' });
    // The usage came from web-llm's closing chunk, not a guess.
    expect(done.type === 'done' && done.usage.tokensPerSecond).toBe(25.5);
    expect(workers[0]!.engine.calls).toContain('interrupt');
    const next = await collect(engine.chat(turns, sampling));
    expect(next[0]).toEqual({ type: 'delta', text: 'again' });
  });

  it('ends at once, without starting generation, when the signal is already aborted', async () => {
    const { engine, workers } = setup();
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    const controller = new AbortController();
    controller.abort();
    const events = await collect(engine.chat(turns, sampling, controller.signal));
    expect(events).toEqual([{ type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } }]);
    expect(workers[0]!.engine.requests).toHaveLength(0);
  });

  it('closes the worker stream when the consumer stops reading', async () => {
    const pieces = Array.from({ length: 50 }, (_, i) => `w${i}`);
    const { engine, workers } = setup([{ replies: [scriptedReply(pieces, 2), scriptedReply(['ok'])] }]);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    for await (const event of engine.chat(turns, sampling)) {
      if (event.type === 'delta') break;
    }
    await tick(50);
    expect(workers[0]!.engine.closedStreams).toBe(1);
    expect((await collect(engine.chat(turns, sampling)))[0]).toEqual({ type: 'delta', text: 'ok' });
  });

  it('reports a context overflow and keeps the model loaded', async () => {
    const overflow = async function* (): AsyncGenerator<ChatCompletionChunk> {
      throw named(
        'ContextWindowSizeExceededError',
        'Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096',
      );
    };
    const { engine, workers } = setup([{ replies: [overflow, scriptedReply(['fine'])] }]);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    const error = await rejection(collect(engine.chat(turns, sampling)));
    expect(error.code).toBe('context-exceeded');
    expect(error.details).toMatchObject({ promptTokens: 5000, contextWindow: 4096 });
    expect((await collect(engine.chat(turns, sampling)))[0]).toEqual({ type: 'delta', text: 'fine' });
    expect(workers).toHaveLength(1);
  });

  it('device lost mid-reply: throws device-lost after the partial text, then reloads in a fresh worker', async () => {
    // What MLCEngine does on device.lost: unloads itself; the decode in flight fails with whatever
    // the dead GPU said.
    const lose = async function* (engine: FakeMLCEngine): AsyncGenerator<ChatCompletionChunk> {
      yield chunk('Once ');
      yield chunk('upon');
      engine.loaded = undefined;
      throw named('OperationError', 'Failed to execute mapAsync on GPUBuffer: Instance dropped.');
    };
    const { engine, workers } = setup([{ replies: [lose] }, { replies: [scriptedReply(['back'])] }]);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    const seen: ChatEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of engine.chat(turns, sampling)) seen.push(event);
      })(),
    );
    expect(seen).toEqual([
      { type: 'delta', text: 'Once ' },
      { type: 'delta', text: 'upon' },
    ]);
    expect(error.code).toBe('device-lost');
    expect(workers[0]!.terminated).toBe(true);
    // Until a new load, chatting says why there is no model.
    expect((await rejection(collect(engine.chat(turns, sampling)))).code).toBe('device-lost');
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    expect(workers).toHaveLength(2);
    expect((await collect(engine.chat(turns, sampling)))[0]).toEqual({ type: 'delta', text: 'back' });
  });

  it('a DeviceLostError itself maps straight to device-lost', async () => {
    const lost = async function* (): AsyncGenerator<ChatCompletionChunk> {
      yield chunk('x');
      throw named('DeviceLostError', 'The WebGPU device was lost while loading the model.');
    };
    const { engine } = setup([{ replies: [lost] }]);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    expect((await rejection(collect(engine.chat(turns, sampling)))).code).toBe('device-lost');
  });

  it('an ordinary failure stays generation-failed and keeps the model', async () => {
    const broken = async function* (): AsyncGenerator<ChatCompletionChunk> {
      throw named('RangeError', 'Make sure 0 < top_p <= 1.');
    };
    const { engine, workers } = setup([{ replies: [broken] }]);
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    expect((await rejection(collect(engine.chat(turns, sampling)))).code).toBe('generation-failed');
    expect(workers[0]!.terminated).toBe(false);
    expect(engine.current?.id).toBe(MODEL);
  });

  it('needs a loaded model, and unload() ends the worker', async () => {
    const { engine, workers } = setup();
    expect((await rejection(collect(engine.chat(turns, sampling)))).code).toBe('no-model');
    await engine.load({ kind: 'webllm', modelId: MODEL }, () => {});
    await engine.unload();
    expect(workers[0]!.engine.calls.at(-1)).toBe('unload');
    expect(workers[0]!.terminated).toBe(true);
    expect((await rejection(collect(engine.chat(turns, sampling)))).code).toBe('no-model');
  });
});
