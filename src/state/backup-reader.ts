// How a restore reads a backup file: in a worker in the browser (the page stays responsive while a
// big file is unpacked and checked), in the same thread where there are no workers (tests).

import { readBackup, type Backup } from '../core/backup';
import type { BackupReadProtocol } from '../core/backup-read-protocol';
import { AppError } from '../core/errors';
import { RpcClient, type RpcPort } from '../core/rpc';

/** The file, checked whole; rejects with BackupError (its reason kept) for a bad one. */
export type BackupReader = (file: Blob) => Promise<Backup>;

/** What the reader needs of a Worker. */
export interface ReaderWorker extends RpcPort {
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

export const inThreadReader: BackupReader = async (file) => readBackup(new Uint8Array(await file.arrayBuffer()));

/** Reads each file in a worker `start` makes for it, and stops it after: nothing lingers after a restore. */
export function workerReader(start: () => ReaderWorker): BackupReader {
  return async (file) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const worker = start();
    const client = new RpcClient<BackupReadProtocol>(worker, { abortError: () => new AppError('aborted', 'Cancelled') });
    worker.onerror = (event) => client.failAll(new AppError('unknown', event.message || 'The backup worker failed.'));
    try {
      return await client.call('read', { bytes }, { transfer: [bytes.buffer] });
    } finally {
      worker.terminate();
    }
  };
}

export function defaultBackupReader(): BackupReader {
  if (typeof Worker === 'undefined') return inThreadReader;
  return workerReader(() => new Worker(new URL('../workers/backup.worker.ts', import.meta.url), { type: 'module', name: 'backup' }));
}
