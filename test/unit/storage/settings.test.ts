import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppDatabase } from '../../../src/storage/db';
import { SettingsRepository } from '../../../src/storage/settings';
import { DEFAULT_SAMPLING, type SamplingSettings } from '../../../src/core/types';
import { freshDb } from './helpers';

let db: AppDatabase;
let repo: SettingsRepository;
beforeEach(async () => {
  db = await freshDb();
  repo = new SettingsRepository(db);
});
afterEach(async () => {
  await db.delete();
});

describe('SettingsRepository', () => {
  it('returns the fallback for a key never set', async () => {
    expect(await repo.get('theme', 'system')).toBe('system');
    expect(await repo.get<SamplingSettings>('sampling', DEFAULT_SAMPLING)).toBe(DEFAULT_SAMPLING);
  });

  it('set then get round-trips plain values of any shape', async () => {
    const sampling: SamplingSettings = { ...DEFAULT_SAMPLING, temperature: 0.2, seed: 7 };
    await repo.set('sampling', sampling);
    await repo.set('zero', 0);
    await repo.set('off', false);
    await repo.set('nothing', null);
    await repo.set('list', ['a', 'b']);
    expect(await repo.get('sampling', DEFAULT_SAMPLING)).toEqual(sampling);
    // Falsy stored values are values, not "missing".
    expect(await repo.get('zero', 5)).toBe(0);
    expect(await repo.get('off', true)).toBe(false);
    expect(await repo.get<string | null>('nothing', 'x')).toBeNull();
    expect(await repo.get<string[]>('list', [])).toEqual(['a', 'b']);
    await repo.set('zero', 1);
    expect(await repo.get('zero', 5)).toBe(1);
  });

  it('remove brings the fallback back', async () => {
    await repo.set('theme', 'dark');
    await repo.remove('theme');
    expect(await repo.get('theme', 'light')).toBe('light');
    await repo.remove('never-set');
  });

  it('update changes a value in one transaction, so overlapping updates all land', async () => {
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => repo.update<string[]>('removed', [], (ids) => [...ids, id])));
    expect((await repo.get<string[]>('removed', [])).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(await repo.update('count', 0, (n) => n + 1)).toBe(1);
    expect(await repo.get('count', 0)).toBe(1);
  });
});
