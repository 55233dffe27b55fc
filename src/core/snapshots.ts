// Automatic rolling backups ("snapshots"): how each file is named (when and why it was taken), which
// ones to keep, and when the daily one is due. Pure: the files themselves are kept by storage.

/** Why a snapshot was taken: a daily one, or the state just before something that replaces data. */
export type SnapshotReason = 'daily' | 'before-restore' | 'before-delete-all' | 'before-upgrade';

const REASONS: readonly SnapshotReason[] = ['daily', 'before-restore', 'before-delete-all', 'before-upgrade'];

export interface Snapshot {
  /** The file's name; it encodes createdAt and reason, so listing needs no reading. */
  name: string;
  createdAt: number;
  reason: SnapshotReason;
  /** Bytes on disk. */
  size: number;
}

/** How many automatic snapshots are kept; older ones are deleted. */
export const SNAPSHOTS_KEPT = 5;
export const DAY_MS = 24 * 60 * 60 * 1000;

const PATTERN = /^auto-(\d{13})-([a-z-]+)\.zip$/;

/** `auto-1764757200000-daily.zip`: epoch milliseconds (13 digits until the year 2286) sort as text. */
export function snapshotName(createdAt: number, reason: SnapshotReason): string {
  return `auto-${String(Math.trunc(createdAt)).padStart(13, '0')}-${reason}.zip`;
}

/** The snapshot a file name stands for, or null for any other file (a half-written one, a stranger). */
export function parseSnapshot(name: string, size: number): Snapshot | null {
  const match = PATTERN.exec(name);
  if (!match || !REASONS.includes(match[2] as SnapshotReason)) return null;
  return { name, createdAt: Number(match[1]), reason: match[2] as SnapshotReason, size };
}

/** Newest first. */
export function sortSnapshots(list: readonly Snapshot[]): Snapshot[] {
  return [...list].sort((a, b) => b.createdAt - a.createdAt || a.name.localeCompare(b.name));
}

/** The snapshots beyond the newest `keep`: the ones to delete. */
export function snapshotsBeyond(list: readonly Snapshot[], keep = SNAPSHOTS_KEPT): Snapshot[] {
  return sortSnapshots(list).slice(Math.max(0, keep));
}

/**
 * A daily snapshot is due when no snapshot of any reason is under a day old (one taken before a
 * restore an hour ago already holds today's data). A clock set back (newest in the future) also
 * makes it due, so a wrong clock cannot stop daily snapshots for good.
 */
export function dailySnapshotDue(list: readonly Snapshot[], now: number): boolean {
  const newest = sortSnapshots(list)[0];
  return !newest || now - newest.createdAt >= DAY_MS || newest.createdAt > now;
}

/** A file in the snapshot folder. */
export interface StoredSnapshotFile {
  name: string;
  /** Bytes on disk. */
  size: number;
}

/**
 * Where snapshots are kept: a small interface, so state works against the browser's private file
 * system (platform/opfs-snapshot-files.ts) or an in-memory fake in unit tests.
 */
export interface SnapshotFiles {
  /** Every file in the snapshot folder (parseSnapshot picks the snapshots). */
  list(): Promise<StoredSnapshotFile[]>;
  /** Writes the whole file, or leaves nothing under `name` when it fails (a full disk). */
  write(name: string, bytes: Uint8Array): Promise<void>;
  read(name: string): Promise<Blob>;
  /** Deleting a file that is not there is not an error. */
  remove(name: string): Promise<void>;
}
