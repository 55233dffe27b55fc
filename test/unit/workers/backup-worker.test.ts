// The backup worker entry over a real MessageChannel (node:worker_threads): a backup comes back
// whole and checked, and a hostile one is refused with its own reason (part-too-large, not a
// generic failure), as the restore flow on the page sees it.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BackupError, readBackup, writeBackup } from '../../../src/core/backup';
import { workerReader, type ReaderWorker } from '../../../src/state/backup-reader';
import { fullRows } from '../helpers/backup-rows';
import { declareHugePart } from '../helpers/hostile-backup';

const META = { appVersion: '0.1.0', databaseVersion: 3, createdAt: Date.UTC(2026, 11, 3, 9, 0) };
let page: MessagePort;
let terminated = 0;

beforeAll(async () => {
  const { port1, port2 } = new MessageChannel();
  page = port1;
  // The entry file serves whatever `self` is: here the far end of the channel.
  vi.stubGlobal('self', port2);
  await import('../../../src/workers/backup.worker');
  vi.unstubAllGlobals();
});
afterAll(() => page.close());

/** The reader the page uses, over the channel instead of a Worker (kept open across reads). */
const read = workerReader(() => Object.assign(page as unknown as ReaderWorker, { onerror: null, terminate: () => void (terminated += 1) }));

describe('the backup worker', () => {
  it('reads a backup off the page and sends back the same rows the page would have read', async () => {
    const { bytes } = writeBackup(fullRows(), META);
    const expected = readBackup(bytes);
    const before = terminated;
    const backup = await read(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    expect(backup).toEqual(expected);
    expect(backup.rows.characters[0].assets?.[0].data).toEqual(new Uint8Array([1, 2]));
    expect(terminated).toBe(before + 1);
  });

  it('refuses a part that declares 1.9 GB as part-too-large, with the part and the limit, as a BackupError', async () => {
    const { bytes } = writeBackup(fullRows(), META);
    const hostile = declareHugePart(bytes, 'tables/messages/0000.json');
    const error = await read(new Blob([hostile as Uint8Array<ArrayBuffer>])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect(error).toMatchObject({ reason: 'part-too-large', details: { part: 'tables/messages/0000.json', size: '1812.0 MB', limit: '256.0 MB' } });
  });

  it('refuses a file that is not a zip as not-a-backup', async () => {
    const error = await read(new Blob(['{"spec":"chara_card_v3"}'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).reason).toBe('not-a-backup');
  });
});
