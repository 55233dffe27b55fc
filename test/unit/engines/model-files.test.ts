import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { GgufFileStore, type DirectoryLike, type FileHandleLike, type WritableLike } from '../../../src/engines/model-files';

/** An in-memory OPFS folder tree with an optional byte limit (writes past it throw QuotaExceededError). */
class FakeDir implements DirectoryLike {
  files = new Map<string, Uint8Array>();
  dirs = new Map<string, FakeDir>();
  /** Makes the next move() throw it (a rename the browser refuses). */
  moveError: Error | null = null;
  constructor(readonly limit = Infinity, readonly canMove = true) {}

  used(): number {
    let total = 0;
    for (const bytes of this.files.values()) total += bytes.byteLength;
    for (const dir of this.dirs.values()) total += dir.used();
    return total;
  }

  async getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryLike> {
    let dir = this.dirs.get(name);
    if (!dir && options?.create) this.dirs.set(name, (dir = new FakeDir(this.limit, this.canMove)));
    if (!dir) throw Object.assign(new Error(name), { name: 'NotFoundError' });
    return dir;
  }

  async getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandleLike> {
    if (!this.files.has(name)) {
      if (!options?.create) throw Object.assign(new Error(name), { name: 'NotFoundError' });
      this.files.set(name, new Uint8Array());
    }
    let current = name;
    const dir = this;
    const handle: FileHandleLike = {
      getFile: async () => new File([dir.files.get(current)! as BlobPart], current),
      createWritable: async (): Promise<WritableLike> => {
        const chunks: Uint8Array[] = [];
        return {
          write: async (data) => {
            if (dir.used() + chunks.reduce((s, c) => s + c.byteLength, 0) + data.byteLength > dir.limit) {
              throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
            }
            chunks.push(data.slice());
          },
          close: async () => {
            const out = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
            let at = 0;
            for (const c of chunks) out.set(c, (at += c.byteLength) - c.byteLength);
            dir.files.set(current, out);
          },
          abort: async () => {},
        };
      },
    };
    if (this.canMove) {
      handle.move = async (to: string) => {
        if (dir.moveError) throw dir.moveError;
        dir.files.set(to, dir.files.get(current)!);
        dir.files.delete(current);
        current = to;
      };
    }
    return handle;
  }

  async removeEntry(name: string): Promise<void> {
    if (!this.files.delete(name) && !this.dirs.delete(name)) throw Object.assign(new Error(name), { name: 'NotFoundError' });
  }

  async *values(): AsyncIterable<{ kind: string; name: string }> {
    for (const name of this.files.keys()) yield { kind: 'file', name };
    for (const name of this.dirs.keys()) yield { kind: 'directory', name };
  }
}

const gguf = (size: number) => new Blob([new Uint8Array(size).fill(7)]);

describe('GgufFileStore', () => {
  it('copies a picked file into /models, lists it, opens it and removes it', async () => {
    const root = new FakeDir();
    const store = new GgufFileStore(async () => root);
    const progress: number[] = [];
    expect(await store.save(gguf(3000), 'tiny.gguf', (saved) => progress.push(saved))).toEqual({ name: 'tiny.gguf', size: 3000 });
    expect(progress.at(-1)).toBe(3000);
    expect([...root.dirs.get('models')!.files.keys()]).toEqual(['tiny.gguf']);
    expect(await store.list()).toEqual([{ name: 'tiny.gguf', size: 3000 }]);
    expect((await store.open('tiny.gguf'))?.size).toBe(3000);
    await store.remove('tiny.gguf');
    expect(await store.list()).toEqual([]);
    expect(await store.open('tiny.gguf')).toBeNull();
  });

  it('refuses up front, naming the space, when the estimate says it will not fit', async () => {
    const root = new FakeDir();
    const store = new GgufFileStore(async () => root, async () => ({ usage: 0, quota: 10 * 1024 * 1024 }));
    const error = await store.save(gguf(20 * 1024 * 1024), 'big.gguf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('model-quota');
    expect((error as AppError).details).toMatchObject({ file: 'big.gguf', needed: '20.0 MB', free: '10.0 MB' });
    expect(await store.list()).toEqual([]);
  });

  for (const canMove of [true, false]) {
    it(`leaves nothing half-written when the disk fills mid-copy (${canMove ? 'temporary name' : 'no move()'})`, async () => {
      const root = new FakeDir(100_000, canMove);
      const store = new GgufFileStore(async () => root);
      await store.save(gguf(1000), 'small.gguf');
      // A blob streams in chunks; the limit is crossed after some of them were written.
      const big = new Blob(Array.from({ length: 8 }, () => new Uint8Array(64 * 1024)));
      const error = await store.save(big, 'big.gguf').catch((e: unknown) => e);
      expect((error as AppError).code).toBe('model-quota');
      expect([...root.dirs.get('models')!.files.keys()]).toEqual(['small.gguf']);
    });
  }

  it('keeps the earlier copy under the same name when the new copy cannot be put in its place', async () => {
    const root = new FakeDir();
    const store = new GgufFileStore(async () => root);
    await store.save(gguf(1000), 'tiny.gguf');
    root.dirs.get('models')!.moveError = new DOMException('The file is in use.', 'NoModificationAllowedError');
    const error = await store.save(gguf(2000), 'tiny.gguf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(await store.list()).toEqual([{ name: 'tiny.gguf', size: 1000 }]);
    expect((await store.open('tiny.gguf'))?.size).toBe(1000);
  });

  it('keeps the earlier copy under the same name when the disk fills while replacing it (no move())', async () => {
    const root = new FakeDir(100_000, false);
    const store = new GgufFileStore(async () => root);
    await store.save(gguf(1000), 'tiny.gguf');
    const big = new Blob(Array.from({ length: 8 }, () => new Uint8Array(64 * 1024)));
    const error = await store.save(big, 'tiny.gguf').catch((e: unknown) => e);
    expect((error as AppError).code).toBe('model-quota');
    expect(await store.list()).toEqual([{ name: 'tiny.gguf', size: 1000 }]);
  });

  it('does not list a file while it is still being written (no move())', async () => {
    const root = new FakeDir(Infinity, false);
    const store = new GgufFileStore(async () => root);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (pulls++ > 0) {
          await gate;
          controller.close();
        } else controller.enqueue(new Uint8Array(10).fill(7));
      },
    });
    const slow = { size: 10, stream: () => stream } as unknown as Blob;
    let firstChunk!: () => void;
    const written = new Promise<void>((resolve) => (firstChunk = resolve));
    const saving = store.save(slow, 'slow.gguf', () => firstChunk());
    await written;
    expect(await store.list()).toEqual([]);
    release();
    await saving;
    expect(await store.list()).toEqual([{ name: 'slow.gguf', size: 10 }]);
  });

  it('removes copies a closed tab left half-written, and never lists them', async () => {
    const root = new FakeDir();
    const store = new GgufFileStore(async () => root);
    await store.save(gguf(10), 'kept.gguf');
    const models = root.dirs.get('models')!;
    models.files.set('lost.gguf.partial', new Uint8Array(5));
    expect(await store.list()).toEqual([{ name: 'kept.gguf', size: 10 }]);
    expect(await store.cleanPartials()).toBe(1);
    expect([...models.files.keys()]).toEqual(['kept.gguf']);
  });
});
