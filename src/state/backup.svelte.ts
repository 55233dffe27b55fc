// Backup, restore and "delete all data" as the settings screen drives them: progress, result, errors.

import { BackupError, backupFileName, readBackup, type BackupTable } from '../core/backup';
import { AppError, toAppError } from '../core/errors';
import type { BackupRepository, RestoreMode, RestoreSummary } from '../storage';

export type { RestoreMode, RestoreSummary };

export interface BackupDeps {
  repository: () => BackupRepository;
  /** Reload what the app shows (characters, persona, settings) from storage after a change. */
  reload: () => Promise<void>;
  /** Stop whatever else writes to storage (a reply being streamed) before its data is replaced. */
  stopWriters?: () => void | Promise<void>;
  appVersion: string;
  /** navigator.storage.estimate, when the browser has it. */
  estimate?: () => Promise<{ usage?: number; quota?: number } | undefined>;
  now?: () => number;
}

export type BackupPhase = 'idle' | 'saving' | 'reading' | 'restoring' | 'deleting';

export interface RestoreResult extends RestoreSummary {
  fileName: string;
  /** Lorebooks whose character was not in the backup, restored as global books. */
  detachedLorebooks: number;
}

/**
 * IndexedDB stores rows with some overhead over their JSON size (indexes, structured clone),
 * so ask for a little more than the backup's unpacked bytes.
 */
const SPACE_FACTOR = 1.5;

export class BackupState {
  phase = $state<BackupPhase>('idle');
  /** Rows done / total of the running job; null when there is none or it has not started. */
  progress = $state.raw<{ done: number; total: number } | null>(null);
  error = $state.raw<AppError | null>(null);
  lastRestore = $state.raw<RestoreResult | null>(null);

  #deps: BackupDeps;

  constructor(deps: BackupDeps) {
    this.#deps = deps;
  }

  get busy(): boolean {
    return this.phase !== 'idle';
  }

  /** Forget the last result and error (a new file was picked). */
  clearResult(): void {
    this.error = null;
    this.lastRestore = null;
  }

  #onProgress = (done: number, total: number) => {
    this.progress = { done, total };
  };

  async #run<T>(phase: BackupPhase, job: () => Promise<T>): Promise<T | null> {
    if (this.busy) return null;
    this.phase = phase;
    this.progress = null;
    this.error = null;
    try {
      return await job();
    } catch (error) {
      this.error = toAppError(error);
      return null;
    } finally {
      this.phase = 'idle';
      this.progress = null;
    }
  }

  /** The whole database as one file, ready to download. Null (with `error` set) when it failed. */
  create(): Promise<{ blob: Blob; fileName: string } | null> {
    return this.#run('saving', async () => {
      const createdAt = (this.#deps.now ?? Date.now)();
      let bytes: Uint8Array;
      try {
        ({ bytes } = await this.#deps.repository().create({ appVersion: this.#deps.appVersion, createdAt }, this.#onProgress));
      } catch (error) {
        // A row holding a value the format cannot carry: storage wrapped the BackupError.
        const cause = error instanceof AppError ? error.cause : error;
        throw cause instanceof BackupError ? badBackup(cause) : error;
      }
      return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), fileName: backupFileName(createdAt) };
    });
  }

  /**
   * Check the file whole, then restore it in one transaction. A bad file or a full disk changes
   * nothing; the error says why (and, for a full disk, how much room is needed).
   */
  restore(file: Blob & { name?: string }, mode: RestoreMode): Promise<RestoreResult | null> {
    this.lastRestore = null;
    return this.#run('reading', async () => {
      let backup;
      try {
        backup = readBackup(new Uint8Array(await file.arrayBuffer()));
      } catch (error) {
        throw error instanceof BackupError ? badBackup(error) : error;
      }
      this.phase = 'restoring';
      await this.#deps.stopWriters?.();
      let summary: RestoreSummary;
      try {
        summary = await this.#deps.repository().restore(backup, mode, this.#onProgress);
      } catch (error) {
        const appError = toAppError(error);
        if (appError.code === 'quota') throw await this.#quotaError(backup.dataBytes, appError);
        throw appError;
      }
      await this.#deps.reload();
      const result = { ...summary, fileName: file.name ?? '', detachedLorebooks: backup.detachedLorebooks };
      this.lastRestore = result;
      return result;
    });
  }

  /** Delete every character, conversation, persona, lorebook and setting (downloaded models stay). */
  async deleteAll(): Promise<boolean> {
    this.lastRestore = null;
    const done = await this.#run('deleting', async () => {
      await this.#deps.stopWriters?.();
      await this.#deps.repository().clearAll();
      await this.#deps.reload();
      return true;
    });
    return done === true;
  }

  async #quotaError(dataBytes: number, cause: AppError): Promise<AppError> {
    const needed = Math.ceil(dataBytes * SPACE_FACTOR);
    let free = -1;
    try {
      const estimate = await this.#deps.estimate?.();
      if (estimate?.quota !== undefined) free = Math.max(0, estimate.quota - (estimate.usage ?? 0));
    } catch {
      // No estimate: the sentence leaves the free space out.
    }
    const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
    return new AppError(
      'quota',
      `Not enough storage space to restore this backup: it needs about ${mb(needed)}${free >= 0 ? ` and about ${mb(free)} is free` : ''}. Nothing was changed.`,
      { needed, free, context: 'restore' },
      { cause },
    );
  }
}

/** A rejected file as an AppError the UI words from its reason. */
function badBackup(error: BackupError): AppError {
  return new AppError('bad-backup', error.message, { reason: error.reason, ...error.details }, { cause: error });
}
