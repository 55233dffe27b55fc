// Which built files the service worker precaches on install and which it caches the first time
// they are fetched: the engines' code is ~50 MB, the rest of the app about 1 MB.

/**
 * An engine's heavy code: wasm (wllama ~10 MB, onnxruntime ~27 MB), onnxruntime's loader (.mjs),
 * the engine workers, and web-llm's library chunk (`lib-`, ~6 MB). A first visit does not need
 * them; they are fetched when a model loads, and cached then for offline use.
 */
const ENGINE_FILE = /(?:^|\/)assets\/(?:[^/]+\.(?:wasm|mjs)|(?:wllama|webllm|embedding)\.worker-[^/]+\.js|lib-[^/]+\.js)$/;

export function isEngineFile(path: string): boolean {
  return ENGINE_FILE.test(path);
}

export interface ManifestEntry {
  url: string;
  revision: string | null;
}

/** The build's file list split into what is precached (the shell, the built-in characters) and the engine files. */
export function splitManifest(entries: ReadonlyArray<string | ManifestEntry>): { shell: Array<string | ManifestEntry>; engine: string[] } {
  const shell: Array<string | ManifestEntry> = [];
  const engine: string[] = [];
  for (const entry of entries) {
    const url = typeof entry === 'string' ? entry : entry.url;
    if (isEngineFile(url)) engine.push(url);
    else shell.push(entry);
  }
  return { shell, engine };
}

/**
 * Each engine's files, known by its worker: the worker script fetches the rest itself (wllama's wasm,
 * web-llm's library chunk, onnxruntime's loader and wasm), out of the page's sight.
 */
const ENGINE_GROUPS: ReadonlyArray<{ worker: RegExp; files: RegExp }> = [
  { worker: /\/wllama\.worker-[^/]+\.js$/, files: /\/wllama(?:\.worker)?-[^/]+\.(?:js|wasm)$/ },
  { worker: /\/webllm\.worker-[^/]+\.js$/, files: /\/(?:webllm\.worker|lib)-[^/]+\.js$/ },
  { worker: /\/embedding\.worker-[^/]+\.js$/, files: /\/(?:embedding\.worker-[^/]+\.js|ort-[^/]+\.(?:wasm|mjs))$/ },
];

/**
 * The engine files to keep for offline use, given what a page fetched before the service worker
 * controlled it (a first visit that loads a model at once): every file of each engine whose worker
 * it started. `engineUrls`: the build's engine files, as absolute URLs.
 */
export function engineFilesUsed(fetched: readonly string[], engineUrls: readonly string[]): string[] {
  const groups = ENGINE_GROUPS.filter((group) => fetched.some((url) => group.worker.test(url)));
  return engineUrls.filter((url) => groups.some((group) => group.files.test(url)));
}
