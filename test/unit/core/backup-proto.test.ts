// `__proto__`, `constructor` and `prototype` are ordinary keys in kept-verbatim JSON: the backup codec must carry them as data.
import { afterEach, describe, expect, it } from 'vitest';
import { BackupError, decodeValue, encodeValue, readBackup, writeBackup, type BackupRows } from '../../../src/core/backup';
import { unzipSync, zipSync } from 'fflate';
import { makeCharacter } from '../storage/helpers';

const META = { appVersion: '0.1.0', databaseVersion: 3, createdAt: Date.UTC(2026, 10, 22, 10, 0) };

/** JSON.parse keeps `__proto__` as an own key (an object literal would set the prototype instead). */
function hostileExtensions(): Record<string, unknown> {
  return JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "x", "prototype": {"__proto__": [1]}, "$t": "ArrayBuffer"}');
}

function empty(): BackupRows {
  return { characters: [], scenes: [], conversations: [], messages: [], memories: [], evalRuns: [], personas: [], lorebooks: [], settings: [] };
}

function expectOwnKeys(value: Record<string, unknown>): void {
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  expect(Object.hasOwn(value, '__proto__')).toBe(true);
  expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual(JSON.parse('{"polluted": 1}'));
  expect(Object.getOwnPropertyDescriptor(value, 'constructor')?.value).toBe('x');
  const prototype = Object.getOwnPropertyDescriptor(value, 'prototype')?.value as object;
  expect(Object.hasOwn(prototype, '__proto__')).toBe(true);
  expect(Object.getPrototypeOf(prototype)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(value, '$t')?.value).toBe('ArrayBuffer');
  expect((value as { polluted?: unknown }).polluted).toBeUndefined();
}

afterEach(() => {
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
});

describe('backup codec and prototype keys', () => {
  it('encode -> JSON -> decode keeps __proto__, constructor and prototype as own data keys', () => {
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue({ extensions: hostileExtensions() })))) as { extensions: Record<string, unknown> };
    expectOwnKeys(back.extensions);
  });

  it('a character whose extensions hold those keys comes back from a backup file with them intact', () => {
    const alice = makeCharacter({ id: 'alice', extensions: hostileExtensions() });
    const backup = readBackup(writeBackup({ ...empty(), characters: [alice] }, META).bytes);
    expectOwnKeys(backup.rows.characters[0].extensions);
    expect(Object.getPrototypeOf(backup.rows.characters[0])).toBe(Object.prototype);
  });

  it('a row whose id is only under __proto__ in the file has no id', () => {
    const bytes = writeBackup({ ...empty(), characters: [makeCharacter({ id: 'alice' })] }, META).bytes;
    const files = unzipSync(bytes);
    const part = Object.keys(files).find((name) => name.startsWith('tables/characters/'))!;
    const text = new TextDecoder().decode(files[part]);
    expect(text).toContain('"id":"alice"');
    files[part] = new TextEncoder().encode(text.replace('"id":"alice"', '"__proto__":{"id":"sneaky"}'));
    let error: unknown;
    try {
      readBackup(zipSync(files));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).message).toMatch(/characters/);
    expect((error as BackupError).message).toMatch(/\bid\b/);
  });
});
