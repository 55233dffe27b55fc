// import -> export -> import gives back every field, for every source shape and export format.

import { describe, expect, it } from 'vitest';
import {
  CARD_PRESERVED_KEY,
  cardJsonBytes,
  exportCardV2,
  exportCardV3,
  exportPngCard,
  type CardCharacter,
  type ParsedCard,
  type PreservedCard,
} from '../../../../src/core/cards/card';
import { exportCharx } from '../../../../src/core/cards/charx';
import { importCardFile, type ImportResult } from '../../../../src/core/cards/detect';
import { apng, cardChunk, png, richCharx, richV3, stMix } from './helpers';

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const V1 = {
  name: 'Old Bob <script>x()</script>',
  description: 'A farmer.',
  personality: 'grumpy',
  scenario: 'A farm.',
  first_mes: 'Get off my lawn.',
  mes_example: '<START>\n{{user}}: hi\n{{char}}: what',
  x_v1_unknown: 'kept',
};
const V2 = {
  spec: 'chara_card_v2',
  spec_version: '2.0',
  x_top: [1, 2],
  data: {
    name: '李白',
    description: '唐代诗人，字太白。',
    personality: '豪放',
    scenario: '长安酒肆',
    first_mes: '举杯邀明月，对影成三人。',
    mes_example: '',
    creator_notes: '',
    system_prompt: '',
    post_history_instructions: '',
    alternate_greetings: ['天生我材必有用。'],
    tags: ['诗人'],
    creator: '',
    character_version: '1',
    extensions: { 'st/x': { y: [true] } },
    x_data: 'kept',
    character_book: { entries: [{ keys: ['酒'], content: '他爱喝酒。', enabled: true, insertion_order: 1, extensions: { position: 4, role: 0 } }] },
  },
};

interface Source {
  label: string;
  name: string;
  bytes: () => Uint8Array;
  original?: Record<string, unknown>;
}

const SOURCES: Source[] = [
  { label: 'V1 JSON', name: 'bob.json', bytes: () => json(V1), original: V1 },
  { label: 'V2 JSON', name: 'libai.json', bytes: () => json(V2), original: V2 },
  { label: 'V3 JSON', name: 'aria.json', bytes: () => json(richV3()), original: richV3() },
  { label: 'SillyTavern mix', name: 'sera.json', bytes: () => json(stMix()), original: stMix() },
  { label: 'PNG (chara + ccv3)', name: 'aria.png', bytes: () => png(cardChunk('chara', stMix()), cardChunk('ccv3', richV3())) },
  { label: 'APNG (ccv3)', name: 'aria.png', bytes: () => apng(cardChunk('ccv3', richV3())) },
  { label: 'CHARX', name: 'aria.charx', bytes: richCharx },
];

type Exporter = (parsed: ParsedCard) => { name: string; bytes: Uint8Array };
const PNG_OR_PLACEHOLDER = (parsed: ParsedCard): Uint8Array | undefined =>
  parsed.avatar?.mime === 'image/png' ? parsed.avatar.bytes : undefined;

const EXPORTS: Record<string, Exporter> = {
  'V2 JSON': (p) => ({ name: 'out.json', bytes: cardJsonBytes(exportCardV2(p.character, { avatar: p.avatar })) }),
  'V3 JSON': (p) => ({ name: 'out.json', bytes: cardJsonBytes(exportCardV3(p.character, { avatar: p.avatar })) }),
  PNG: (p) => ({ name: 'out.png', bytes: exportPngCard(p.character, PNG_OR_PLACEHOLDER(p)) }),
  CHARX: (p) => ({ name: 'out.charx', bytes: exportCharx(p.character, p.avatar) }),
};

/** What must survive any format change: everything, except how asset bytes are addressed. */
function comparable(character: CardCharacter): unknown {
  const copy = structuredClone(character);
  const preserved = copy.extensions[CARD_PRESERVED_KEY] as PreservedCard;
  delete preserved.avatarAsset; // the icon's URI depends on the container
  delete preserved.files; // only CHARX can carry loose files
  // V3 makes group_only_greetings mandatory, so a V3 export of a V1/V2 card adds an empty one.
  if (Array.isArray(preserved.data.group_only_greetings) && preserved.data.group_only_greetings.length === 0) {
    delete preserved.data.group_only_greetings;
  }
  // Of the flat V1 copies only the values matter (they always equal the fields).
  preserved.flatKeys = [];
  copy.assets = copy.assets?.map((a) => (a.data ? { ...a, uri: '<bytes>' } : a));
  return copy;
}

function sameFormat(source: Source, exportName: string): boolean {
  return (source.label.includes('JSON') && exportName === `${source.label}`)
    || (source.label === 'SillyTavern mix' && exportName === 'V2 JSON')
    || (source.label === 'CHARX' && exportName === 'CHARX')
    || (source.label.startsWith('PNG') && exportName === 'PNG');
}

describe('round trips', () => {
  for (const source of SOURCES) {
    for (const [exportName, exporter] of Object.entries(EXPORTS)) {
      it(`${source.label} -> ${exportName} -> import keeps every field`, () => {
        const first = importCardFile(source.name, source.bytes());
        const out = exporter(first);
        const second: ImportResult = importCardFile(out.name, out.bytes);
        expect(second.warnings).toEqual([]);
        expect(comparable(second.character)).toEqual(comparable(first.character));
        if (sameFormat(source, exportName)) {
          // Within one format nothing at all changes, preserved bookkeeping included.
          expect(second.character).toEqual(first.character);
        }
        if (first.avatar && (exportName !== 'PNG' || first.avatar.mime === 'image/png')) {
          expect(second.avatar).toEqual(first.avatar);
        }
        // A second trip is a fixed point.
        const third = importCardFile(out.name, exporter(second).bytes);
        expect(third.character).toEqual(second.character);
      });
    }
  }

  for (const source of SOURCES.filter((s) => s.original)) {
    for (const exportName of ['V2 JSON', 'V3 JSON'] as const) {
      it(`${source.label} -> ${exportName}: every original key is written back, unknown ones verbatim`, () => {
        const original = source.original!;
        const parsed = importCardFile(source.name, source.bytes());
        const exported = (exportName === 'V2 JSON' ? exportCardV2 : exportCardV3)(parsed.character) as Record<string, unknown>;
        const data = exported.data as Record<string, unknown>;
        const origData = (original.data ?? {}) as Record<string, unknown>;
        for (const key of Object.keys(original)) {
          if (key === 'spec' || key === 'spec_version' || key === 'data') continue;
          expect(exported, `top-level ${key}`).toHaveProperty([key]);
          if (key.startsWith('x_') || ['avatar', 'chat', 'fav', 'talkativeness', 'create_date'].includes(key)) {
            expect(exported[key], key).toEqual(original[key]);
          }
        }
        for (const key of Object.keys(origData)) {
          expect(data, `data.${key}`).toHaveProperty([key]);
          if (key !== 'assets' && key !== 'extensions' && key !== 'character_book' && key !== 'personality' && key !== 'mes_example') {
            expect(data[key], `data.${key}`).toEqual(origData[key]);
          }
        }
        const origExt = (origData.extensions ?? {}) as Record<string, unknown>;
        for (const key of Object.keys(origExt)) expect((data.extensions as Record<string, unknown>)[key]).toEqual(origExt[key]);
        const origBook = origData.character_book as { entries: Array<Record<string, unknown>> } | undefined;
        if (origBook) {
          const book = data.character_book as { entries: Array<Record<string, unknown>> } & Record<string, unknown>;
          for (const key of Object.keys(origBook)) if (key !== 'entries') expect(book[key], `book.${key}`).toEqual((origBook as Record<string, unknown>)[key]);
          origBook.entries.forEach((entry, i) => {
            for (const key of Object.keys(entry)) expect(book.entries[i][key], `entry ${i} ${key}`).toEqual(entry[key]);
          });
        }
      });
    }
  }

  it('<script> in fields survives as literal text through every format', () => {
    for (const [, exporter] of Object.entries(EXPORTS)) {
      const first = importCardFile('a.json', json(richV3()));
      const second = importCardFile('x', exporter(first).bytes);
      expect(second.character.name).toBe('Aria <script>alert(1)</script>');
      expect(second.character.firstMessage).toContain('<script>alert("hi")</script>');
      expect(second.character.lorebook!.entries[0].content).toBe('@@depth 2\nThe forest is old.');
    }
  });

  it('edits made after import are what the next import sees', () => {
    const first = importCardFile('aria.charx', richCharx());
    const edited: CardCharacter = {
      ...first.character,
      description: 'Edited.',
      alternateGreetings: ['Only one now.'],
      shortDescription: 'A ranger',
      catchphrases: ['Onward!'],
      language: 'zh',
    };
    const second = importCardFile('x.charx', exportCharx(edited, first.avatar));
    expect(second.character).toMatchObject({ description: 'Edited.', alternateGreetings: ['Only one now.'], shortDescription: 'A ranger', catchphrases: ['Onward!'], language: 'zh' });
  });
});
