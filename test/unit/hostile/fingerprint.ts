// Every store's row count and a hash of its content, to tell "nothing changed" in one comparison.

import { encodeValue } from '../../../src/core/backup';
import { cyrb53 } from '../../../src/core/hash';
import type { AppDatabase } from '../../../src/storage/db';
import { dumpAllTables } from '../storage/helpers';

export type Fingerprint = Record<string, { count: number; hash: string }>;

/** Per store (models included): how many rows, and a hash of them all in key order, bytes included. */
export async function databaseFingerprint(db: AppDatabase): Promise<Fingerprint> {
  const out: Fingerprint = {};
  for (const [table, rows] of Object.entries(await dumpAllTables(db))) {
    // encodeValue writes ArrayBuffers as base64, so a changed vector changes the hash.
    const text = JSON.stringify(rows.map((row, i) => encodeValue(row, `${table}[${i}]`)));
    out[table] = { count: rows.length, hash: `${cyrb53(text, 1).toString(16)}${cyrb53(text, 2).toString(16)}` };
  }
  return out;
}
