// Deeply nested rows in a backup: anything Hearth itself can hold restores. (A part nested deeper
// than that is refused as 'too-deep': see the hostile-input suite, test/unit/hostile.)

import { describe, expect, it } from 'vitest';
import { readBackup, writeBackup } from '../../../src/core/backup';
import { MAX_JSON_DEPTH } from '../../../src/core/cards/json-depth';
import { importCardFile } from '../../../src/core/cards/detect';
import { dumpAllTables, freshRepositoriesEachTest, makeCharacter } from '../storage/helpers';
import type { Repositories } from '../../../src/storage';
import type { AppDatabase } from '../../../src/storage/db';

const META = { appVersion: '0.1.0', databaseVersion: 3, createdAt: Date.UTC(2026, 11, 3) };

/** Objects nested `levels` deep, each holding a "$t" key (which the backup escapes with one more level). */
function tagged(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { $t: 'leaf' };
  for (let i = 1; i < levels; i++) value = { $t: 'level', next: value };
  return value;
}

let db: AppDatabase;
let repos: Repositories;
freshRepositoriesEachTest((fresh) => ({ db, repos } = fresh));

describe('backup depth', () => {
  it('restores a character whose extensions nest as deep as a card import allows, even with "$t" keys at every level', async () => {
    // The deepest card the importer takes: card, data, extensions, then the rest of the 1,000 levels.
    const card = { spec: 'chara_card_v2', data: { name: 'Deep', description: 'd', extensions: { deep: tagged(MAX_JSON_DEPTH - 3) } } };
    const imported = importCardFile('deep.json', new TextEncoder().encode(JSON.stringify(card)));
    const character = makeCharacter({ id: 'deep', extensions: imported.character.extensions });
    const { bytes } = writeBackup({ characters: [character] }, { ...META });

    const backup = readBackup(bytes);
    await repos.backup.restore(backup, 'replace');
    expect((await dumpAllTables(db)).characters).toEqual([character]);
  });
});
