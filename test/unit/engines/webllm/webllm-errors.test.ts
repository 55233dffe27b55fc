import { errorSentence } from '../../../../src/core/i18n';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/core/errors';
import { mapWebLlmError, rawError } from '../../../../src/engines/webllm/webllm-errors';

// Replicas of web-llm 0.2.86's error classes (lib/index.js; the package exports none of them),
// with their real names and messages.
function webLlmError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
const WebGPUNotAvailableError = () =>
  webLlmError(
    'WebGPUNotAvailableError',
    'WebGPU is not supported in your current environment, but it is necessary to run the WebLLM engine. Please make sure that your browser supports WebGPU and that it is enabled in your browser settings.',
  );
const ShaderF16SupportError = () =>
  webLlmError(
    'ShaderF16SupportError',
    'This model requires WebGPU extension shader-f16, which is not enabled in this browser. You can try to launch Chrome Canary in command line with flag "--enable-dawn-features=allow_unsafe_apis".',
  );
const DeviceLostError = () =>
  webLlmError(
    'DeviceLostError',
    'The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM). To resolve this, try reloading with a model that has fewer parameters or uses a smaller context length.',
  );
const ContextWindowSizeExceededError = (prompt: number, window: number) =>
  webLlmError(
    'ContextWindowSizeExceededError',
    `Prompt tokens exceed context window size: number of prompt tokens: ${prompt}; context window size: ${window}\nConsider shortening the prompt, or increase \`context_window_size\`, or using sliding window via \`sliding_window_size\`.`,
  );
const ModelNotFoundError = (id: string) =>
  webLlmError(
    'ModelNotFoundError',
    `Cannot find model record in appConfig for ${id}. Please check if the model ID is correct and included in the model_list configuration.`,
  );

/** What WebWorkerMLCEngineHandler posts for a thrown error, and the client rejects with. */
const overWorker = (error: Error) => error.toString();

const load = { phase: 'load' as const, modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', online: true };
const chat = { phase: 'chat' as const, modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', online: true };

describe('rawError', () => {
  it('splits the "Name: message" strings that come back from the worker', () => {
    expect(rawError(overWorker(DeviceLostError()))).toEqual({ name: 'DeviceLostError', message: DeviceLostError().message });
    expect(rawError('TypeError: Failed to fetch')).toEqual({ name: 'TypeError', message: 'Failed to fetch' });
    expect(rawError('Error: Cannot fetch https://x/y')).toEqual({ name: 'Error', message: 'Cannot fetch https://x/y' });
    expect(rawError('just words')).toEqual({ name: '', message: 'just words' });
  });
});

describe('mapWebLlmError', () => {
  const cases: [string, unknown, typeof load | typeof chat, string][] = [
    ['WebGPUNotAvailableError', WebGPUNotAvailableError(), load, 'no-webgpu'],
    ['no adapter (detectGPUDevice)', 'Error: Unable to find a compatible GPU. This issue might be because your computer doesn\'t have a GPU', load, 'no-webgpu'],
    ['limits too small', 'Error: Cannot initialize runtime because of requested maxStorageBufferBindingSize exceeds limit. requested=128MB, limit=64MB. ', load, 'no-webgpu'],
    ['ShaderF16SupportError', ShaderF16SupportError(), load, 'no-shader-f16'],
    ['WGSL without f16', "Error: Error while parsing WGSL: :1:8 error: extension 'f16' is not allowed in the current environment", load, 'no-shader-f16'],
    ['fetch TypeError', new TypeError('Failed to fetch'), load, 'offline'],
    ['Firefox fetch', 'TypeError: NetworkError when attempting to fetch resource.', load, 'offline'],
    ['Cache.add network', 'TypeError: Cache.add() encountered a network error', load, 'offline'],
    ['IndexedDB cache wrapping a fetch failure', 'Error: Failed to store https://huggingface.co/x/resolve/main/mlc-chat-config.json with error: TypeError: Failed to fetch', load, 'offline'],
    ['dynamic import offline', 'TypeError: Failed to fetch dynamically imported module: http://localhost/assets/lib.js', load, 'offline'],
    ['Cache.add non-OK (no status in Chrome)', "TypeError: Failed to execute 'add' on 'Cache': Request failed", load, 'download-failed'],
    ['IndexedDB cache miss is not the network', 'Error: ArtifactIndexedDBCache failed to fetch: https://huggingface.co/x/tokenizer.json', load, 'download-failed'],
    ['OPFS 404', 'Error: ArtifactOPFSCache: Unable to fetch https://huggingface.co/x/resolve/main/params_shard_0.bin, received status 404', load, 'not-found'],
    ['OPFS 503', 'Error: ArtifactOPFSCache: Unable to fetch https://huggingface.co/x/a.bin, received status 503', load, 'download-failed'],
    ['integrity', 'IntegrityError: Integrity verification failed for https://x/a.wasm\n  Expected: sha256-a\n  Actual: sha256-b', load, 'download-failed'],
    ['SPA fallback served index.html', 'SyntaxError: Unexpected token \'<\', "<!doctype "... is not valid JSON', load, 'not-found'],
    ['QuotaExceededError (DOMException)', new DOMException('The quota has been exceeded.', 'QuotaExceededError'), load, 'quota'],
    ['quota inside Cache.add', "QuotaExceededError: Failed to execute 'add' on 'Cache': Quota exceeded.", load, 'quota'],
    ['DeviceLostError in load', DeviceLostError(), load, 'device-lost'],
    ['DeviceLostError over the worker', overWorker(DeviceLostError()), chat, 'device-lost'],
    ['device lost text', 'Error: Device was lost. This can happen due to insufficient memory', chat, 'device-lost'],
    ['disposed after loss', 'Error: PackedFunc has already been disposed', chat, 'device-lost'],
    ['context window', overWorker(ContextWindowSizeExceededError(5000, 4096)), chat, 'context-exceeded'],
    ['unknown model id', ModelNotFoundError('Nope-MLC'), load, 'not-found'],
    ['abort', new DOMException('signal is aborted without reason', 'AbortError'), load, 'aborted'],
    ['other, loading', 'Error: something odd', load, 'model-load-failed'],
    ['other, chatting', 'MessageOrderError: The last message should be from the `user` or `tool`.', chat, 'generation-failed'],
    ['config value', 'RangeError: Make sure 0 < top_p <= 1.', chat, 'generation-failed'],
  ];
  for (const [name, error, ctx, code] of cases) {
    it(`${name} -> ${code}`, () => {
      const mapped = mapWebLlmError(error, ctx);
      expect(mapped).toBeInstanceOf(AppError);
      expect(mapped.code).toBe(code);
      expect(mapped.details.modelId).toBe(ctx.modelId);
      expect(mapped.message.length).toBeGreaterThan(5);
    });
  }

  it('keeps the facts: http status, url, raw message, numbers of the context overflow', () => {
    const notFound = mapWebLlmError('Error: ArtifactOPFSCache: Unable to fetch https://hf.co/m/resolve/main/a.bin, received status 404', load);
    expect(notFound.details).toMatchObject({ status: 404, url: 'https://hf.co/m/resolve/main/a.bin', phase: 'load' });
    expect(notFound.message).toContain('404');
    const overflow = mapWebLlmError(overWorker(ContextWindowSizeExceededError(5000, 4096)), chat);
    expect(overflow.details).toMatchObject({ promptTokens: 5000, contextWindow: 4096, name: 'ContextWindowSizeExceededError' });
    expect(overflow.message).toContain('4096');
    expect(String(mapWebLlmError('Error: odd', load).details.raw)).toBe('odd');
    // The person reads the engine's words inside the UI sentence, not a sentence within a sentence.
    const failed = mapWebLlmError('Error: odd', load);
    expect(errorSentence('en', failed.code, { detail: failed.message, ...failed.details })).toBe(
      'The model could not be loaded (odd). Try again, or pick a smaller model.',
    );
  });

  it('turns a failed download into "offline" when the browser says so', () => {
    expect(mapWebLlmError("TypeError: Failed to execute 'add' on 'Cache': Request failed", { ...load, online: false }).code).toBe('offline');
    expect(mapWebLlmError('Error: something odd', { ...load, online: false }).code).toBe('offline');
    expect(mapWebLlmError('Error: something odd', { ...chat, online: false }).code).toBe('generation-failed');
  });

  it('passes AppErrors through and caps huge raw messages', () => {
    const original = new AppError('busy', 'x');
    expect(mapWebLlmError(original, load)).toBe(original);
    const huge = mapWebLlmError(`Error: ${'x'.repeat(5000)}`, load);
    expect(String(huge.details.raw).length).toBeLessThan(600);
  });
});
