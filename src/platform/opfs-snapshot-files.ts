// Automatic snapshots as files in this origin's private file system (OPFS), folder /snapshots/.
// OPFS is cleared together with IndexedDB when the browser evicts the origin, so these protect
// against mistakes (a restore, delete all, a schema upgrade gone wrong), not against eviction:
// the header's persistent-storage warning is for that.

import type { SnapshotFiles, StoredSnapshotFile } from '../core/snapshots';

const FOLDER = 'snapshots';

export class OpfsSnapshotFiles implements SnapshotFiles {
  readonly #root: () => Promise<FileSystemDirectoryHandle>;

  constructor(root: () => Promise<FileSystemDirectoryHandle>) {
    this.#root = root;
  }

  async #folder(): Promise<FileSystemDirectoryHandle> {
    return (await this.#root()).getDirectoryHandle(FOLDER, { create: true });
  }

  async list(): Promise<StoredSnapshotFile[]> {
    const folder = await this.#folder();
    const files: StoredSnapshotFile[] = [];
    // values() is missing from TypeScript's DOM types for directory handles.
    for await (const handle of (folder as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
      if (handle.kind !== 'file') continue;
      files.push({ name: handle.name, size: (await (handle as FileSystemFileHandle).getFile()).size });
    }
    return files;
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    const folder = await this.#folder();
    const handle = await folder.getFileHandle(name, { create: true });
    try {
      const writable = await handle.createWritable();
      try {
        await writable.write(bytes as Uint8Array<ArrayBuffer>);
        await writable.close();
      } catch (error) {
        await writable.abort().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      // A full disk leaves no empty or partial snapshot behind to be mistaken for a real one.
      await folder.removeEntry(name).catch(() => undefined);
      throw error;
    }
  }

  async read(name: string): Promise<Blob> {
    return (await (await this.#folder()).getFileHandle(name)).getFile();
  }

  async remove(name: string): Promise<void> {
    try {
      await (await this.#folder()).removeEntry(name);
    } catch (error) {
      if ((error as Error)?.name !== 'NotFoundError') throw error;
    }
  }
}

/** The browser's OPFS, or null where there is none (the snapshot list is then not shown). */
export function browserSnapshotFiles(): SnapshotFiles | null {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!storage?.getDirectory) return null;
  return new OpfsSnapshotFiles(() => storage.getDirectory());
}
