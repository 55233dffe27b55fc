// Regex lorebook keys can neither freeze the page nor fire differently from before (item 8 of the
// reliability issue). Patterns that backtrack catastrophically in RegExp are refused with a
// warning; everything else runs on the linear matcher with a step budget. No test here is timed:
// the generous timeouts only stop a regression (the old RegExp path) from hanging the suite.
import { describe, expect, it } from 'vitest';
import { matchLorebook, REGEX_STEP_BUDGET, type LoreWarning } from '../../../src/core/lorebook';
import type { ChatTurn, Lorebook, LorebookEntry } from '../../../src/core/types';

let nextId = 0;
const entry = (keys: string[], overrides: Partial<LorebookEntry> = {}): LorebookEntry => {
  const id = nextId++;
  return { id, keys, secondaryKeys: [], content: `Lore ${id}.`, enabled: true, insertionOrder: 100, extensions: {}, ...overrides };
};
const book = (entries: LorebookEntry[]): Lorebook => ({ extensions: {}, entries });
const user = (content: string): ChatTurn => ({ role: 'user', content });
const run = (entries: LorebookEntry[], text: string, options: Partial<Parameters<typeof matchLorebook>[2]> = {}) =>
  matchLorebook(book(entries), [user(text)], { tokenBudget: 100_000, ...options });
const fired = (entries: LorebookEntry[], text: string) => run(entries, text).entries.map((m) => m.entry.id);
const brief = (w: LoreWarning) => [w.index, w.key, w.problem];

const MEGABYTE = 1_000_000;
const evil = 'a'.repeat(33) + '!';

describe('lorebook regex keys: catastrophic patterns are refused with a warning', () => {
  const cases: [string, string, RegExp][] = [
    ['/(a|a)*b/', 'unsafe-regex', /alternatives can start with the same character/],
    ['/(a+)+$/', 'unsafe-regex', /nested quantifiers/],
    ['/(\\w+\\s?)*$/', 'unsafe-regex', /nested quantifiers/],
    ['/^(a|aa)+$/', 'unsafe-regex', /alternatives can start with the same character/],
    ['/(a)\\1/', 'unsupported-regex', /backreferences/],
    ['/(?<x>a)\\k<x>/', 'unsupported-regex', /backreferences/],
    ['/a(?=b)/', 'unsupported-regex', /lookahead/],
    ['/(?<!x)a/', 'unsupported-regex', /lookbehind/],
  ];
  for (const [key, problem, detail] of cases) {
    it(`${key} completes on a hostile message and on 1 MB, never fires, and says why`, { timeout: 30_000 }, () => {
      const e = entry([key]);
      for (const text of [evil, 'a'.repeat(MEGABYTE) + '!']) {
        const result = run([entry(['plain']), e], text);
        expect(result.entries).toEqual([]);
        expect(result.warnings.map(brief)).toEqual([[1, key, problem]]);
        expect(result.warnings[0].entry).toBe(e);
        expect(result.warnings[0].detail).toMatch(detail);
      }
    });
  }

  it('warns once per entry and key, for every entry that uses the key', () => {
    const a = entry(['/(a|a)*b/', 'x']);
    const b = entry(['/(a|a)*b/'], { selective: true, secondaryKeys: ['/(a|a)*b/'] });
    const result = run([a, b], 'aaa x');
    expect(result.entries.map((m) => m.entry.id)).toEqual([a.id]);
    expect(result.warnings.map(brief)).toEqual([
      [0, '/(a|a)*b/', 'unsafe-regex'],
      [1, '/(a|a)*b/', 'unsafe-regex'],
    ]);
  });
});

describe('lorebook regex keys: everything else runs in linear time with a budget', () => {
  it('a key that outruns its step budget on a 1 MB message is disabled with a warning', { timeout: 30_000 }, () => {
    // No nesting and no alternation, so no static check refuses it; a backtracking engine would
    // take O(n^4) here. The linear matcher needs ~5 steps a character and stops at its budget.
    const slow = entry(['/[a-z]*[a-z]*[a-z]*[a-z]*0/']);
    const quick = entry(['/\\bdragon(s)?\\b/i']);
    const text = 'x'.repeat(MEGABYTE) + ' Dragons!';
    const result = run([slow, quick], text);
    expect(result.entries.map((m) => m.entry.id)).toEqual([quick.id]);
    expect(result.warnings.map(brief)).toEqual([[0, '/[a-z]*[a-z]*[a-z]*[a-z]*0/', 'regex-too-slow']]);
    expect(result.warnings[0].detail).toMatch(/gave up after \d+ steps on \d+ characters/);
    // On a short message the same key is fine.
    expect(fired([slow], 'abc0')).toEqual([slow.id]);
  });

  it('the whole call has one regex budget: keys past it are disabled, plain keys still fire', () => {
    const keys = Array.from({ length: 4 }, (_, k) => entry([`/[a-z]*[a-z]*q${k}/`]));
    const plain = entry(['needle']);
    const text = 'b'.repeat(20_000) + ' needle';
    const result = run([...keys, plain], text, { regexStepBudget: 100_000 });
    expect(result.entries.map((m) => m.entry.id)).toEqual([plain.id]);
    expect(result.warnings.length).toBeGreaterThan(0);
    expect(result.warnings.every((w) => w.problem === 'regex-too-slow')).toBe(true);
    expect(result.warnings.at(-1)?.detail).toMatch(/used up their 100000 steps/);
    expect(REGEX_STEP_BUDGET).toBeGreaterThan(100_000);
  });

  it('ordinary regex keys fire exactly as before, on 1 MB too', { timeout: 30_000 }, () => {
    const dragon = entry(['/\\bdragon(s)?\\b/i']);
    const hello = entry(['/^hello/m']);
    const han = entry(['/\\p{Script=Han}{2}/u']);
    const cafe = entry(['/café/i']);
    const emoji = entry(['/😀+!/u']);
    const sensitive = entry(['/Esper/']);
    const useRegex = entry(['time ?travel(l?er)?s?'], { useRegex: true });
    const all = [dragon, hello, han, cafe, emoji, sensitive, useRegex];
    const ids = (text: string) => fired(all, text);
    expect(ids('A DRAGON appears')).toEqual([dragon.id]);
    expect(ids('dragonfly, snapdragons')).toEqual([]);
    expect(ids('well\nhello there')).toEqual([hello.id]);
    expect(ids('say hello')).toEqual([]);
    expect(ids('涼宮春日')).toEqual([han.id]);
    expect(ids('春 日')).toEqual([]);
    expect(ids('CAFÉ au lait')).toEqual([cafe.id]);
    expect(ids('😀😀!')).toEqual([emoji.id]);
    expect(ids('ESPER esper')).toEqual([]);
    expect(ids('Esper')).toEqual([sensitive.id]);
    expect(ids('A TIME TRAVELLER')).toEqual([useRegex.id]);
    const long = 'the quiet road. '.repeat(MEGABYTE / 16);
    expect(fired(all, long + 'Dragons\nhello 涼宮 café 😀! Esper timetravel')).toEqual(all.map((e) => e.id));
    const result = run(all, long);
    expect(result.entries).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});
