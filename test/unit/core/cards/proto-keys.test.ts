// A card's kept-verbatim JSON may hold `__proto__` as an ordinary key (JSON.parse makes it an own
// key). Every export format must carry it through a round trip as data, and nothing may end up
// with a changed prototype.
import { afterEach, describe, expect, it } from 'vitest';
import { CARD_PRESERVED_KEY, cardJsonBytes, exportCardV2, exportCardV3, exportPngCard, type PreservedCard } from '../../../../src/core/cards/card';
import { exportCharx } from '../../../../src/core/cards/charx';
import { readImportFile, type SourceFile } from '../../../../src/core/import/read-file';
import { encodeHearthPack } from '../../../../src/core/packs/hearth-pack';
import { characterFromDraft } from '../../../../src/core/import/records';
import { buildExport, EXPORT_FORMATS } from '../../../../src/state/character-export';
import { freshRepositoriesEachTest } from '../../storage/helpers';
import type { Repositories } from '../../../../src/storage';
import type { CardCharacter } from '../../../../src/core/cards/card';

const CARD_TEXT = `{
  "spec": "chara_card_v3", "spec_version": "3.0",
  "__proto__": {"topPolluted": 1},
  "data": {
    "name": "Proto", "description": "d", "personality": "", "scenario": "", "first_mes": "hi",
    "mes_example": "", "creator_notes": "", "system_prompt": "", "post_history_instructions": "",
    "alternate_greetings": [], "tags": [], "creator": "", "character_version": "",
    "__proto__": {"dataPolluted": 1},
    "extensions": {"__proto__": {"extPolluted": 1}, "tool": {"__proto__": {"deep": [1]}}}
  }
}`;

function own(value: unknown, key: string): unknown {
  return Object.getOwnPropertyDescriptor(value as object, key)?.value;
}

/** The key is an own data property holding the original object, and the prototype is untouched. */
function expectProtoKey(value: unknown, expected: unknown): void {
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
  expect(own(value, '__proto__')).toEqual(expected);
}

function expectCharacterKeys(character: CardCharacter): void {
  expectProtoKey(character.extensions, JSON.parse('{"extPolluted": 1}'));
  expectProtoKey(own(character.extensions, 'tool'), JSON.parse('{"deep": [1]}'));
  const preserved = character.extensions[CARD_PRESERVED_KEY] as PreservedCard;
  expectProtoKey(preserved.top, JSON.parse('{"topPolluted": 1}'));
  expectProtoKey(preserved.data, JSON.parse('{"dataPolluted": 1}'));
  for (const name of ['extPolluted', 'deep', 'topPolluted', 'dataPolluted']) {
    expect(name in character.extensions).toBe(false);
  }
}

function importOne(file: SourceFile): CardCharacter {
  const read = readImportFile(file);
  expect(read.characters).toHaveLength(1);
  return read.characters[0].character;
}

const original = (): CardCharacter => importOne({ name: 'proto.json', bytes: new TextEncoder().encode(CARD_TEXT) });

afterEach(() => {
  const probe = {} as Record<string, unknown>;
  for (const name of ['extPolluted', 'deep', 'topPolluted', 'dataPolluted']) expect(probe[name]).toBeUndefined();
});

describe('__proto__ keys in a card survive every export format', () => {
  it('are read as own keys from a JSON card', () => {
    expectCharacterKeys(original());
  });

  const formats: Array<[string, (c: CardCharacter) => SourceFile]> = [
    ['V3 JSON', (c) => ({ name: 'p.card.json', bytes: cardJsonBytes(exportCardV3(c)) })],
    ['V2 JSON', (c) => ({ name: 'p.json', bytes: cardJsonBytes(exportCardV2(c)) })],
    ['PNG', (c) => ({ name: 'p.png', bytes: exportPngCard(c) })],
    ['CHARX', (c) => ({ name: 'p.charx', bytes: exportCharx(c) })],
    ['Hearth pack', (c) => ({ name: 'p.hearth.json', bytes: new TextEncoder().encode(encodeHearthPack({ character: { ...c, avatar: '' }, assets: [], scenes: [] })) })],
  ];
  for (const [label, exportAs] of formats) {
    it(`come back intact after export as ${label} and import`, () => {
      const again = importOne(exportAs(original()));
      expectCharacterKeys(again);
      // and once more: the second generation is the same as the first
      expectCharacterKeys(importOne(exportAs(again)));
    });
  }
});

describe('__proto__ keys in a stored character survive the app\'s export', () => {
  let repos: Repositories;
  freshRepositoriesEachTest((fresh) => {
    repos = fresh.repos;
  });

  for (const format of EXPORT_FORMATS) {
    it(`import -> IndexedDB -> ${format} export -> import keeps them`, async () => {
      const draft = readImportFile({ name: 'proto.json', bytes: new TextEncoder().encode(CARD_TEXT) }).characters[0];
      await repos.characters.put(characterFromDraft(draft, 'proto.json', 'proto', 1));
      const stored = (await repos.characters.get('proto'))!;
      expectCharacterKeys(stored);
      const file = await buildExport(stored, format, { scenes: async () => [] });
      expectCharacterKeys(importOne({ name: file.name, bytes: file.bytes }));
    });
  }
});
