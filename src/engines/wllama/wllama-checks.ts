// Checks made before wllama is given anything: the browser can run it, its wasm is there, the file is a whole GGUF.

import { AppError } from '../../core/errors';
import { hasGgufMagic, readGgufHeader, type GgufHeader } from './wllama-gguf';

/** The default wllama build needs WebAssembly Memory64; without it wllama would fall back to a CDN "compat" build, which we refuse. */
export function supportsMemory64(): boolean {
  try {
    new WebAssembly.Memory({ address: 'i64', initial: 1n } as unknown as WebAssembly.MemoryDescriptor);
    return true;
  } catch {
    return false;
  }
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * wllama 3.8.1 never settles loadModel() when its worker cannot fetch or compile wllama.wasm (its
 * crash handler itself throws), so make sure the wasm is there first: offline without the service
 * worker's copy, or a broken deployment, then fails with a sentence instead of hanging.
 */
export async function checkWasmReachable(url: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    throw new AppError(offline ? 'offline' : 'download-failed', `Could not fetch the CPU engine (${url})`, { file: 'wllama.wasm', url }, { cause: error });
  }
  if (!response.ok || !response.body) {
    throw new AppError('download-failed', `Could not fetch the CPU engine (${url}): HTTP ${response.status}`, { file: 'wllama.wasm', url, status: response.status });
  }
  const reader = response.body.getReader();
  let head = new Uint8Array(0);
  try {
    while (head.length < 4) {
      const { done, value } = await reader.read();
      if (done) break;
      const next = new Uint8Array(head.length + value.length);
      next.set(head);
      next.set(value, head.length);
      head = next;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  if (!WASM_MAGIC.every((b, i) => head[i] === b)) {
    throw new AppError('download-failed', `The CPU engine at ${url} is not WebAssembly`, { file: 'wllama.wasm', url });
  }
}

/**
 * Rejects with 'not-gguf' unless the blob starts with the GGUF magic, and with 'model-load-failed'
 * (reason 'truncated') when it is shorter than its own tensor table says: a half-finished download.
 * (Each shard of a split model is a GGUF of its own, so this holds for a first shard too.)
 */
export async function checkGgufFile(blob: Blob, name: string, extra: Record<string, string> = {}): Promise<GgufHeader> {
  if (!(await hasGgufMagic(blob))) {
    throw new AppError('not-gguf', `${name} is not a GGUF model file`, { file: name, ...extra });
  }
  let header: GgufHeader;
  try {
    header = await readGgufHeader(blob);
  } catch (error) {
    throw new AppError('model-load-failed', `${name}: ${error instanceof Error ? error.message : String(error)}`, { file: name, reason: 'bad-header', ...extra }, { cause: error });
  }
  if (blob.size < header.minimumFileSize) {
    throw new AppError('model-load-failed', `${name} is incomplete (${blob.size} of at least ${header.minimumFileSize} bytes)`, {
      ...extra,
      file: name,
      reason: 'truncated',
      size: blob.size,
      expected: header.minimumFileSize,
    });
  }
  return header;
}
