// Pure rules of the model manager: what a stored model row is, custom web-llm URLs, MLC folders, file names and space.

import type { CustomWebLlmModel } from './engine';
import { AppError } from './errors';
import { formatBytes } from './i18n';
import type { EngineKind, InstalledModel } from './types';

/** Where a model's weights are kept on this device. */
export type ModelPlace = 'opfs' | 'wllama-cache' | 'webllm-cache' | 'nowhere';

/** One line of the model manager. */
export interface StoredModelRow {
  /** Stable key: the InstalledModel id, or `opfs:<file>` / `wllama:<url>` for files with no record. */
  key: string;
  label: string;
  engine: EngineKind;
  /** Bytes on this device (0 when nothing is kept, null when unknown). */
  sizeBytes: number | null;
  /** null when the model was never loaded from this list (an orphaned file). */
  lastUsedAt: number | null;
  place: ModelPlace;
  model?: InstalledModel;
  /** The OPFS file name (place 'opfs'). */
  file?: string;
  /** The downloaded URL (place 'wllama-cache'). */
  url?: string;
}

export interface StoredFile {
  name: string;
  size: number;
}

export interface CachedDownload {
  url: string;
  size: number;
}

/** The OPFS file name a GGUF is kept under: no path separators or characters file systems refuse. */
export function storedGgufName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[/\\:*?"<>|\u0000-\u001f]/g, '_').trim().slice(-200);
  const base = cleaned === '' || cleaned === '.' || cleaned === '..' ? 'model' : cleaned;
  return /\.gguf$/i.test(base) ? base : `${base}.gguf`;
}

/** The OPFS file of a GGUF model that was picked from disk (its id is `gguf:<file name>`). */
export function storedFileOf(model: Pick<InstalledModel, 'id'>): string {
  return storedGgufName(model.id.replace(/^gguf:/, ''));
}

/** Suffix of a file being written; such files are never listed, and removed at start-up. */
export const PARTIAL_SUFFIX = '.partial';

/**
 * The rows the manager shows: every installed model with where its weights are, plus files that
 * are kept but have no record (a GGUF stored before its record was written, wllama's own cache).
 */
export function managerRows(
  installed: readonly InstalledModel[],
  opfsFiles: readonly StoredFile[],
  wllamaCache: readonly CachedDownload[],
  webllmSizes: ReadonlyMap<string, number>,
): StoredModelRow[] {
  const rows: StoredModelRow[] = [];
  const claimedFiles = new Set<string>();
  const claimedUrls = new Set<string>();
  for (const model of installed) {
    const row: StoredModelRow = { key: model.id, label: model.label, engine: model.engine, sizeBytes: 0, lastUsedAt: model.lastUsedAt, place: 'nowhere', model };
    if (model.engine === 'webllm') {
      const size = webllmSizes.get(model.id);
      if (size !== undefined && size > 0) Object.assign(row, { place: 'webllm-cache', sizeBytes: size });
    } else if (model.stored === 'opfs') {
      const file = opfsFiles.find((f) => f.name === storedFileOf(model));
      if (file) {
        claimedFiles.add(file.name);
        Object.assign(row, { place: 'opfs', sizeBytes: file.size, file: file.name });
      }
    } else if (model.url) {
      const absolute = model.url;
      const cached = wllamaCache.find((c) => c.url === absolute || c.url.endsWith(absolute));
      if (cached) {
        claimedUrls.add(cached.url);
        Object.assign(row, { place: 'wllama-cache', sizeBytes: cached.size, url: cached.url });
      }
    }
    rows.push(row);
  }
  for (const file of opfsFiles) {
    if (claimedFiles.has(file.name)) continue;
    rows.push({ key: `opfs:${file.name}`, label: file.name, engine: 'wllama', sizeBytes: file.size, lastUsedAt: null, place: 'opfs', file: file.name });
  }
  for (const cached of wllamaCache) {
    if (claimedUrls.has(cached.url)) continue;
    const label = decodeURIComponent(cached.url.split('/').pop() || cached.url);
    rows.push({ key: `wllama:${cached.url}`, label, engine: 'wllama', sizeBytes: cached.size, lastUsedAt: null, place: 'wllama-cache', url: cached.url });
  }
  return rows;
}

/** What the person must free before `needed` bytes fit, given the browser's estimate. */
export function spaceShortfall(needed: number, estimate: { usage?: number; quota?: number } | null): number {
  if (!estimate?.quota || needed <= 0) return 0;
  // Keep a little room: the browser counts metadata, and a full origin makes every write fail.
  const margin = 16 * 1024 * 1024;
  const free = estimate.quota - (estimate.usage ?? 0);
  return Math.max(0, needed + margin - free);
}

/** The sentence-ready error for "this model does not fit": the space it needs and the space free. */
export function modelQuotaError(name: string, neededBytes: number, estimate: { usage?: number; quota?: number } | null, cause?: unknown): AppError {
  const options = cause === undefined ? undefined : { cause };
  // Size unknown (a custom model, a server that sent no length): the general sentence, without figures.
  if (neededBytes <= 0) return new AppError('quota', `Not enough storage space for ${name}`, { file: name }, options);
  const free = estimate?.quota ? Math.max(0, estimate.quota - (estimate.usage ?? 0)) : 0;
  return new AppError(
    'model-quota',
    `Not enough storage space for ${name}: it needs ${formatBytes(neededBytes)}`,
    { file: name, needed: formatBytes(neededBytes), free: formatBytes(free) },
    options,
  );
}

export type UrlProblem = 'not-absolute' | 'not-https' | 'not-wasm';
export type CustomModelCheck =
  | { ok: true; modelId: string; custom: CustomWebLlmModel }
  | { ok: false; field: 'model' | 'lib'; problem: UrlProblem };

function parseAbsolute(value: string): URL | null {
  try {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? new URL(value.trim()) : null;
  } catch {
    return null;
  }
}

function secure(url: URL): boolean {
  // Plain http only for this machine (a local model server); anything else must be https.
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
}

/** The id web-llm will know a model by: its folder name, without the /resolve/<branch>/ suffix. */
export function modelIdFromUrl(url: string): string {
  const path = new URL(url).pathname.replace(/\/resolve\/[^/]+\/?$/, '').replace(/\/+$/, '');
  return decodeURIComponent(path.split('/').pop() || new URL(url).hostname);
}

/** Checks the two URLs of a custom web-llm model (both must be absolute; web-llm cannot resolve relative ones). */
export function checkCustomWebLlmModel(modelUrl: string, modelLibUrl: string): CustomModelCheck {
  const model = parseAbsolute(modelUrl);
  if (!model) return { ok: false, field: 'model', problem: 'not-absolute' };
  if (!secure(model)) return { ok: false, field: 'model', problem: 'not-https' };
  const lib = parseAbsolute(modelLibUrl);
  if (!lib) return { ok: false, field: 'lib', problem: 'not-absolute' };
  if (!secure(lib)) return { ok: false, field: 'lib', problem: 'not-https' };
  if (!/\.wasm$/i.test(lib.pathname)) return { ok: false, field: 'lib', problem: 'not-wasm' };
  return { ok: true, modelId: modelIdFromUrl(model.href), custom: { model: model.href, modelLib: lib.href } };
}

/** Where web-llm keeps each kind of file (its Cache API scopes in 0.2.86). */
export type WebLlmScope = 'webllm/config' | 'webllm/model' | 'webllm/wasm';

export interface MlcFolderPlan {
  name: string;
  modelId: string;
  /** The synthetic same-origin URL the files are served under: web-llm reads `<model>/resolve/main/<file>`. */
  custom: CustomWebLlmModel;
  entries: { path: string; url: string; scope: WebLlmScope }[];
  totalBytes: number;
}

export type MlcFolderProblem = 'empty' | 'no-config' | 'no-tensor-cache' | 'no-tokenizer' | 'no-wasm' | 'many-wasm';

/**
 * Which picked files make an MLC model and where web-llm will look for each. `files` are paths
 * as <input webkitdirectory> gives them ("Folder/mlc-chat-config.json"); sub-folders are ignored.
 */
export function planMlcFolder(
  files: readonly { path: string; size: number }[],
  origin: string,
): { ok: true; plan: MlcFolderPlan } | { ok: false; problem: MlcFolderProblem } {
  const top = files.map((f) => ({ ...f, parts: f.path.split('/') })).filter((f) => f.parts.length <= 2);
  if (top.length === 0) return { ok: false, problem: 'empty' };
  const name = top[0]!.parts.length === 2 ? top[0]!.parts[0]! : 'local-model';
  const fileName = (f: { parts: string[] }) => f.parts.at(-1)!;
  const has = (n: string) => top.some((f) => fileName(f) === n);
  if (!has('mlc-chat-config.json')) return { ok: false, problem: 'no-config' };
  if (!has('tensor-cache.json') && !has('ndarray-cache.json')) return { ok: false, problem: 'no-tensor-cache' };
  if (!has('tokenizer.json') && !has('tokenizer.model')) return { ok: false, problem: 'no-tokenizer' };
  const wasm = top.filter((f) => /\.wasm$/i.test(fileName(f)));
  if (wasm.length === 0) return { ok: false, problem: 'no-wasm' };
  if (wasm.length > 1) return { ok: false, problem: 'many-wasm' };
  const slug = encodeURIComponent(name.replace(/\s+/g, '-'));
  const base = `${origin}/local-models/${slug}/resolve/main/`;
  const modelLib = `${origin}/local-models/${slug}/${encodeURIComponent(fileName(wasm[0]!))}`;
  const entries: MlcFolderPlan['entries'] = [];
  for (const f of top) {
    const n = fileName(f);
    if (/\.wasm$/i.test(n)) entries.push({ path: f.path, url: modelLib, scope: 'webllm/wasm' });
    else if (n === 'mlc-chat-config.json') entries.push({ path: f.path, url: base + n, scope: 'webllm/config' });
    // web-llm 0.2.86 reads tensor-cache.json; folders made by older MLC tools call it ndarray-cache.json.
    else if (n === 'ndarray-cache.json' && !has('tensor-cache.json')) entries.push({ path: f.path, url: `${base}tensor-cache.json`, scope: 'webllm/model' });
    else entries.push({ path: f.path, url: base + encodeURIComponent(n), scope: 'webllm/model' });
  }
  const totalBytes = top.reduce((sum, f) => sum + f.size, 0);
  return { ok: true, plan: { name, modelId: `local-${slug}`, custom: { model: `${origin}/local-models/${slug}`, modelLib }, entries, totalBytes } };
}
