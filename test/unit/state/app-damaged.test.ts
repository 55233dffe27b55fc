// A damaged saved row at start: the app names it (table, row, field) instead of blaming the browser,
// and restoring a backup or deleting all data opens it.

import { describe, expect, it } from 'vitest';
import { appWithRepos } from '../helpers/test-app';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { makeCharacter } from '../storage/helpers';

function makeApp(dbName: string) {
  return appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(dbName)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => new ScriptedEngine(), probeGpu: async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' }) },
  });
}

/** A database holding one good character and one whose `tags` is missing (an old bug, a hand edit). */
async function damagedDatabase(): Promise<string> {
  const name = `damaged-${crypto.randomUUID()}`;
  const db = await openDatabase(name);
  const broken = makeCharacter({ id: 'broken', name: 'Broken' }) as unknown as Record<string, unknown>;
  delete broken.tags;
  await db.table('characters').bulkPut([makeCharacter({ id: 'fine', name: 'Fine' }), broken]);
  db.close();
  return name;
}

describe('AppState start with a damaged row', () => {
  it('says which row is damaged, not that storage is unavailable', async () => {
    const app = makeApp(await damagedDatabase());
    await app.start();
    expect(app.status).toBe('damaged');
    expect(app.startupError).toBeNull();
    expect(app.damagedRow).toMatchObject({ table: 'characters', id: 'broken', field: 'tags' });
  });

  it('"delete all data" clears the damage and opens the app', async () => {
    const app = makeApp(await damagedDatabase());
    await app.start();
    expect(await app.backup.deleteAll()).toBe(true);
    expect(app.status).toBe('ready');
    expect(app.damagedRow).toBeNull();
    expect(app.characters).toEqual([]);
  });

  it('restoring a backup replaces the damaged data and opens the app with the backup’s characters', async () => {
    const source = makeApp(`source-${crypto.randomUUID()}`);
    await source.start();
    await source.repos.characters.put(makeCharacter({ id: 'saved', name: 'Saved' }));
    const file = await source.backup.create();
    expect(file).not.toBeNull();

    const app = makeApp(await damagedDatabase());
    await app.start();
    const result = await app.backup.restore(file!.blob, 'replace');
    expect(result).not.toBeNull();
    expect(app.status).toBe('ready');
    expect(app.characters.map((c) => c.id)).toEqual(['saved']);
  });

  it('a backup that cannot be read keeps the damaged screen and says why', async () => {
    const app = makeApp(await damagedDatabase());
    await app.start();
    expect(await app.backup.restore(new Blob(['not a zip']), 'replace')).toBeNull();
    expect(app.status).toBe('damaged');
    expect(app.backup.error?.code).toBe('bad-backup');
  });
});
