// Automatic rolling backups: a snapshot of everything each day and before anything that replaces
// data (a restore, delete all), the newest few kept, listed in Settings to restore or delete.

import { writeBackup, type BackupRows } from '../core/backup';
import { AppError, toAppError } from '../core/errors';
import { dailySnapshotDue, parseSnapshot, snapshotName, snapshotsBeyond, sortSnapshots, SNAPSHOTS_KEPT, type Snapshot, type SnapshotFiles, type SnapshotReason } from '../core/snapshots';

export interface AutoBackupDeps {
  /** Where snapshots are kept; null where the browser has no private file system (nothing is shown). */
  files: SnapshotFiles | null;
  /** The whole database as backup bytes. */
  create: (createdAt: number) => Promise<Uint8Array>;
  /** Whether there is anything of the person's own to save (a fresh install has only built-ins). */
  hasData: () => Promise<boolean>;
  now?: () => number;
  /** How many snapshots to keep (SNAPSHOTS_KEPT). */
  keep?: number;
}

/**
 * How long after start-up the daily snapshot waits when the browser cannot say it is idle: the
 * first screen is painted and its lists are read by then.
 */
const DAILY_DELAY_MS = 3000;

export class AutoBackups {
  /** Newest first. */
  list = $state.raw<Snapshot[]>([]);
  /** The last daily snapshot or delete that failed (nobody was waiting for it). */
  error = $state.raw<AppError | null>(null);

  readonly #deps: AutoBackupDeps;

  constructor(deps: AutoBackupDeps) {
    this.#deps = deps;
  }

  get supported(): boolean {
    return this.#deps.files !== null;
  }

  get #files(): SnapshotFiles {
    if (!this.#deps.files) throw new AppError('storage-unavailable', 'This browser has no private file system for automatic backups.');
    return this.#deps.files;
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  async #read(): Promise<Snapshot[]> {
    const files = await this.#files.list();
    return sortSnapshots(files.map((file) => parseSnapshot(file.name, file.size)).filter((s): s is Snapshot => s !== null));
  }

  async refresh(): Promise<void> {
    if (!this.supported) return;
    try {
      this.list = await this.#read();
    } catch (error) {
      this.error = toAppError(error, 'storage-unavailable');
    }
  }

  /**
   * Takes a snapshot now (of the database, or of what `create` makes: the rows before an upgrade)
   * and deletes the ones beyond the newest few. Rejects (with nothing left
   * behind) when it could not be made or written, e.g. a full disk: the caller decides what next.
   */
  async take(reason: SnapshotReason, create: (createdAt: number) => Promise<Uint8Array> = this.#deps.create): Promise<Snapshot> {
    const files = this.#files;
    const createdAt = this.#now();
    const name = snapshotName(createdAt, reason);
    try {
      const bytes = await create(createdAt);
      await files.write(name, bytes);
      const list = await this.#read();
      // The one just written stays even when a clock set back makes it look oldest.
      for (const old of snapshotsBeyond(list.filter((s) => s.name !== name), (this.#deps.keep ?? SNAPSHOTS_KEPT) - 1)) await files.remove(old.name);
      this.list = await this.#read();
      return this.list.find((s) => s.name === name) ?? { name, createdAt, reason, size: bytes.length };
    } catch (error) {
      throw toAppError(error);
    }
  }

  /** The snapshot of a database's rows before this build upgrades it; a failure is kept in `error`. */
  async takeBeforeUpgrade(rows: BackupRows, databaseVersion: number, appVersion: string): Promise<void> {
    if (!this.supported) return;
    try {
      await this.take('before-upgrade', async (createdAt) => writeBackup(rows, { appVersion, databaseVersion, createdAt }).bytes);
    } catch (error) {
      this.error = toAppError(error);
    }
  }

  /** The daily snapshot, when the newest is a day old or more and there is data worth saving. */
  async takeDailyIfDue(): Promise<Snapshot | null> {
    if (!this.supported) return null;
    try {
      const list = await this.#read();
      this.list = list;
      if (!dailySnapshotDue(list, this.#now()) || !(await this.#deps.hasData())) return null;
      return await this.take('daily');
    } catch (error) {
      this.error = toAppError(error);
      return null;
    }
  }

  /** takeDailyIfDue once the page is idle after start-up, so it never delays the first screen. */
  scheduleDaily(): void {
    if (!this.supported) return;
    const run = () => void this.takeDailyIfDue();
    if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: DAILY_DELAY_MS });
    else setTimeout(run, DAILY_DELAY_MS);
  }

  /** A snapshot's file, to restore from. */
  async open(snapshot: Snapshot): Promise<File> {
    const blob = await this.#files.read(snapshot.name);
    return new File([blob], snapshot.name, { type: 'application/zip' });
  }

  async remove(snapshot: Snapshot): Promise<void> {
    this.error = null;
    try {
      await this.#files.remove(snapshot.name);
    } catch (error) {
      this.error = toAppError(error, 'storage-unavailable');
    }
    await this.refresh();
  }
}
