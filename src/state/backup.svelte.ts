// Backup, restore and "delete all data" as the settings screen drives them: progress, result, errors.

import { BackupError, backupFileName, type Backup, type BackupTable } from '../core/backup';
import { AppError, toAppError } from '../core/errors';
import type { Snapshot, SnapshotReason } from '../core/snapshots';
import type { BackupRepository, RestoreMode, RestoreSummary } from '../storage';
import { defaultBackupReader, type BackupReader } from './backup-reader';
import type { AutoBackups } from './snapshots.svelte';

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
  /** Reads and checks a backup file (in a worker in the browser: defaultBackupReader). */
  readBackup?: BackupReader;
  /** Automatic snapshots, taken before a restore and before delete all. */
  snapshots?: AutoBackups;
}

export type BackupPhase = 'idle' | 'saving' | 'reading' | 'snapshot' | 'restoring' | 'deleting';

/** A snapshot that could not be taken before a restore or delete all: the person decides whether to go on. */
export interface SnapshotFailure {
  action: 'restore' | 'delete-all';
  error: AppError;
}

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
  /** Set while the person is asked whether to go on without the snapshot that failed. */
  snapshotFailure = $state.raw<SnapshotFailure | null>(null);

  #deps: BackupDeps;
  /** What "go on" does for the current snapshotFailure. */
  #goOn: (() => Promise<unknown>) | null = null;

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

  /** The answer to snapshotFailure: go on without the snapshot (true), or leave everything as it is. Resolves to what going on returned. */
  async answerSnapshotFailure(goOn: boolean): Promise<unknown> {
    const action = this.#goOn;
    this.snapshotFailure = null;
    this.#goOn = null;
    return goOn ? action?.() : null;
  }

  /**
   * The snapshot before `reason`; false (with snapshotFailure set, and `goOn` kept for the answer)
   * when it failed. True where there are no snapshots (nothing to ask).
   */
  async #snapshotFirst(reason: SnapshotReason, action: SnapshotFailure['action'], goOn: () => Promise<unknown>): Promise<boolean> {
    const snapshots = this.#deps.snapshots;
    if (!snapshots?.supported) return true;
    this.phase = 'snapshot';
    try {
      await snapshots.take(reason);
      return true;
    } catch (error) {
      this.snapshotFailure = { action, error: toAppError(error) };
      this.#goOn = goOn;
      return false;
    }
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

  /**
   * The whole database as one file, ready to download. Null (with `error` set) when it failed.
   * `includeSecrets`: the model server's API key goes in too (the person ticked it).
   */
  create(options: { includeSecrets?: boolean } = {}): Promise<{ blob: Blob; fileName: string } | null> {
    return this.#run('saving', async () => {
      const createdAt = (this.#deps.now ?? Date.now)();
      let bytes: Uint8Array;
      try {
        ({ bytes } = await this.#deps.repository().create({ appVersion: this.#deps.appVersion, createdAt, includeSecrets: options.includeSecrets === true }, this.#onProgress));
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
  restore(file: Blob & { name?: string }, mode: RestoreMode, options: { snapshot?: boolean } = {}): Promise<RestoreResult | null> {
    this.lastRestore = null;
    this.snapshotFailure = null;
    return this.#run('reading', async () => {
      let backup: Backup;
      try {
        backup = await (this.#deps.readBackup ?? defaultBackupReader())(file);
      } catch (error) {
        throw error instanceof BackupError ? badBackup(error) : error;
      }
      // After reading: the file may be the oldest snapshot, which taking a new one deletes.
      if (options.snapshot !== false && !(await this.#snapshotFirst('before-restore', 'restore', () => this.restore(file, mode, { snapshot: false })))) return null;
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

  /** Restore from an automatic snapshot (the same checks and modes as a file). */
  async restoreSnapshot(snapshot: Snapshot, mode: RestoreMode): Promise<RestoreResult | null> {
    const snapshots = this.#deps.snapshots;
    if (!snapshots) return null;
    let file: File;
    try {
      file = await snapshots.open(snapshot);
    } catch (error) {
      this.error = toAppError(error, 'storage-unavailable');
      return null;
    }
    return this.restore(file, mode);
  }

  /**
   * Delete every character, conversation, persona, lorebook and setting (downloaded models stay),
   * after a snapshot of them. False when nothing was deleted (an error, or a failed snapshot to answer).
   */
  async deleteAll(options: { snapshot?: boolean } = {}): Promise<boolean> {
    this.lastRestore = null;
    this.snapshotFailure = null;
    const done = await this.#run('deleting', async () => {
      if (options.snapshot !== false && !(await this.#snapshotFirst('before-delete-all', 'delete-all', () => this.deleteAll({ snapshot: false })))) return false;
      this.phase = 'deleting';
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
