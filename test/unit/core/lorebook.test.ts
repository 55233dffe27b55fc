import { describe, expect, it } from 'vitest';
import { compileKey, DEFAULT_SCAN_DEPTH, hasNestedQuantifier, matchLorebook, stripDecorators } from '../../../src/core/lorebook';
import type { ChatTurn, Lorebook, LorebookEntry } from '../../../src/core/types';

let nextId = 0;
function entry(overrides: Partial<LorebookEntry> = {}): LorebookEntry {
  const id = nextId++;
  return {
    id,
    keys: [],
    secondaryKeys: [],
    content: `Lore ${id}.`,
    enabled: true,
    insertionOrder: 100,
    extensions: {},
    ...overrides,
  };
}

function book(entries: LorebookEntry[], overrides: Partial<Lorebook> = {}): Lorebook {
  return { extensions: {}, entries, ...overrides };
}

const user = (content: string): ChatTurn => ({ role: 'user', content });
const assistant = (content: string): ChatTurn => ({ role: 'assistant', content });

/** One token per character keeps budget arithmetic readable. */
const chars = (text: string) => text.length;

function match(b: Lorebook, recent: ChatTurn[], options: Partial<Parameters<typeof matchLorebook>[2]> = {}) {
  return matchLorebook(b, recent, { tokenBudget: 10_000, countTokens: chars, ...options });
}

const ids = (result: ReturnType<typeof matchLorebook>) => result.entries.map((m) => m.entry.id);

describe('matchLorebook: keys', () => {
  it('matches plain keys case-insensitively, and case-sensitively when the entry says so', () => {
    const loose = entry({ keys: ['haruhi'] });
    const strict = entry({ keys: ['haruhi'], caseSensitive: true });
    const result = match(book([loose, strict]), [user('Where is HARUHI today?')]);
    expect(ids(result)).toEqual([loose.id]);
    expect(result.entries[0]).toMatchObject({ reason: 'key', matchedKeys: ['haruhi'], content: `Lore ${loose.id}.` });
    expect(ids(match(book([strict]), [user('Where is haruhi today?')]))).toEqual([strict.id]);
  });

  it('matches Latin keys as whole words only', () => {
    const kyon = entry({ keys: ['Kyon'] });
    expect(ids(match(book([kyon]), [user('Kyonko is his sister.')]))).toEqual([]);
    expect(ids(match(book([kyon]), [user('That is Kyon’s bike, and Kyon-kun likes it.')]))).toEqual([kyon.id]);
    expect(ids(match(book([kyon]), [user('(kyon)')]))).toEqual([kyon.id]);
    // Digits are word characters too: "R2" is not in "R2D2".
    expect(ids(match(book([entry({ keys: ['R2'] })]), [user('R2D2 beeps')]))).toEqual([]);
    // Multi-word keys and keys starting or ending with punctuation.
    const sos = entry({ keys: ['SOS Brigade'] });
    const hash = entry({ keys: ['#rules'] });
    expect(ids(match(book([sos, hash]), [user('the sos brigade posted #rules today')]))).toEqual([sos.id, hash.id]);
  });

  it('matches CJK keys as substrings, and Latin keys next to CJK text', () => {
    const haruhi = entry({ keys: ['春日'] });
    const ascii = entry({ keys: ['Haruhi'] });
    const kana = entry({ keys: ['ハルヒ'] });
    const result = match(book([haruhi, ascii, kana]), [user('涼宮春日は来ない。涼宮Haruhiだ。涼宮ハルヒの憂鬱')]);
    expect(ids(result)).toEqual([haruhi.id, ascii.id, kana.id]);
  });

  it('can match substrings when SillyTavern match_whole_words is off', () => {
    const e = entry({ keys: ['Kyon'], extensions: { match_whole_words: false } });
    expect(ids(match(book([e]), [user('Kyonko is here')]))).toEqual([e.id]);
  });

  it('ignores empty and blank keys', () => {
    const e = entry({ keys: ['', '   '] });
    expect(ids(match(book([e]), [user('anything at all')]))).toEqual([]);
  });

  it('treats every key as a regex with useRegex, case-insensitive unless case-sensitive', () => {
    const e = entry({ keys: ['time ?travel(l?er)?s?'], useRegex: true });
    const strict = entry({ keys: ['^Mikuru'], useRegex: true, caseSensitive: true });
    const result = match(book([e, strict]), [user('A TIME TRAVELLER? mikuru')]);
    expect(ids(result)).toEqual([e.id]);
    expect(result.entries[0].matchedKeys).toEqual(['time ?travel(l?er)?s?']);
    expect(ids(match(book([strict]), [user('Mikuru arrives')]))).toEqual([strict.id]);
  });

  it('reads /pattern/flags keys as regexes even without useRegex, using the flags as written', () => {
    const insensitive = entry({ keys: ['/esp(er)?s?/i'] });
    const sensitive = entry({ keys: ['/Esper/'] });
    expect(ids(match(book([insensitive, sensitive]), [user('ESPERS everywhere')]))).toEqual([insensitive.id]);
    // With g or y a RegExp remembers lastIndex between tests; they are dropped, so results are stable.
    const global = entry({ keys: ['/alien/g'] });
    const b = book([global]);
    for (let i = 0; i < 3; i++) expect(ids(match(b, [user('an alien')]))).toEqual([global.id]);
  });

  it('never throws on invalid or dangerous regexes: they never match and are reported', () => {
    const broken = entry({ keys: ['/([a-z/', 'fine'] });
    const unsafe = entry({ keys: ['(a+)+$'], useRegex: true });
    const badFlags = entry({ keys: ['/x/q'] });
    const long = entry({ keys: ['a'.repeat(1001)], useRegex: true });
    const result = match(book([broken, unsafe, badFlags, long]), [user('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! fine x')]);
    expect(ids(result)).toEqual([broken.id]);
    expect(result.entries[0].matchedKeys).toEqual(['fine']);
    expect(result.warnings.map((w) => [w.entry.id, w.problem])).toEqual([
      [broken.id, 'invalid-regex'],
      [unsafe.id, 'unsafe-regex'],
      [badFlags.id, 'invalid-regex'],
      [long.id, 'unsafe-regex'],
    ]);
  });

  it('spots nested quantifiers without being fooled by escapes and classes', () => {
    expect(hasNestedQuantifier('(a+)+')).toBe(true);
    expect(hasNestedQuantifier('(\\w+\\s?)*')).toBe(true);
    expect(hasNestedQuantifier('(x*){2,}')).toBe(true);
    expect(hasNestedQuantifier('((ab)+c)+')).toBe(true);
    expect(hasNestedQuantifier('(foo|bar)+')).toBe(false);
    expect(hasNestedQuantifier('(a+)?b')).toBe(false);
    expect(hasNestedQuantifier('\\(a+\\)+')).toBe(false);
    expect(hasNestedQuantifier('[(a+)]+')).toBe(false);
    expect(hasNestedQuantifier('(a{2})+')).toBe(false);
    expect(typeof compileKey('(a|b)+c', false, true)).toBe('function');
  });
});

describe('matchLorebook: secondary keys and selective logic', () => {
  const sel = (logic: LorebookEntry['selectiveLogic'], secondary = ['sword', 'shield']) =>
    entry({ keys: ['knight'], secondaryKeys: secondary, selective: true, selectiveLogic: logic });

  it.each([
    ['and-any', 'the knight and his sword', true],
    ['and-any', 'the knight alone', false],
    ['and-all', 'the knight, sword and shield', true],
    ['and-all', 'the knight and his sword', false],
    ['not-any', 'the knight alone', true],
    ['not-any', 'the knight and his shield', false],
    ['not-all', 'the knight and his sword', true],
    ['not-all', 'the knight, sword and shield', false],
  ] as const)('%s on "%s" -> %s', (logic, text, expected) => {
    const e = sel(logic);
    const result = match(book([e]), [user(text)]);
    expect(ids(result)).toEqual(expected ? [e.id] : []);
    if (!expected) expect(result.skipped).toEqual([{ entry: e, reason: 'secondary', matchedKeys: ['knight'] }]);
  });

  it('defaults to and-any and reports the secondary keys that satisfied it', () => {
    const e = sel(undefined);
    expect(match(book([e]), [user('knight with a SHIELD')]).entries[0].matchedKeys).toEqual(['knight', 'shield']);
  });

  it('ignores secondary keys when the entry is not selective, or has none', () => {
    const notSelective = entry({ keys: ['knight'], secondaryKeys: ['sword'], selective: false });
    const noSecondary = entry({ keys: ['knight'], secondaryKeys: [' '], selective: true, selectiveLogic: 'and-all' });
    expect(ids(match(book([notSelective, noSecondary]), [user('a knight')]))).toEqual([notSelective.id, noSecondary.id]);
  });

  it('never looks at secondary keys when no primary key matched', () => {
    const e = sel('not-any');
    const result = match(book([e]), [user('nothing here')]);
    expect(result.entries).toEqual([]);
    expect(result.skipped).toEqual([]);
  });
});

describe('matchLorebook: constant, disabled, empty, once', () => {
  it('always inserts constant entries, with no keys needed', () => {
    const c = entry({ constant: true, keys: [], content: 'Some lore.' });
    const result = match(book([c]), []);
    expect(result.entries).toEqual([{ entry: c, reason: 'constant', matchedKeys: [], content: 'Some lore.', tokens: 11 }]);
  });

  it('never inserts disabled entries, and lists only those that would have triggered', () => {
    const off = entry({ keys: ['alien'], enabled: false });
    const offConstant = entry({ constant: true, enabled: false });
    const offUnmatched = entry({ keys: ['esper'], enabled: false });
    const result = match(book([off, offConstant, offUnmatched]), [user('an alien')]);
    expect(result.entries).toEqual([]);
    expect(result.skipped.map((s) => [s.entry.id, s.reason])).toEqual([
      [off.id, 'disabled'],
      [offConstant.id, 'disabled'],
    ]);
  });

  it('never inserts an entry with no content, decorators aside', () => {
    const blank = entry({ keys: ['alien'], content: '  \n ' });
    const onlyDecorators = entry({ constant: true, content: '@@depth 4\n@@role system' });
    const result = match(book([blank, onlyDecorators]), [user('an alien')]);
    expect(result.entries).toEqual([]);
    expect(result.skipped).toEqual([]);
  });

  it('inserts each entry and each distinct content once', () => {
    const many = entry({ keys: ['alien', 'aliens', 'ALIEN'], content: 'Some lore.' });
    const twin = entry({ keys: ['alien'], content: 'Some lore.' });
    const result = match(book([many, twin], { recursiveScanning: true }), [user('alien aliens ALIEN'), user('alien again')]);
    expect(ids(result)).toEqual([many.id]);
    expect(result.entries[0].matchedKeys).toEqual(['alien', 'aliens', 'ALIEN']);
  });
});

describe('matchLorebook: scan depth', () => {
  const history = [user('the alien spoke'), assistant('nothing'), user('nothing'), assistant('nothing'), user('the esper spoke')];
  const alien = entry({ keys: ['alien'] });
  const esper = entry({ keys: ['esper'] });

  it('scans the last DEFAULT_SCAN_DEPTH messages when nothing says otherwise', () => {
    expect(DEFAULT_SCAN_DEPTH).toBe(4);
    expect(ids(match(book([alien, esper]), history))).toEqual([esper.id]);
  });

  it("uses the book's scan depth, and the caller's over it", () => {
    expect(ids(match(book([alien, esper], { scanDepth: 5 }), history))).toEqual([alien.id, esper.id]);
    expect(ids(match(book([alien, esper], { scanDepth: 5 }), history, { scanDepth: 1 }))).toEqual([esper.id]);
  });

  it('scans nothing at depth 0: only constant entries go in', () => {
    const c = entry({ constant: true });
    expect(ids(match(book([alien, esper, c]), history, { scanDepth: 0 }))).toEqual([c.id]);
  });

  it('honours a per-entry @@scan_depth decorator', () => {
    const deep = entry({ keys: ['alien'], content: '@@scan_depth 5\nDeep lore.' });
    const result = match(book([deep]), history);
    expect(result.entries[0]).toMatchObject({ content: 'Deep lore.', reason: 'key' });
  });
});

describe('matchLorebook: recursion', () => {
  const a = () => entry({ keys: ['alien'], content: 'Aliens serve the Data Entity.' });
  const b = () => entry({ keys: ['data entity'], content: 'The Data Entity made Yuki.' });
  const c = () => entry({ keys: ['yuki'], content: 'Yuki reads in the club room.' });
  const d = () => entry({ keys: ['club room'], content: 'The club room was the literature club.' });

  it('scans inserted content only when the book asks for it', () => {
    const [ea, eb] = [a(), b()];
    expect(ids(match(book([ea, eb]), [user('an alien')]))).toEqual([ea.id]);
    const result = match(book([ea, eb], { recursiveScanning: true }), [user('an alien')]);
    expect(result.entries.map((m) => [m.entry.id, m.reason, m.matchedKeys])).toEqual([
      [ea.id, 'key', ['alien']],
      [eb.id, 'recursive', ['data entity']],
    ]);
  });

  it('stops after maxRecursion rounds and terminates on cycles', () => {
    const [ea, eb, ec, ed] = [a(), b(), c(), d()];
    const chain = book([ea, eb, ec, ed], { recursiveScanning: true });
    expect(ids(match(chain, [user('an alien')], { maxRecursion: 2 }))).toEqual([ea.id, eb.id, ec.id]);
    expect(ids(match(chain, [user('an alien')]))).toEqual([ea.id, eb.id, ec.id, ed.id]);
    const x = entry({ keys: ['ping'], content: 'pong' });
    const y = entry({ keys: ['pong'], content: 'ping' });
    expect(ids(match(book([x, y], { recursiveScanning: true }), [user('ping')], { maxRecursion: 50 }))).toEqual([x.id, y.id]);
  });

  it('lets recursion satisfy secondary keys, and respects the SillyTavern recursion flags', () => {
    const ea = a();
    const picky = entry({ keys: ['alien'], secondaryKeys: ['data entity'], selective: true, content: 'Picky lore.' });
    const result = match(book([ea, picky], { recursiveScanning: true }), [user('an alien')]);
    expect(result.entries.map((m) => [m.entry.id, m.reason])).toEqual([
      [ea.id, 'key'],
      [picky.id, 'recursive'],
    ]);
    expect(result.skipped).toEqual([]);

    const quiet = entry({ keys: ['alien'], content: 'Aliens serve the Data Entity.', extensions: { prevent_recursion: true } });
    const excluded = entry({ keys: ['data entity'], content: 'Excluded.', extensions: { exclude_recursion: true } });
    expect(ids(match(book([quiet, b()], { recursiveScanning: true }), [user('alien')]))).toEqual([quiet.id]);
    expect(ids(match(book([a(), excluded], { recursiveScanning: true }), [user('alien')])).length).toBe(1);
  });
});

describe('matchLorebook: order, priority and budget', () => {
  it('returns entries in insertion order, lower first, then book order', () => {
    const late = entry({ keys: ['x'], insertionOrder: 5, content: 'late' });
    const early = entry({ keys: ['x'], insertionOrder: 1, content: 'early' });
    const tie = entry({ keys: ['x'], insertionOrder: 1, content: 'tie' });
    expect(match(book([late, early, tie]), [user('x')]).entries.map((m) => m.content)).toEqual(['early', 'tie', 'late']);
  });

  it('drops the lowest priority first when over budget, then the lowest insertion order', () => {
    // Each costs its length + 1 for the line break: 10 + 1.
    const high = entry({ keys: ['x'], priority: 10, content: 'aaaaaaaaaa' });
    const low = entry({ keys: ['x'], priority: 1, content: 'bbbbbbbbbb' });
    const mid = entry({ keys: ['x'], priority: 5, content: 'cccccccccc' });
    const result = match(book([high, low, mid]), [user('x')], { tokenBudget: 22 });
    expect(ids(result)).toEqual([high.id, mid.id]);
    expect(result.skipped).toEqual([{ entry: low, reason: 'budget', matchedKeys: ['x'] }]);
    expect(result.entries.map((m) => m.tokens)).toEqual([11, 11]);

    const firstIn = entry({ keys: ['x'], insertionOrder: 1, content: 'dddddddddd' });
    const lastIn = entry({ keys: ['x'], insertionOrder: 9, content: 'eeeeeeeeee' });
    expect(ids(match(book([firstIn, lastIn]), [user('x')], { tokenBudget: 11 }))).toEqual([lastIn.id]);
  });

  it('lets a smaller entry fill the room a bigger one could not', () => {
    const big = entry({ keys: ['x'], priority: 9, content: 'x'.repeat(50) });
    const small = entry({ keys: ['x'], priority: 1, content: 'small' });
    expect(ids(match(book([big, small]), [user('x')], { tokenBudget: 20 }))).toEqual([small.id]);
  });

  it('budgets constant entries first, then key hits, then recursive ones', () => {
    const constant = entry({ constant: true, priority: 0, content: 'constant!!' });
    const keyed = entry({ keys: ['x'], priority: 100, content: 'keyed: y y' });
    const recursive = entry({ keys: ['y'], priority: 1000, content: 'recursive!' });
    const result = match(book([recursive, keyed, constant], { recursiveScanning: true }), [user('x')], { tokenBudget: 22 });
    expect(result.entries.map((m) => m.reason)).toEqual(['key', 'constant']);
    expect(result.skipped.map((s) => [s.entry.id, s.reason])).toEqual([[recursive.id, 'budget']]);
  });

  it("takes the book's token budget as a cap on the caller's", () => {
    const a = entry({ keys: ['x'], content: 'aaaaaaaaaa' });
    const b = entry({ keys: ['x'], content: 'bbbbbbbbbb' });
    expect(ids(match(book([a, b], { tokenBudget: 15 }), [user('x')], { tokenBudget: 100 }))).toHaveLength(1);
    expect(ids(match(book([a, b], { tokenBudget: 100 }), [user('x')], { tokenBudget: 15 }))).toHaveLength(1);
    expect(ids(match(book([a, b]), [user('x')], { tokenBudget: 0 }))).toEqual([]);
  });
});

describe('matchLorebook: V3 decorators', () => {
  it('strips decorators and fallbacks from the top of the content only', () => {
    expect(stripDecorators('@@depth 4\n@@@role system\n@@role user\nLore text.\n@@not a decorator here')).toMatchObject({
      content: 'Lore text.\n@@not a decorator here',
    });
  });

  it('honours @@activate, @@dont_activate, @@additional_keys and @@exclude_keys', () => {
    const always = entry({ keys: [], content: '@@activate\nAlways.' });
    const never = entry({ keys: ['alien'], constant: true, content: '@@dont_activate\nNever.' });
    const extra = entry({ keys: ['nothing'], content: '@@additional_keys esper, slider\nExtra.' });
    const excluded = entry({ keys: ['alien'], content: '@@exclude_keys dream\nExcluded.' });
    const result = match(book([always, never, extra, excluded]), [user('an alien esper in a dream')]);
    expect(result.entries.map((m) => [m.content, m.reason, m.matchedKeys])).toEqual([
      ['Always.', 'constant', []],
      ['Extra.', 'key', ['esper']],
    ]);
  });
});

describe('matchLorebook: robustness', () => {
  it('copes with an empty book, empty messages and odd entries', () => {
    expect(match(book([]), [])).toEqual({ entries: [], skipped: [], warnings: [] });
    const odd = { id: 1, keys: undefined, content: undefined, enabled: true, insertionOrder: 0, extensions: {} } as unknown as LorebookEntry;
    expect(match(book([odd, null as unknown as LorebookEntry]), [user('x'), { role: 'user', content: undefined as unknown as string }]).entries).toEqual([]);
  });

  it('uses the token estimate when no counter is given', () => {
    const e = entry({ constant: true, content: 'Four words of lore.' });
    expect(matchLorebook(book([e]), [], { tokenBudget: 100 }).entries[0].tokens).toBeGreaterThan(1);
  });

  it('stays fast on a large book and a long scan buffer', () => {
    const entries = Array.from({ length: 500 }, (_, i) => entry({ keys: [`key${i}`, `/k${i}x?/i`, `钥匙${i}`], content: `lore ${i} key${i + 1}` }));
    const recent = Array.from({ length: 50 }, (_, i) => user(`message ${i} mentions key${i * 7} and 钥匙${i * 3} `.repeat(20)));
    const result = match(book(entries, { recursiveScanning: true }), recent, { scanDepth: 50 });
    // Bounded work, measured in matcher steps rather than milliseconds: no regex key ran out of the
    // call's step budget (timings: npm run bench, bench/markup.bench.ts).
    expect(result.warnings).toEqual([]);
    expect(result.entries.length).toBeGreaterThan(50);
  });
});
