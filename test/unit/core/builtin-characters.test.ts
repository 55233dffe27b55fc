import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  characterFromPack,
  mergeBuiltinUpdate,
  validatePack,
  type BuiltinPack,
} from '../../../src/core/builtin-characters';
import { formatExampleDialogue, parseExampleDialogue } from '../../../src/core/example-dialogue';
import type { Character } from '../../../src/core/types';

const CHARACTERS_DIR = fileURLToPath(new URL('../../../characters', import.meta.url));

interface Shipped {
  slug: string;
  raw: unknown;
  pack: BuiltinPack;
  svgPath: string;
}

function loadShipped(): Shipped[] {
  return readdirSync(CHARACTERS_DIR)
    .filter((name) => statSync(join(CHARACTERS_DIR, name)).isDirectory())
    .sort()
    .map((slug) => {
      const raw: unknown = JSON.parse(readFileSync(join(CHARACTERS_DIR, slug, 'character.json'), 'utf8'));
      return { slug, raw, pack: raw as BuiltinPack, svgPath: join(CHARACTERS_DIR, slug, 'avatar.svg') };
    });
}

const shipped = loadShipped();

/** Every piece of text a person reads or the model is sent, minus the macros. */
function proseOf(pack: BuiltinPack): string {
  return [
    pack.name, pack.shortDescription, pack.description, pack.personality, pack.scenario,
    pack.firstMessage, ...pack.alternateGreetings, ...pack.catchphrases, pack.creatorNotes,
    ...pack.examples.flatMap((e) => [e.user, e.char]),
  ].join('\n').replace(/\{\{(user|char)\}\}/g, '');
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

const HAN = /\p{Script=Han}/gu;
const LATIN = /[A-Za-z]/g;

/**
 * Problems that would make an avatar unsafe or unrenderable: not a single well-formed <svg>
 * root, scripts, event handlers, external or javascript: links, foreignObject.
 */
function svgProblems(svg: string): string[] {
  const problems: string[] = [];
  if (/<script/i.test(svg)) problems.push('script');
  if (/\son[a-z]+\s*=/i.test(svg)) problems.push('event attribute');
  if (/href\s*=\s*["']\s*(https?:|javascript:|data:)/i.test(svg)) problems.push('external href');
  if (/javascript:/i.test(svg)) problems.push('javascript: url');
  if (/url\(\s*['"]?(?!#)/i.test(svg)) problems.push('external url()');
  if (/foreignObject/i.test(svg)) problems.push('foreignObject');
  if (/<!DOCTYPE|<!ENTITY/i.test(svg)) problems.push('doctype/entity');

  // Well-formedness: one root <svg>, balanced tags, quoted attributes, nothing outside the root.
  const body = svg.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?/, '').replace(/<!--[\s\S]*?-->/g, '');
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+\s*=\s*"[^"<]*")*)\s*(\/?)>/g;
  const stack: string[] = [];
  let pos = 0;
  let roots = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    const between = body.slice(pos, m.index);
    if (between.includes('<') || between.includes('>')) problems.push(`malformed markup near offset ${pos}`);
    if (stack.length === 0 && between.trim() !== '') problems.push('text outside the root element');
    const [, closing, name, , selfClosing] = m;
    if (stack.length === 0) {
      roots++;
      if (name !== 'svg' || closing) problems.push(`root element is <${closing}${name}>, not <svg>`);
    }
    if (closing) {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
    } else if (!selfClosing) {
      stack.push(name);
    }
    pos = tag.lastIndex;
  }
  const tail = body.slice(pos);
  if (tail.trim() !== '') problems.push('unparsed text after the root element');
  if (stack.length) problems.push(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  if (!/^<svg\b[^>]*\sxmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(body)) problems.push('no SVG namespace on the root');
  if (!/^<svg\b[^>]*\sviewBox="0 0 256 256"/.test(body)) problems.push('viewBox is not 0 0 256 256');
  return problems;
}

describe('shipped character packs', () => {
  it('ships at least six characters, at least two in English and two in Chinese', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(6);
    expect(shipped.filter((s) => s.pack.language === 'en').length).toBeGreaterThanOrEqual(2);
    expect(shipped.filter((s) => s.pack.language === 'zh').length).toBeGreaterThanOrEqual(2);
  });

  it('gives every character a distinct name', () => {
    const names = shipped.map((s) => s.pack.name);
    expect(new Set(names).size).toBe(names.length);
  });

  describe.each(shipped.map((s) => [s.slug, s] as const))('%s', (slug, s) => {
    it('is a valid pack whose id matches its folder', () => {
      expect(validatePack(s.raw)).toEqual([]);
      expect(s.pack.id).toBe(`builtin:${slug}`);
    });

    it('has at least 20 examples and 2 alternate greetings', () => {
      expect(s.pack.examples.length).toBeGreaterThanOrEqual(20);
      expect(s.pack.alternateGreetings.length).toBeGreaterThanOrEqual(2);
    });

    it('is written in its declared language', () => {
      const text = proseOf(s.pack);
      const han = (text.match(HAN) ?? []).length;
      const latin = (text.match(LATIN) ?? []).length;
      if (s.pack.language === 'zh') {
        expect(han).toBeGreaterThan(1000);
        expect(han / (han + latin)).toBeGreaterThan(0.95);
      } else {
        expect(han).toBe(0);
      }
    });

    it('uses only the {{user}} and {{char}} macros, spelled so the prompt builder replaces them', () => {
      const texts = stringsIn(s.raw);
      const macros = texts.flatMap((t) => t.match(/\{\{[^}]*\}\}/g) ?? []);
      expect(macros.filter((m) => m !== '{{user}}' && m !== '{{char}}')).toEqual([]);
      // Half-typed macros ({user}}, {{char}) would reach the person as raw braces.
      const broken = texts.filter((t) => /(^|[^{])\{\w+\}\}|\{\{\w+\}(?!\})/.test(t));
      expect(broken).toEqual([]);
    });

    it('closes every *action* so the chat does not render half a message in italics', () => {
      const texts = [s.pack.firstMessage, ...s.pack.alternateGreetings, ...s.pack.examples.map((e) => e.char)];
      const unbalanced = texts.filter((t) => (t.match(/\*/g) ?? []).length % 2 !== 0);
      expect(unbalanced).toEqual([]);
    });

    it('says its catchphrases in its examples', () => {
      const said = s.pack.examples.map((e) => e.char).join('\n');
      expect(s.pack.catchphrases.some((c) => said.includes(c))).toBe(true);
    });

    it('has a small, safe, well-formed avatar.svg', () => {
      expect(existsSync(s.svgPath)).toBe(true);
      const svg = readFileSync(s.svgPath, 'utf8');
      expect(Buffer.byteLength(svg)).toBeLessThan(4096);
      expect(svgProblems(svg)).toEqual([]);
    });

    it('becomes a character whose example dialogue reads back as the shipped examples', () => {
      const c = characterFromPack(s.pack, `/characters/${slug}/avatar.svg`, 1);
      expect(parseExampleDialogue(c.exampleDialogue)).toEqual(s.pack.examples);
    });
  });
});

describe('the avatar check itself', () => {
  const ok = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256"><rect width="256" height="256" fill="url(#g)"/></svg>';

  it('accepts a plain, well-formed SVG', () => {
    expect(svgProblems(ok)).toEqual([]);
  });

  it.each([
    ['a script', ok.replace('</svg>', '<script>alert(1)</script></svg>')],
    ['an event handler', ok.replace('<rect ', '<rect onload="alert(1)" ')],
    ['a remote link', ok.replace('</svg>', '<image href="http://evil.example/x.png"/></svg>')],
    ['a javascript: link', ok.replace('</svg>', '<a href="javascript:alert(1)"><rect/></a></svg>')],
    ['foreignObject', ok.replace('</svg>', '<foreignObject><div/></foreignObject></svg>')],
    ['an unclosed element', ok.replace('</svg>', '<g></svg>')],
    ['a non-svg root', '<html><body/></html>'],
    ['a remote url() paint', ok.replace('url(#g)', 'url(http://evil.example/#g)')],
  ])('rejects %s', (_, svg) => {
    expect(svgProblems(svg).length).toBeGreaterThan(0);
  });
});

function makePack(overrides: Partial<BuiltinPack> = {}): BuiltinPack {
  return {
    id: 'builtin:test-keeper',
    version: 1,
    language: 'en',
    name: 'Test Keeper',
    nickname: 'Keeper',
    shortDescription: 'Keeps a lighthouse in a test.',
    description: 'A keeper of lights.',
    personality: 'Gruff.',
    scenario: '{{user}} washes up at the lighthouse of {{char}}.',
    firstMessage: '*looks up* "You\'re awake."',
    alternateGreetings: ['"Morning."', '"Evening."'],
    catchphrases: ['Light\'s lit.'],
    tags: ['cozy', 'maritime'],
    creatorNotes: 'Be patient with her.',
    systemPrompt: '',
    postHistoryInstructions: '',
    creator: 'Hearth',
    characterVersion: '1.0',
    examples: Array.from({ length: 20 }, (_, i) => ({ user: `Question ${i}?`, char: `"Answer ${i}."\nLight's lit.` })),
    ...overrides,
  };
}

describe('characterFromPack', () => {
  it('makes a built-in character with the shipped fields, the given avatar and time', () => {
    const pack = makePack();
    const c = characterFromPack(pack, 'data:image/svg+xml,abc', 1234);
    expect(c).toMatchObject({
      id: 'builtin:test-keeper',
      origin: 'builtin',
      name: 'Test Keeper',
      nickname: 'Keeper',
      avatar: 'data:image/svg+xml,abc',
      shortDescription: 'Keeps a lighthouse in a test.',
      scenario: '{{user}} washes up at the lighthouse of {{char}}.',
      firstMessage: '*looks up* "You\'re awake."',
      alternateGreetings: ['"Morning."', '"Evening."'],
      catchphrases: ['Light\'s lit.'],
      tags: ['cozy', 'maritime'],
      language: 'en',
      creator: 'Hearth',
      characterVersion: '1.0',
      extensions: {},
      createdAt: 1234,
      updatedAt: 1234,
    });
    expect(c.exampleDialogue).toBe(formatExampleDialogue(pack.examples));
    expect(c.exampleDialogue.startsWith('<START>\n{{user}}: Question 0?\n{{char}}: "Answer 0."')).toBe(true);
    expect(c.builtin?.version).toBe(1);
  });

  it('records the shipped fields as the merge base, unaffected by later edits', () => {
    const c = characterFromPack(makePack(), 'a.svg', 1);
    const { id: _id, origin: _o, builtin, extensions: _e, createdAt: _c, updatedAt: _u, ...fields } = c;
    expect(builtin?.base).toEqual(fields);
    c.tags.push('edited');
    c.alternateGreetings[0] = 'changed';
    expect(c.builtin?.base.tags).toEqual(['cozy', 'maritime']);
    expect(c.builtin?.base.alternateGreetings[0]).toBe('"Morning."');
  });
});

describe('mergeBuiltinUpdate', () => {
  const v1 = makePack();
  const v2 = makePack({
    version: 2,
    description: 'A keeper of lights, and of secrets.',
    personality: 'Gruff, but fair.',
    tags: ['cozy', 'maritime', 'folklore'],
    alternateGreetings: ['"Morning."', '"Evening."', '"Storm\'s coming."'],
    characterVersion: '1.1',
  });

  function edited(c: Character, changes: Partial<Character>): Character {
    return { ...c, ...changes };
  }

  it('does nothing when the pack is the same version or older', () => {
    const c = characterFromPack(v2, 'a.svg', 1);
    expect(mergeBuiltinUpdate(c, v2, 'a.svg', 2)).toBeNull();
    expect(mergeBuiltinUpdate(c, v1, 'a.svg', 2)).toBeNull();
  });

  it('does nothing for a character no longer tied to its pack, or for another pack', () => {
    const c = characterFromPack(v1, 'a.svg', 1);
    const detached: Character = { ...c, origin: 'user', builtin: undefined };
    expect(mergeBuiltinUpdate(detached, v2, 'a.svg', 2)).toBeNull();
    expect(mergeBuiltinUpdate(c, { ...v2, id: 'builtin:someone-else' }, 'a.svg', 2)).toBeNull();
  });

  it('gives every field the person left alone the new shipped text', () => {
    const c = characterFromPack(v1, 'a.svg', 1);
    const merged = mergeBuiltinUpdate(c, v2, 'b.svg', 50);
    expect(merged).not.toBeNull();
    expect(merged!.description).toBe('A keeper of lights, and of secrets.');
    expect(merged!.personality).toBe('Gruff, but fair.');
    expect(merged!.tags).toEqual(['cozy', 'maritime', 'folklore']);
    expect(merged!.alternateGreetings).toHaveLength(3);
    expect(merged!.characterVersion).toBe('1.1');
    expect(merged!.avatar).toBe('b.svg');
  });

  it('keeps every field the person edited, including edited lists', () => {
    const c = edited(characterFromPack(v1, 'a.svg', 1), {
      description: 'My own take on her.',
      tags: ['mine'],
      avatar: 'data:image/png;base64,MYPICTURE',
    });
    const merged = mergeBuiltinUpdate(c, v2, 'b.svg', 50)!;
    expect(merged.description).toBe('My own take on her.');
    expect(merged.tags).toEqual(['mine']);
    expect(merged.avatar).toBe('data:image/png;base64,MYPICTURE');
    // Untouched fields still update beside the edited ones.
    expect(merged.personality).toBe('Gruff, but fair.');
  });

  it('treats a field edited and then changed back as unedited', () => {
    const c = edited(characterFromPack(v1, 'a.svg', 1), { tags: ['cozy', 'maritime'] });
    expect(c.tags).not.toBe(c.builtin!.base.tags);
    expect(mergeBuiltinUpdate(c, v2, 'a.svg', 50)!.tags).toEqual(['cozy', 'maritime', 'folklore']);
  });

  it('moves the merge base to the new version and keeps identity and history', () => {
    const c = edited(characterFromPack(v1, 'a.svg', 1), { extensions: { note: 'kept' } });
    const merged = mergeBuiltinUpdate(c, v2, 'a.svg', 50)!;
    expect(merged.builtin?.version).toBe(2);
    expect(merged.builtin?.base.description).toBe('A keeper of lights, and of secrets.');
    expect(merged.builtin?.base.tags).toEqual(['cozy', 'maritime', 'folklore']);
    expect(merged).toMatchObject({ id: c.id, origin: 'builtin', createdAt: 1, updatedAt: 50, extensions: { note: 'kept' } });
    // The stored character passed in is not changed.
    expect(c.description).toBe('A keeper of lights.');
    expect(c.builtin?.version).toBe(1);
  });

  it('keeps an edit through two updates while untouched fields follow each release', () => {
    const c = edited(characterFromPack(v1, 'a.svg', 1), { scenario: 'My scenario.' });
    const afterV2 = mergeBuiltinUpdate(c, v2, 'a.svg', 2)!;
    const v3 = makePack({ version: 3, scenario: 'Shipped scenario v3.', personality: 'Gruff, fair, tired.' });
    const afterV3 = mergeBuiltinUpdate(afterV2, v3, 'a.svg', 3)!;
    expect(afterV3.scenario).toBe('My scenario.');
    expect(afterV3.personality).toBe('Gruff, fair, tired.');
    expect(afterV3.builtin?.version).toBe(3);
  });

  it('updates the example dialogue when the person has not rewritten it', () => {
    const c = characterFromPack(v1, 'a.svg', 1);
    const examples = [...v1.examples, { user: 'New question?', char: '"New answer."' }];
    const merged = mergeBuiltinUpdate(c, makePack({ version: 2, examples }), 'a.svg', 2)!;
    expect(parseExampleDialogue(merged.exampleDialogue)).toEqual(examples);
  });
});

describe('validatePack', () => {
  it('accepts a complete pack', () => {
    expect(validatePack(makePack())).toEqual([]);
  });

  it('rejects something that is not an object', () => {
    expect(validatePack(null)).toHaveLength(1);
    expect(validatePack([makePack()])).toHaveLength(1);
    expect(validatePack('pack')).toHaveLength(1);
  });

  it('names each missing or mistyped field', () => {
    const { name: _name, ...noName } = makePack();
    expect(validatePack(noName)).toEqual([expect.stringContaining('name')]);
    expect(validatePack({ ...makePack(), version: '1' })).toEqual([expect.stringContaining('version')]);
    expect(validatePack({ ...makePack(), language: 'fr' })).toEqual([expect.stringContaining('language')]);
    expect(validatePack({ ...makePack(), tags: 'cozy' })).toEqual([expect.stringContaining('tags')]);
    expect(validatePack({ ...makePack(), id: 'keeper' })).toEqual([expect.stringContaining('id')]);
    expect(validatePack({ ...makePack(), description: '  ' })).toEqual([expect.stringContaining('description')]);
  });

  it('asks for at least 20 examples and 2 alternate greetings', () => {
    const few = makePack({ examples: makePack().examples.slice(0, 19), alternateGreetings: ['"Hi."'] });
    const problems = validatePack(few);
    expect(problems).toHaveLength(2);
    expect(problems.some((p) => p.startsWith('examples') && p.includes('19'))).toBe(true);
    expect(problems.some((p) => p.startsWith('alternateGreetings'))).toBe(true);
  });

  it('points at a broken example by its index', () => {
    const examples: unknown[] = [...makePack().examples];
    examples[3] = { user: 'Only a question' };
    examples[5] = { user: 'Q', char: '   ' };
    const problems = validatePack({ ...makePack(), examples });
    expect(problems).toEqual([expect.stringContaining('examples[3]'), expect.stringContaining('examples[5]')]);
  });

  it('keeps the gallery tagline to one line of 60 characters', () => {
    expect(validatePack(makePack({ shortDescription: 'x'.repeat(61) }))).toEqual([expect.stringContaining('shortDescription')]);
    expect(validatePack(makePack({ shortDescription: '字'.repeat(60) }))).toEqual([]);
    expect(validatePack(makePack({ shortDescription: 'Two\nlines' }))).toEqual([expect.stringContaining('single line')]);
  });
});
