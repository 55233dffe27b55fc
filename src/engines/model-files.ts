// GGUF files the person picked, kept in this origin's private file system (OPFS) under /models/.

import { AppError, toAppError } from '../core/errors';
import { modelQuotaError, PARTIAL_SUFFIX, spaceShortfall, storedGgufName, type StoredFile } from '../core/model-storage';

const FOLDER = 'models';

/** The parts of the File System API used here (a real OPFS directory, or a fake in unit tests). */
export interface DirectoryLike {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryLike>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandleLike>;
  removeEntry(name: string): Promise<void>;
  values(): AsyncIterable<{ kind: string; name: string }>;
}

export interface FileHandleLike {
  getFile(): Promise<File>;
  createWritable(): Promise<WritableLike>;
  /** Renames in place (Chromium, Firefox); absent elsewhere. */
  move?(name: string): Promise<void>;
}

export interface WritableLike {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

export interface Estimate {
  usage?: number;
  quota?: number;
}

export type SaveProgress = (savedBytes: number, totalBytes: number) => void;

function isQuota(error: unknown): boolean {
  return (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)) && (error as Error).name === 'QuotaExceededError';
}

export class GgufFileStore {
  readonly #root: () => Promise<DirectoryLike>;
  readonly #estimate: () => Promise<Estimate | null>;
  /** New files being written under their final name (where move() is missing): not models yet. */
  readonly #writing = new Set<string>();

  constructor(root: () => Promise<DirectoryLike>, estimate: () => Promise<Estimate | null> = async () => null) {
    this.#root = root;
    this.#estimate = estimate;
  }

  async #folder(): Promise<DirectoryLike> {
    return (await this.#root()).getDirectoryHandle(FOLDER, { create: true });
  }

  /** Complete files only: a file still being written (or left by a crash) is not a model. */
  async list(): Promise<StoredFile[]> {
    const folder = await this.#folder();
    const files: StoredFile[] = [];
    for await (const entry of folder.values()) {
      if (entry.kind !== 'file' || entry.name.endsWith(PARTIAL_SUFFIX) || this.#writing.has(entry.name)) continue;
      const file = await (await folder.getFileHandle(entry.name)).getFile();
      files.push({ name: entry.name, size: file.size });
    }
    return files;
  }

  async open(name: string): Promise<File | null> {
    try {
      return await (await (await this.#folder()).getFileHandle(storedGgufName(name))).getFile();
    } catch {
      return null;
    }
  }

  /**
   * Copies the file in, streaming (a model can be larger than memory), into a temporary name that is
   * renamed once complete; on any failure the partial copy is removed, so nothing half-written stays.
   * An earlier copy under the same name stays until the new one replaces it: move() overwrites an
   * existing file (WPT fs/FileSystemFileHandle-move "move(name) can overwrite an existing file"), and
   * without move() a writable stream changes the file only when closed (its swap file is dropped on
   * abort), so a failure leaves the earlier copy as it was.
   */
  async save(blob: Blob, name: string, onProgress?: SaveProgress): Promise<StoredFile> {
    const finalName = storedGgufName(name);
    const estimate = await this.#estimate().catch(() => null);
    if (spaceShortfall(blob.size, estimate) > 0) throw modelQuotaError(finalName, blob.size, estimate);
    const folder = await this.#folder();
    const probe = await folder.getFileHandle(`${finalName}${PARTIAL_SUFFIX}`, { create: true });
    const renames = typeof probe.move === 'function';
    // Without move() the copy goes straight to its final name (hidden from list() until done) and is
    // removed if it fails, unless it was replacing an earlier copy, which then stays as it was.
    const writeName = renames ? `${finalName}${PARTIAL_SUFFIX}` : finalName;
    if (!renames) await folder.removeEntry(`${finalName}${PARTIAL_SUFFIX}`).catch(() => {});
    const existed = !renames && (await folder.getFileHandle(finalName).then(() => true, () => false));
    const handle = renames ? probe : await folder.getFileHandle(writeName, { create: true });
    if (!renames && !existed) this.#writing.add(finalName);
    let writable: WritableLike | null = null;
    try {
      writable = await handle.createWritable();
      const reader = blob.stream().getReader();
      let saved = 0;
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        await writable.write(value);
        saved += value.byteLength;
        onProgress?.(saved, blob.size);
      }
      await writable.close();
      writable = null;
      if (renames) await handle.move!(finalName); // replaces an earlier copy in one step
      return { name: finalName, size: blob.size };
    } catch (error) {
      await writable?.abort().catch(() => {});
      if (renames || !existed) await folder.removeEntry(writeName).catch(() => {});
      if (isQuota(error)) throw modelQuotaError(finalName, blob.size, await this.#estimate().catch(() => null), error);
      throw toAppError(error, 'storage-unavailable');
    } finally {
      this.#writing.delete(finalName);
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await (await this.#folder()).removeEntry(storedGgufName(name));
    } catch (error) {
      if (!(error instanceof Error && error.name === 'NotFoundError')) throw toAppError(error, 'storage-unavailable');
    }
  }

  /** Removes copies a closed tab or a crash left half-written. */
  async cleanPartials(): Promise<number> {
    const folder = await this.#folder();
    const partial: string[] = [];
    for await (const entry of folder.values()) if (entry.name.endsWith(PARTIAL_SUFFIX)) partial.push(entry.name);
    for (const name of partial) await folder.removeEntry(name).catch(() => {});
    return partial.length;
  }
}
