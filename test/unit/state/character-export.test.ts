// import -> export (through the app's export helper) -> import keeps every field, for every format.

import { describe, expect, it } from 'vitest';
import {
  CARD_PRESERVED_KEY,
  encodeSolidPng,
  importCardFile,
  placeholderPng,
  readPngCard,
  readPngChunks,
  stripCardChunks,
  toDataUrl,
  type CardCharacter,
  type ParsedCard,
  type PreservedCard,
} from '../../../src/core/cards';
import { readTextChunk } from '../../../src/core/cards/png';
import { decodeHearthPack } from '../../../src/core/packs';
import type { Character, Scene } from '../../../src/core/types';
import { characterFromDraft, IMPORT_EXTENSION_KEY, scenesFromDraft } from '../../../src/core/import/records';
import { readImportFile } from '../../../src/core/import/read-file';
import { buildExport, EXPORT_FORMATS, exportFileName, type ExportDeps, type ExportFormat } from '../../../src/state/character-export';
import { CHARX_ICON, cardChunk, png, richCharx, richV3 } from '../core/cards/helpers';
import { makeCharacter, makeScene } from '../storage/helpers';

const SOURCES = [
  { label: 'PNG card', name: 'aria.png', bytes: () => png(cardChunk('ccv3', richV3())) },
  { label: 'V3 JSON', name: 'aria.json', bytes: () => new TextEncoder().encode(JSON.stringify(richV3())) },
  { label: 'CHARX', name: 'aria.charx', bytes: richCharx },
];

/** What the importer stores: the card's character with its avatar as a data: URL. */
function stored(parsed: ParsedCard): Character {
  return {
    ...parsed.character,
    avatar: parsed.avatar ? toDataUrl(parsed.avatar.bytes, parsed.avatar.mime) : '',
    id: crypto.randomUUID(),
    origin: 'import',
    createdAt: 1,
    updatedAt: 2,
  };
}

/** Everything must survive, except how asset bytes are addressed and what only CHARX can carry. */
function comparable(character: CardCharacter): unknown {
  const copy = structuredClone(character);
  const preserved = copy.extensions[CARD_PRESERVED_KEY] as PreservedCard;
  delete preserved.avatarAsset;
  delete preserved.files;
  preserved.flatKeys = [];
  copy.assets = copy.assets?.map((a) => (a.data ? { ...a, uri: '<bytes>' } : a));
  return copy;
}

const noCorpus: ExportDeps = { scenes: async () => [] };

describe('card exports through the export helper', () => {
  for (const source of SOURCES) {
    for (const format of ['png', 'v3', 'charx'] as const) {
      it(`${source.label} -> ${format} -> import keeps every field, unknown ones and extensions included`, async () => {
        const first = importCardFile(source.name, source.bytes());
        const file = await buildExport(stored(first), format, noCorpus);
        const second = importCardFile(file.name, file.bytes);
        expect(second.warnings).toEqual([]);
        expect(comparable(second.character)).toEqual(comparable(first.character));
        // Spot checks of what the app does not understand, so a failure reads plainly.
        const ext = second.character.extensions;
        expect(ext['agnai/voice']).toEqual({ id: 'v1' });
        expect(ext.risuai).toEqual({ customScripts: [{ in: 'a', out: 'b' }] });
        const preserved = ext[CARD_PRESERVED_KEY] as PreservedCard;
        expect(preserved.top.x_top_level_unknown).toEqual({ keep: ['me', 1, true, null] });
        expect(preserved.data.x_unknown_data_field).toEqual({ nested: { deep: [1, 2, 3] } });
        expect(preserved.data.group_only_greetings).toEqual(['Hello, everyone.']);
        expect(second.character.lorebook!.entries[0].extensions).toMatchObject({ probability: 80, group: 'g1' });
        if (first.avatar) expect(second.avatar).toEqual(first.avatar);
      });
    }
  }

  it('CHARX -> CHARX keeps the archive files no asset names', async () => {
    const first = importCardFile('aria.charx', richCharx());
    const second = importCardFile('x.charx', (await buildExport(stored(first), 'charx', noCorpus)).bytes);
    expect((second.character.extensions[CARD_PRESERVED_KEY] as PreservedCard).files).toEqual(
      (first.character.extensions[CARD_PRESERVED_KEY] as PreservedCard).files,
    );
  });

  it('the PNG card carries both a chara (V2) and a ccv3 (V3) chunk naming the character, over the avatar', async () => {
    const first = importCardFile('aria.charx', richCharx());
    const file = await buildExport(stored(first), 'png', noCorpus);
    expect(file).toMatchObject({ name: 'Aria _script_alert(1)_script_.png', mime: 'image/png' });
    const keywords = readPngChunks(file.bytes).filter((c) => c.type === 'tEXt').map((c) => readTextChunk(c.data)!.keyword);
    expect(keywords.sort()).toEqual(['ccv3', 'chara']);
    const card = readPngCard(file.bytes);
    expect(card.keyword).toBe('ccv3');
    expect((card.json as { data: { name: string } }).data.name).toBe('Aria <script>alert(1)</script>');
    expect(card.image).toEqual(CHARX_ICON);
    // The V2 chunk alone is a complete card too.
    const v2Only = importCardFile('v2.png', png(cardChunk('chara', JSON.parse(new TextDecoder().decode(
      Uint8Array.from(atob(readTextChunk(readPngChunks(file.bytes).find((c) => c.type === 'tEXt' && readTextChunk(c.data)!.keyword === 'chara')!.data)!.text), (ch) => ch.charCodeAt(0)),
    )))));
    expect(v2Only.character.name).toBe(first.character.name);
    expect(v2Only.character.alternateGreetings).toEqual(first.character.alternateGreetings);
  });

  it('an SVG avatar is rasterised for the PNG card; when that fails the card gets a placeholder', async () => {
    const character = stored(importCardFile('aria.json', new TextEncoder().encode(JSON.stringify(richV3()))));
    character.avatar = 'data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E';
    const drawn = encodeSolidPng(8, 8, [9, 9, 9, 255]);
    const asked: string[] = [];
    const rasterised = await buildExport(character, 'png', { ...noCorpus, rasterize: async (url) => (asked.push(url), drawn) });
    expect(asked).toEqual([character.avatar]);
    expect(stripCardChunks(rasterised.bytes)).toEqual(drawn);

    const failed = await buildExport(character, 'png', { ...noCorpus, rasterize: async () => { throw new Error('no canvas'); } });
    expect(stripCardChunks(failed.bytes)).toEqual(placeholderPng(character.name));
    const noRasteriser = await buildExport(character, 'png', noCorpus);
    expect(stripCardChunks(noRasteriser.bytes)).toEqual(placeholderPng(character.name));
    // JSON keeps the SVG itself as the main icon.
    const json = importCardFile('x.json', (await buildExport(character, 'v3', noCorpus)).bytes);
    expect(json.avatar?.mime).toBe('image/svg+xml');
  });
});

describe('through the app’s own importer', () => {
  /** As the importer stores it, minus its provenance record, what only CHARX addresses, and the avatar. */
  function storedComparable(character: CardCharacter): unknown {
    const copy = comparable(character) as CardCharacter;
    delete copy.extensions[IMPORT_EXTENSION_KEY];
    copy.avatar = '<checked on its own>';
    return copy;
  }

  for (const source of SOURCES) {
    for (const format of EXPORT_FORMATS) {
      it(`${source.label} -> stored -> ${format} -> stored keeps every field and the avatar`, async () => {
        const [draft] = readImportFile({ name: source.name, bytes: source.bytes() }).characters;
        const character = characterFromDraft(draft, source.name, 'first', 1);
        const scenes = scenesFromDraft(draft.scenes, character.id);
        const file = await buildExport(character, format, { scenes: async () => scenes });
        const [again] = readImportFile({ name: file.name, bytes: file.bytes }).characters;
        expect(again.kind).toBe(format === 'hearth' ? 'hearth-pack' : 'card');
        expect(storedComparable(again.character)).toEqual(storedComparable(draft.character));
        // Where and when this device imported the card stays on this device.
        expect(new TextDecoder().decode(file.bytes)).not.toContain(source.name);
        expect(again.character.extensions).not.toHaveProperty(IMPORT_EXTENSION_KEY);
        // A PNG card is an image: without an avatar it carries a placeholder, which comes back as one.
        const expectedAvatar = format === 'png' && !draft.character.avatar
          ? toDataUrl(placeholderPng(draft.character.name), 'image/png')
          : draft.character.avatar;
        expect(again.character.avatar).toBe(expectedAvatar);
      });
    }
  }
});

describe('Hearth pack export', () => {
  function corpus(characterId: string): Scene[] {
    return [
      makeScene(characterId, { title: '初遇', text: '阿莉亚:「你好」', lines: [{ speaker: '阿莉亚', text: '你好' }], tokens: 7, source: 'chatharuhi' }),
      makeScene(characterId, {
        title: 'Two models',
        text: 'Aria: Onward!',
        lines: [{ speaker: 'Aria', text: 'Onward!' }],
        tokens: 5,
        source: 'rolellm',
        vectors: [
          { model: 'bag', dim: 3, data: new Float32Array([0.1, -2.5, Math.PI]).buffer },
          { model: 'bge-small', dim: 2, data: new Float32Array([1e-20, -0]).buffer },
        ],
      }),
      // A knowledge passage (of a long wiki page) stays one: it goes to the prompt's knowledge section.
      // A generated scene keeps where it came from (question, prompt, model, date).
      makeScene(characterId, {
        title: 'Do you like rain?', text: 'User: Do you like rain?\nAria: Rain hides tracks.', tokens: 9, source: 'example',
        lines: [{ speaker: 'User', text: 'Do you like rain?' }, { speaker: 'Aria', text: 'Rain hides tracks.' }],
        generated: { jobId: 'job-1', kind: 'everyday', question: 'Do you like rain?', prompt: '[system]\nYou are Aria.', model: 'gguf:tiny', createdAt: 7 },
      }),
      makeScene(characterId, { title: 'Ranger wiki · 1/3', text: 'The rangers guard the north road.', lines: [{ speaker: '', text: 'The rangers guard the north road.' }], tokens: 8, source: 'chatharuhi', kind: 'knowledge' }),
    ];
  }

  it('carries the character, avatar, assets, lorebook, unknown extensions and the corpus with bit-exact vectors', async () => {
    const first = importCardFile('aria.charx', richCharx());
    const character = { ...stored(first), shortDescription: 'A ranger', catchphrases: ['Onward!'], language: 'zh' as const };
    const scenes = corpus(character.id);
    const file = await buildExport(character, 'hearth', { scenes: async () => scenes });
    expect(file.name).toBe('Aria _script_alert(1)_script_.hearth.json');
    const pack = decodeHearthPack(file.bytes);
    expect(pack.warnings).toEqual([]);
    const { id: _id, origin: _origin, createdAt: _c, updatedAt: _u, assets, ...fields } = character;
    expect(pack.character).toEqual(fields);
    expect(pack.avatar).toEqual({ mime: 'image/png', bytes: CHARX_ICON });
    expect(pack.assets).toEqual(assets);
    expect(pack.scenes).toHaveLength(4);
    expect(pack.scenes.map((s) => s.kind)).toEqual([undefined, undefined, undefined, 'knowledge']);
    expect(pack.scenes.map((s) => s.generated?.kind)).toEqual([undefined, undefined, 'everyday', undefined]);
    pack.scenes.forEach((scene, i) => {
      const { id: _sid, characterId: _cid, vectors, ...rest } = scenes[i];
      expect(scene).toMatchObject(rest);
      expect(scene.vectors.map((v) => ({ ...v, data: new Uint8Array(v.data) }))).toEqual(vectors.map((v) => ({ ...v, data: new Uint8Array(v.data) })));
    });

    // Importing the pack and exporting it again gives the same pack.
    const again = await buildExport(
      { ...pack.character, assets: pack.assets, id: 'other', origin: 'import', createdAt: 5, updatedAt: 5 },
      'hearth',
      { scenes: async () => pack.scenes.map((s, i) => ({ ...s, id: `s${i}`, characterId: 'other' })) },
    );
    const second = decodeHearthPack(again.bytes);
    expect({ ...second, exportedAt: undefined }).toEqual({ ...pack, exportedAt: undefined });
  });
});

describe('export file names', () => {
  it('keep letters of any script and replace what file systems refuse', () => {
    const cases: Array<[string, ExportFormat, string]> = [
      ['李白', 'png', '李白.png'],
      ['Aria / the "Ranger": v2?', 'v3', 'Aria _ the _Ranger_ v2_.card.json'],
      ['  ..hidden  ', 'charx', 'hidden.charx'],
      ['', 'hearth', 'character.hearth.json'],
      ['tab\there\u0000', 'png', 'tab_here_.png'],
    ];
    for (const [name, format, expected] of cases) expect(exportFileName(name, format)).toBe(expected);
  });
});

describe('a group', () => {
  it('is not exported as a card or pack in any format: the person is told to export its members', async () => {
    const group = makeCharacter({ id: 'g', name: 'Party', group: { members: ['a', 'b'], mode: 'natural' } });
    for (const format of EXPORT_FORMATS) {
      await expect(buildExport(group, format, { scenes: async () => [] }), format).rejects.toMatchObject({ code: 'group-not-a-card' });
    }
  });
});
