import { describe, expect, it } from 'vitest';
import {
  backupFileName,
  DEFAULT_BACKUP_LIMITS,
  decodeValue,
  encodeValue,
  readBackup,
  writeBackup,
  type BackupRows,
} from '../../../src/core/backup';
import { unzipSync, zipSync } from 'fflate';
import { makeChain, makeCharacter, makeConversation, makePersona, makeScene } from '../storage/helpers';
import { backupRejection } from '../helpers/backup-rows';
import { declareHugePart } from '../helpers/hostile-backup';

const META = { appVersion: '0.1.0', databaseVersion: 3, createdAt: Date.UTC(2026, 10, 22, 10, 0) };

function roundTrip<T>(value: T): T {
  return decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as T;
}

function sampleRows(): BackupRows {
  const alice = makeCharacter({
    id: 'alice',
    name: 'Alice',
    extensions: { $t: 'not a tag', nested: { $t: 'ArrayBuffer', b64: 'AAAA' } },
    assets: [{ type: 'emotion', name: 'joy', ext: 'png', uri: 'embeded://joy.png', data: new Uint8Array([0, 1, 2, 250, 255]) }],
  });
  const conversation = makeConversation('alice', { id: 'k1', messageCount: 3 });
  return {
    characters: [alice],
    scenes: [makeScene('alice', { id: 's1', vectors: [{ model: 'bag', dim: 2, data: new Float32Array([NaN, -0.25]).buffer }] })],
    conversations: [conversation],
    messages: makeChain('k1', 3),
    memories: [],
    evalRuns: [],
    personas: [makePersona({ id: 'p1', name: 'Lin', isDefault: true })],
    lorebooks: [{ id: 'b1', characterId: 'alice', enabled: true, book: { extensions: {}, entries: [] }, createdAt: 1, updatedAt: 2 }],
    settings: [{ key: 'sampling', value: { temperature: 0.7, topP: 1, maxTokens: 64, repetitionPenalty: 1 } }, { key: 'ui.lang', value: 'zh' }],
  };
}

/** Rewrite a backup zip with one file changed (or removed with `null`). */
function tamper(bytes: Uint8Array, name: string, content: string | null): Uint8Array {
  const files = unzipSync(bytes);
  if (content === null) delete files[name];
  else files[name] = new TextEncoder().encode(content);
  return zipSync(files);
}

const rejection = backupRejection;

describe('backup values', () => {
  it('carries binary data bit for bit, dates, non-finite numbers and objects that look like tags', () => {
    const floats = new Float32Array([1.5, NaN, -Infinity]);
    const value = {
      buffer: floats.buffer,
      bytes: new Uint8Array([0, 128, 255]),
      view: new Uint8Array([9, 8, 7, 6]).subarray(1, 3),
      when: new Date(123456),
      numbers: [NaN, Infinity, -Infinity, 0.1],
      holes: [undefined, 1],
      tagged: { $t: 'ArrayBuffer', b64: 'not really' },
    };
    const back = roundTrip(value);
    expect(back.buffer).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(floats.buffer));
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect([...back.bytes]).toEqual([0, 128, 255]);
    expect([...back.view]).toEqual([8, 7]);
    expect(back.when.getTime()).toBe(123456);
    expect(back.numbers).toEqual([NaN, Infinity, -Infinity, 0.1]);
    expect(back.holes).toEqual([undefined, 1]);
    expect(back.tagged).toEqual({ $t: 'ArrayBuffer', b64: 'not really' });
  });

  it('refuses values a backup cannot carry, naming where they are', () => {
    const error = rejection(() => encodeValue({ value: new Map() }, 'settings[0]'));
    expect(error.reason).toBe('unsupported-value');
    expect(error.message).toContain('settings[0].value');
  });
});

describe('backup file', () => {
  it('reads back every table exactly, with counts, versions and binary data', () => {
    const rows = sampleRows();
    const { manifest, bytes } = writeBackup(rows, META);
    expect(manifest).toMatchObject({ format: 'hearth-backup', version: 3, appVersion: '0.1.0', databaseVersion: 3, createdAt: META.createdAt });
    expect(manifest.tables.messages.rows).toBe(3);
    const backup = readBackup(bytes);
    expect(backup.rows).toEqual(rows);
    expect(backup.rows.characters[0].assets?.[0].data).toBeInstanceOf(Uint8Array);
    expect([...new Uint8Array(backup.rows.scenes[0].vectors[0].data)]).toEqual([...new Uint8Array(rows.scenes[0].vectors[0].data)]);
    expect(backup.dataBytes).toBeGreaterThan(0);
  });

  it('splits a large table into parts and joins them again', () => {
    const big = 'x'.repeat(300_000);
    const rows = { ...sampleRows(), messages: makeChain('k1', 30).map((m) => ({ ...m, content: big })) };
    const { manifest, bytes } = writeBackup(rows, META);
    expect(manifest.tables.messages.parts.length).toBeGreaterThan(1);
    expect(readBackup(bytes).rows.messages).toEqual(rows.messages);
  });

  it('names the file after the day it was made', () => {
    expect(backupFileName(new Date(2026, 0, 5, 9, 7).getTime())).toBe('hearth-backup-2026-01-05-0907.zip');
  });
});

describe('rejected backups', () => {
  const good = () => writeBackup(sampleRows(), META).bytes;

  it('a file that is not a zip, or a zip that is not a backup', () => {
    expect(rejection(() => readBackup(new TextEncoder().encode('{"spec":"chara_card_v2"}'))).reason).toBe('not-a-backup');
    const card = zipSync({ 'card.json': new TextEncoder().encode('{}') });
    expect(rejection(() => readBackup(card)).reason).toBe('not-a-backup');
    const other = tamper(good(), 'manifest.json', JSON.stringify({ format: 'something-else', version: 1 }));
    expect(rejection(() => readBackup(other)).reason).toBe('not-a-backup');
  });

  it('a backup from a newer format version says which app made it', () => {
    const manifest = JSON.parse(new TextDecoder().decode(unzipSync(good())['manifest.json']));
    const newer = tamper(good(), 'manifest.json', JSON.stringify({ ...manifest, version: 4, appVersion: '9.0.0' }));
    const error = rejection(() => readBackup(newer));
    expect(error.reason).toBe('newer-version');
    expect(error.details).toMatchObject({ version: 4, appVersion: '9.0.0' });
  });

  it('a truncated file, a flipped byte, a missing part, a wrong row count, an orphan row', () => {
    const bytes = good();
    expect(rejection(() => readBackup(bytes.slice(0, Math.floor(bytes.length * 0.6)))).reason).toBe('damaged');

    // Flip one bit in the first entry's compressed data (manifest.json, right after its 43-byte
    // local header): inflating fails or the CRC check catches it.
    const flipped = bytes.slice();
    flipped[60] ^= 1;
    expect(rejection(() => readBackup(flipped)).reason).toBe('damaged');

    const part = Object.keys(unzipSync(bytes)).find((n) => n.startsWith('tables/messages/'))!;
    const missing = rejection(() => readBackup(tamper(bytes, part, null)));
    expect(missing.reason).toBe('damaged');
    expect(missing.message).toContain(part);

    const short = rejection(() => readBackup(tamper(bytes, part, '[]')));
    expect(short.message).toMatch(/messages table holds 0 rows, but the manifest says 3/);

    const rows = sampleRows();
    const orphan = writeBackup({ ...rows, messages: [...rows.messages, { ...rows.messages[0], id: 'lost', conversationId: 'gone' }] }, META).bytes;
    expect(rejection(() => readBackup(orphan)).message).toMatch(/messages row lost belongs to a conversation/);
  });

  it('a lorebook whose character is not in the backup comes back as a global book, and is counted', () => {
    const rows = sampleRows();
    const left = { id: 'b2', characterId: 'deleted-long-ago', enabled: true, book: { name: 'Left behind', extensions: {}, entries: [] }, createdAt: 1, updatedAt: 2 };
    const backup = readBackup(writeBackup({ ...rows, lorebooks: [...rows.lorebooks, left] }, META).bytes);
    expect(backup.detachedLorebooks).toBe(1);
    const { characterId: _gone, ...global } = left;
    expect(backup.rows.lorebooks).toEqual([rows.lorebooks[0], global]);
    expect(backup.manifest.version).toBe(3);
    expect(readBackup(good()).detachedLorebooks).toBe(0);
  });

  it('scenes and conversations whose character is missing still make the backup damaged', () => {
    const rows = sampleRows();
    const scene = writeBackup({ ...rows, scenes: [...rows.scenes, { ...rows.scenes[0], id: 's2', characterId: 'gone' }] }, META).bytes;
    expect(rejection(() => readBackup(scene)).message).toMatch(/scenes row s2 belongs to a character/);
    const chat = writeBackup({ ...rows, conversations: [...rows.conversations, { ...rows.conversations[0], id: 'k2', characterId: 'gone' }] }, META).bytes;
    expect(rejection(() => readBackup(chat)).message).toMatch(/conversations row k2 belongs to a character/);
  });

  it('an evaluation run whose character is missing makes the backup damaged', () => {
    const rows = sampleRows();
    const run = { id: 'r1', characterId: 'gone', title: 'Run', questions: [], configs: [], results: [], identityChoices: [], createdAt: 1, updatedAt: 1 };
    expect(rejection(() => readBackup(writeBackup({ ...rows, evalRuns: [run] }, META).bytes)).message).toMatch(/evalRuns row r1 belongs to a character/);
  });

  it('a format 2 backup (made before evaluation runs) reads with none; a format 3 one without the table is damaged', () => {
    const files = unzipSync(good());
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    delete manifest.tables.evalRuns;
    const older = tamper(good(), 'manifest.json', JSON.stringify({ ...manifest, version: 2 }));
    expect(readBackup(older).rows.evalRuns).toEqual([]);
    expect(rejection(() => readBackup(tamper(good(), 'manifest.json', JSON.stringify(manifest)))).message).toMatch(/evalRuns table/);
  });

  it('a part that declares a huge size is refused before inflating, naming the part and the limit', () => {
    const name = 'tables/characters/0000.json';
    const error = rejection(() => readBackup(declareHugePart(good(), name)));
    expect(error.reason).toBe('part-too-large');
    expect(error.details).toMatchObject({ part: name, size: '1812.0 MB', limit: '256.0 MB' });
  });

  it('a zip with more files than a backup may hold says it is the count, not the size', () => {
    const error = rejection(() => readBackup(good(), { ...DEFAULT_BACKUP_LIMITS, maxParts: 3 }));
    expect(error.reason).toBe('too-many-parts');
    expect(error.details.limit).toBe(3);
    expect(Number(error.details.count)).toBeGreaterThan(3);
  });

  it('a file over the size limit, before unpacking anything', () => {
    const error = rejection(() => readBackup(good(), { maxFileBytes: 100, maxUnpackedBytes: 1000 }));
    expect(error.reason).toBe('too-large');
  });
});
