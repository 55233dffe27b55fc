// Files given while an import runs: they wait in a queue and join the same batch (one results list,
// in the order given), nothing is refused or rejected, and Cancel stops the file being read and
// every file still waiting, each with its own Cancelled result. The reader is held open (a
// deferred promise) so the second call lands while the first file is being read.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadResult } from '../../../src/core/import/read-file';
import type { ImportReadRequest } from '../../../src/core/import/worker-protocol';
import type { Character } from '../../../src/core/types';
import { ImportFailure } from '../../../src/core/import/failure';
import { ImportJob, type ImportInput } from '../../../src/state/import-job.svelte';
import { inThreadReader, type ImportReader } from '../../../src/state/import-reader';
import { createRepositories, type Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';
import { utf8 } from '../core/packs/helpers';
import { freshDb } from '../storage/helpers';

let db: AppDatabase;
let repos: Repositories;
let characters: Character[];

beforeEach(async () => {
  db = await freshDb();
  repos = createRepositories(db);
  characters = [];
});

afterEach(async () => {
  db.close();
  await db.delete();
});

const card = (name: string): ImportInput => ({
  name: `${name}.json`,
  bytes: utf8(JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name, description: 'd', first_mes: 'Hi' } })),
});

/** Reads in the same thread, but holds the file named `held` until release() (or an abort). */
function heldReader(held: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const started: string[] = [];
  let entered!: () => void;
  const holding = new Promise<void>((resolve) => (entered = resolve));
  const reader: ImportReader = async (request: ImportReadRequest, signal: AbortSignal): Promise<ReadResult> => {
    const name = request.kind === 'file' ? request.file.name : request.name;
    started.push(name);
    if (name === held) {
      entered();
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        signal.addEventListener('abort', () => reject(new ImportFailure('cancelled', 'The import was cancelled.')));
      });
    }
    return inThreadReader(request, signal);
  };
  return { reader, release, holding, started };
}

function makeJob(reader: ImportReader) {
  return new ImportJob({
    imports: () => repos.imports,
    lorebooks: () => repos.lorebooks,
    characters: () => characters,
    refresh: async () => {
      characters = await repos.characters.list();
    },
    reader,
  });
}

describe('ImportJob queue', () => {
  it('queues files given while an import runs: every file ends with a result, in order', async () => {
    const held = heldReader('one.json');
    const job = makeJob(held.reader);
    const first = job.importFiles([card('one')]);
    await held.holding;
    expect(job.running).toBe(true);

    const second = job.importFiles([card('two'), card('three')]);
    expect(job.waiting).toBe(2);
    held.release();

    const [firstResults, secondResults] = await Promise.all([first, second]);
    expect(firstResults.map((r) => r.file)).toEqual(['one.json']);
    expect(secondResults.map((r) => r.file)).toEqual(['two.json', 'three.json']);
    // The batch's results keep every file, not only the last call's.
    expect(job.results.map((r) => [r.file, r.status])).toEqual([
      ['one.json', 'imported'],
      ['two.json', 'imported'],
      ['three.json', 'imported'],
    ]);
    expect(held.started).toEqual(['one.json', 'two.json', 'three.json']);
    expect(characters.map((c) => c.name).sort()).toEqual(['one', 'three', 'two']);
    expect(job.running).toBe(false);
    expect(job.waiting).toBe(0);
    expect(job.progress).toBeNull();
  });

  it('a folder given while files import waits too and gets its own row', async () => {
    const held = heldReader('one.json');
    const job = makeJob(held.reader);
    const first = job.importFiles([card('one')]);
    await held.holding;
    const folder = job.importFolder('empty-pack', [{ name: 'empty-pack/readme.txt', bytes: utf8('nothing here') }]);
    expect(job.waiting).toBe(1);
    held.release();
    await Promise.all([first, folder]);
    expect(job.results.map((r) => [r.file, r.status])).toEqual([
      ['one.json', 'imported'],
      ['empty-pack', 'rejected'],
    ]);
  });

  it('cancel stops the file being read and every queued file, each with a Cancelled row; later files import', async () => {
    const held = heldReader('one.json');
    const job = makeJob(held.reader);
    const first = job.importFiles([card('one')]);
    await held.holding;
    const second = job.importFiles([card('two'), card('three')]);
    job.cancel();
    expect(job.waiting).toBe(2);
    // A file given after the Cancel is a new wish: it is imported.
    const third = job.importFiles([card('four')]);

    await Promise.all([first, second, third]);
    expect(job.results.map((r) => [r.file, r.status, r.reason])).toEqual([
      ['one.json', 'rejected', 'cancelled'],
      ['two.json', 'rejected', 'cancelled'],
      ['three.json', 'rejected', 'cancelled'],
      ['four.json', 'imported', undefined],
    ]);
    // The queued files were not even read.
    expect(held.started).toEqual(['one.json', 'four.json']);
    expect(characters.map((c) => c.name)).toEqual(['four']);
    expect(await db.characters.count()).toBe(1);
    expect(job.running).toBe(false);
  });

  it('a failing refresh after the import does not reject the calls', async () => {
    const job = new ImportJob({
      imports: () => repos.imports,
      lorebooks: () => repos.lorebooks,
      characters: () => [],
      refresh: async () => {
        throw new Error('list failed');
      },
      reader: inThreadReader,
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const results = await job.importFiles([card('solo')]);
      expect(results.map((r) => r.status)).toEqual(['imported']);
      expect(errors).toHaveLength(1);
    } finally {
      console.error = original;
    }
  });
});
