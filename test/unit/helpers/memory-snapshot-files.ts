// SnapshotFiles in memory, for unit tests of automatic backups (the browser keeps them in OPFS).
// `failWrites` makes the next writes fail as a full disk does.

import type { SnapshotFiles, StoredSnapshotFile } from '../../../src/core/snapshots';

export class MemorySnapshotFiles implements SnapshotFiles {
  readonly files = new Map<string, Uint8Array>();
  failWrites = false;

  async list(): Promise<StoredSnapshotFile[]> {
    return [...this.files].map(([name, bytes]) => ({ name, size: bytes.length }));
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    if (this.failWrites) throw new DOMException('The disk is full.', 'QuotaExceededError');
    this.files.set(name, bytes.slice());
  }

  async read(name: string): Promise<Blob> {
    const bytes = this.files.get(name);
    if (!bytes) throw new DOMException(`${name} is not there.`, 'NotFoundError');
    return new Blob([bytes as Uint8Array<ArrayBuffer>]);
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
}
