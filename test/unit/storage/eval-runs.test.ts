import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readBackup } from '../../../src/core/backup';
import type { EvalResult, EvalRun } from '../../../src/core/types';
import { BACKUP_META, databasesClosedAfterEach, makeCharacter, makeScene } from './helpers';

const open = databasesClosedAfterEach();

const run = (id: string, characterId: string, over: Partial<EvalRun> = {}): EvalRun => ({
  id, characterId, title: 'Run', identityChoices: ['Alice', 'B', 'C', 'D'], createdAt: 1, updatedAt: 1,
  questions: [{ id: 'q1', source: 'held-out', prompt: 'Hello?', reference: 'Hi.', sceneId: 's1' }, { id: 'q2', source: 'written', prompt: 'Who?' }],
  configs: [{ id: 'zero-shot@m', mode: 'zero-shot', model: 'm' }],
  results: [],
  ...over,
});

const result = (questionId: string, reply: string, at = 5): EvalResult => ({ questionId, configId: 'zero-shot@m', reply, scores: { oocMarkers: 0, length: reply.length }, at });

async function seeded() {
  const opened = await open();
  const { repos } = opened;
  await repos.characters.bulkPut([makeCharacter({ id: 'alice' }), makeCharacter({ id: 'bob' })]);
  await repos.scenes.bulkAdd([makeScene('alice', { id: 's1' })]);
  await repos.evalRuns.put(run('r1', 'alice', { createdAt: 1 }));
  await repos.evalRuns.put(run('r2', 'alice', { createdAt: 2 }));
  await repos.evalRuns.put(run('r3', 'bob'));
  return opened;
}

describe('evaluation runs in storage', () => {
  it('are listed per character, newest first, and refused for a character that is gone', async () => {
    const { repos } = await seeded();
    expect((await repos.evalRuns.list('alice')).map((r) => r.id)).toEqual(['r2', 'r1']);
    await expect(repos.evalRuns.put(run('r9', 'nobody'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('gain one result at a time, a redone step replacing its earlier result, and are finished by the last', async () => {
    const { repos } = await seeded();
    await repos.evalRuns.addResult('r1', result('q1', 'first try'), 5);
    await repos.evalRuns.addResult('r1', result('q1', 'redone'), 6);
    expect((await repos.evalRuns.get('r1'))!.results.map((r) => r.reply)).toEqual(['redone']);
    expect((await repos.evalRuns.get('r1'))!.finishedAt).toBeUndefined();
    const done = await repos.evalRuns.addResult('r1', result('q2', 'me'), 7);
    expect(done).toMatchObject({ finishedAt: 7, updatedAt: 7 });
    expect(await repos.evalRuns.get('r1')).toEqual(done);
    await repos.evalRuns.remove('r1');
    await expect(repos.evalRuns.addResult('r1', result('q1', 'late'), 8)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('are deleted with their character and come back with Undo', async () => {
    const { repos } = await seeded();
    const snapshot = await repos.characters.removeWithUndo('alice');
    expect(await repos.evalRuns.list('alice')).toEqual([]);
    expect((await repos.evalRuns.list('bob')).map((r) => r.id)).toEqual(['r3']);
    await repos.characters.restore(snapshot!);
    expect((await repos.evalRuns.list('alice')).map((r) => r.id)).toEqual(['r2', 'r1']);
  });

  it('go into a backup (format 3) and come back with replace and merge restores', async () => {
    const source = await seeded();
    await source.repos.evalRuns.addResult('r1', result('q1', 'Hi there.'), 5);
    const { bytes, manifest } = await source.repos.backup.create(BACKUP_META);
    expect(manifest.version).toBe(3);
    expect(manifest.tables.evalRuns.rows).toBe(3);
    const replaced = await open();
    await replaced.repos.backup.restore(readBackup(bytes), 'replace');
    expect(await replaced.repos.evalRuns.list('alice')).toEqual(await source.repos.evalRuns.list('alice'));
    // Merge: the copy with more results (later updatedAt) wins; a run only here stays.
    const merged = await open();
    await merged.repos.characters.bulkPut([makeCharacter({ id: 'alice' })]);
    await merged.repos.evalRuns.put(run('r1', 'alice', { updatedAt: 2 }));
    await merged.repos.evalRuns.put(run('mine', 'alice', { createdAt: 0 }));
    await merged.repos.backup.restore(readBackup(bytes), 'merge');
    expect((await merged.repos.evalRuns.get('r1'))!.results.map((r) => r.reply)).toEqual(['Hi there.']);
    expect((await merged.repos.evalRuns.list('alice')).map((r) => r.id)).toEqual(['r2', 'r1', 'mine']);
  });

  it('a merge gives a run whose id is another character\'s here a fresh id, never overwriting that run', async () => {
    const source = await seeded();
    const { bytes } = await source.repos.backup.create(BACKUP_META);
    const here = await open();
    await here.repos.characters.bulkPut([makeCharacter({ id: 'carol' })]);
    await here.repos.evalRuns.put(run('r1', 'carol', { title: 'Carol\'s own', updatedAt: 99 }));
    await here.repos.backup.restore(readBackup(bytes), 'merge');
    expect((await here.repos.evalRuns.get('r1'))!.title).toBe('Carol\'s own');
    expect((await here.repos.evalRuns.list('alice')).map((r) => r.title)).toEqual(['Run', 'Run']);
  });

  it('a backup of format 2 (made before evaluation runs) still restores, with no runs', async () => {
    const source = await seeded();
    const files = unzipSync((await source.repos.backup.create(BACKUP_META)).bytes);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    delete manifest.tables.evalRuns;
    delete files['tables/evalRuns/0000.json'];
    files['manifest.json'] = strToU8(JSON.stringify({ ...manifest, version: 2 }));
    const target = await open();
    await target.repos.backup.restore(readBackup(zipSync(files)), 'replace');
    expect(await target.repos.evalRuns.list('alice')).toEqual([]);
    expect((await target.repos.characters.list()).map((c) => c.id)).toEqual(['alice', 'bob']);
  });
});
