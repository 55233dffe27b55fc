// Huge fields: a card under the file size limit can hold a multi-megabyte description or a
// megabyte-long name. Import cuts each to its cap with a warning naming it; the app keeps and
// shows only the cut text, and every export format writes the full original back.
import { describe, expect, it } from 'vitest';
import { importCardFile } from '../../../../src/core/cards/detect';
import { readBackup, writeBackup } from '../../../../src/core/backup';
import { LIST_ITEMS_CAP, LONG_FIELD_CAP, SHORT_FIELD_CAP, UNCAPPED_EXTENSION_KEY } from '../../../../src/core/import/field-caps';
import { characterFromDraft } from '../../../../src/core/import/records';
import { readImportFile } from '../../../../src/core/import/read-file';
import { decodeHearthPack } from '../../../../src/core/packs/hearth-pack';
import type { Character } from '../../../../src/core/types';
import { buildExport, EXPORT_FORMATS, type ExportFile } from '../../../../src/state/character-export';
import type { Repositories } from '../../../../src/storage';
import { freshRepositoriesEachTest } from '../../storage/helpers';

const hugeDescription = 'She keeps the lighthouse and counts the ships. '.repeat(70_000); // 3.3 MB
const hugeName = `Wren${'n'.repeat(1_000_000)}`; // one line, 1 MB
const hugeGreeting = `The lamp flickers.\n\n${'Rain on the glass. '.repeat(10_000)}`;

function cardBytes(): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: {
      name: hugeName, description: hugeDescription, personality: 'calm', scenario: '', first_mes: 'Hello.',
      mes_example: '', creator_notes: '', system_prompt: '', post_history_instructions: '',
      alternate_greetings: ['Short one.', hugeGreeting], tags: ['sea'], creator: 'me', character_version: '1', extensions: { 'st/x': 1 },
    },
  }));
}

function importHuge() {
  const read = readImportFile({ name: 'wren.json', bytes: cardBytes() });
  expect(read.characters).toHaveLength(1);
  return read.characters[0];
}

/** The fields as the exported file has them (read back without the app's caps). */
function exportedFields(file: ExportFile): { name: string; description: string; alternateGreetings: string[]; extensions: Record<string, unknown> } {
  if (file.name.endsWith('.hearth.json')) return decodeHearthPack(file.bytes).character;
  return importCardFile(file.name, file.bytes).character;
}

describe('field caps at import', () => {
  it('cuts each over-long field with a warning naming it, and keeps normal fields as they are', { timeout: 60_000 }, () => {
    const draft = importHuge();
    const c = draft.character;
    expect(c.description.length).toBeLessThanOrEqual(LONG_FIELD_CAP);
    expect(c.description.length).toBeGreaterThan(LONG_FIELD_CAP / 2);
    expect(hugeDescription.startsWith(c.description)).toBe(true);
    expect(c.name.length).toBeLessThanOrEqual(SHORT_FIELD_CAP);
    expect(c.name.startsWith('Wren')).toBe(true);
    expect(c.alternateGreetings[0]).toBe('Short one.');
    expect(c.alternateGreetings[1].length).toBeLessThanOrEqual(LONG_FIELD_CAP);
    expect(c.personality).toBe('calm');
    expect(c.extensions['st/x']).toBe(1);
    expect(draft.warnings).toEqual([
      expect.stringMatching(/^The name is 1,000,004 characters long; the first [\d,]+ are used and shown \(the full text is kept for export\)\.$/),
      expect.stringMatching(/^The description is 3,290,000 characters long; the first [\d,]+ are used/),
      expect.stringMatching(/^The alternate greeting #2 is 190,020 characters long; the first [\d,]+ are used/),
    ]);
  });

  it('leaves a card of ordinary size untouched, with no warning', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ name: 'Bob', description: 'x'.repeat(50_000), first_mes: 'Hi' }));
    const draft = readImportFile({ name: 'bob.json', bytes }).characters[0];
    expect(draft.character.description).toHaveLength(50_000);
    expect(draft.warnings).toEqual([]);
    expect(Object.hasOwn(draft.character.extensions, UNCAPPED_EXTENSION_KEY)).toBe(false);
  });

  it('keeps at most as many greetings as a backup holds, the rest kept for export, so its backup restores', { timeout: 60_000 }, async () => {
    const greetings = Array.from({ length: LIST_ITEMS_CAP + 5 }, (_, i) => `Greeting ${i + 1}`);
    const bytes = new TextEncoder().encode(JSON.stringify({ spec: 'chara_card_v2', data: { name: 'Many', description: 'd', first_mes: 'Hi', alternate_greetings: greetings } }));
    const draft = readImportFile({ name: 'many.json', bytes }).characters[0];
    expect(draft.character.alternateGreetings).toEqual(greetings.slice(0, LIST_ITEMS_CAP));
    expect(draft.warnings).toEqual([`The character has ${(LIST_ITEMS_CAP + 5).toLocaleString('en')} alternate greetings; the first ${LIST_ITEMS_CAP.toLocaleString('en')} are used and shown (the rest are kept for export).`]);
    const stored = characterFromDraft(draft, 'many.json', 'many', 1);
    const backup = readBackup(writeBackup({ characters: [stored], scenes: [], conversations: [], messages: [], personas: [], lorebooks: [], settings: [] }, { appVersion: '0.1.0', databaseVersion: 3, createdAt: 1 }).bytes);
    const restored = backup.rows.characters[0];
    expect(restored.alternateGreetings).toHaveLength(LIST_ITEMS_CAP);
    expect(exportedFields(await buildExport(restored, 'v3', { scenes: async () => [] })).alternateGreetings).toEqual(greetings);
  });

  it('drops a kept-text block that came inside the file, so it cannot change what export writes', async () => {
    const planted = { [UNCAPPED_EXTENSION_KEY]: { texts: { description: [{ shown: 5, full: 'Short and then something planted.' }] } }, keep: true };
    const bytes = new TextEncoder().encode(JSON.stringify({ spec: 'chara_card_v2', data: { name: 'Bob', description: 'Short', first_mes: 'Hi', extensions: planted } }));
    const draft = readImportFile({ name: 'bob.json', bytes }).characters[0];
    expect(Object.hasOwn(draft.character.extensions, UNCAPPED_EXTENSION_KEY)).toBe(false);
    expect(draft.character.extensions.keep).toBe(true);
    const stored = characterFromDraft(draft, 'bob.json', 'bob', 1);
    expect(exportedFields(await buildExport(stored, 'v3', { scenes: async () => [] })).description).toBe('Short');
  });
});

describe('export of a capped character writes the full original', () => {
  let repos: Repositories;
  freshRepositoriesEachTest((fresh) => {
    repos = fresh.repos;
  });

  async function storedHuge(): Promise<Character> {
    await repos.characters.put(characterFromDraft(importHuge(), 'wren.json', 'wren', 1));
    return (await repos.characters.get('wren'))!;
  }

  for (const format of EXPORT_FORMATS) {
    // Megabytes through every codec: room for a loaded machine.
    it(`as ${format}: every capped field comes out whole, and the kept copy is not in the file`, { timeout: 60_000 }, async () => {
      const stored = await storedHuge();
      expect(stored.description.length).toBeLessThanOrEqual(LONG_FIELD_CAP);
      const out = exportedFields(await buildExport(stored, format, { scenes: async () => [] }));
      expect(out.description).toBe(hugeDescription);
      expect(out.name).toBe(hugeName);
      expect(out.alternateGreetings).toEqual(['Short one.', hugeGreeting]);
      expect(Object.hasOwn(out.extensions, UNCAPPED_EXTENSION_KEY)).toBe(false);
      expect(out.extensions['st/x']).toBe(1);
    });
  }

  it('a field edited after import exports as edited; the untouched ones still whole, in any greeting order', { timeout: 60_000 }, async () => {
    const stored = await storedHuge();
    const edited: Character = { ...stored, description: 'Rewritten by hand.', alternateGreetings: [stored.alternateGreetings[1], 'Short one.'] };
    const out = exportedFields(await buildExport(edited, 'v3', { scenes: async () => [] }));
    expect(out.description).toBe('Rewritten by hand.');
    expect(out.name).toBe(hugeName);
    expect(out.alternateGreetings).toEqual([hugeGreeting, 'Short one.']);
  });
});
