// Lorebook matching: which card `character_book` entries the recent messages trigger, within a token budget.
//
// Rules (Character Card V2/V3, SillyTavern World Info where the spec is silent):
// - An entry triggers when one of its keys occurs in the last `scanDepth` messages. Keys are
//   case-insensitive unless the entry is case-sensitive. A plain key must be a whole word where it
//   begins or ends with a letter or digit of a script that separates words with spaces ("Kyon"
//   does not match "Kyonko"); at a Han, kana, Hangul or Thai edge no boundary is needed, because
//   those scripts do not put spaces between words ("春日" matches inside "涼宮春日は").
// - Regex keys: every key when `useRegex`, or any key written as `/pattern/flags` (SillyTavern).
//   They never run on the platform's backtracking RegExp: `/(a|a)*b/` on 33 characters froze a
//   tab for 112 s, JavaScript has no regex timeout, and no static check catches every slow
//   pattern. They run on core/regex/linear-regex.ts instead, a Pike VM whose cost is at most
//   pattern size x text length, with a step budget per test and per call, so matching stays
//   synchronous (the prompt builder needs no worker) and can never freeze the page. A key is
//   disabled for the call, never matches, and is reported in `warnings` (entry, its index, the
//   key, a problem code and a detail sentence) when the pattern does not compile, is very long,
//   uses what the matcher does not support (backreferences, lookaround), has a shape that
//   backtracks catastrophically elsewhere (a quantified group with a quantifier inside, `(a+)+`;
//   a repeated alternation whose branches can start alike, `(a|aa)+`: refused so an author learns
//   the card would freeze other apps), or runs out of its step budget. `g` and `y` flags are
//   dropped (they make `test` stateful).
// - Secondary keys apply only to `selective` entries: and-any (default), and-all, not-any, not-all.
// - `constant` entries always trigger. Disabled entries never do (listed as skipped when they
//   would have). Entries with no content after decorators are never inserted. Each entry, and each
//   distinct content, goes in at most once.
// - Recursion (when the book asks for it): the content of inserted entries is scanned too, for at
//   most `maxRecursion` rounds; entries found that way are 'recursive'. SillyTavern's per-entry
//   options (in `extensions`, as its card export writes them): `exclude_recursion` (never found
//   by recursion), `prevent_recursion` (its content does not trigger others),
//   `delay_until_recursion` (found by recursion only, never by the chat itself).
// - Case sensitivity: the entry's `case_sensitive`, else SillyTavern's `extensions.case_sensitive`.
// - Per-entry scan depth (`extensions.scan_depth`, SillyTavern) overrides the book's, as the
//   `@@scan_depth` decorator does.
// - Probability (`extensions.probability` 0-100 with `useProbability` not false, SillyTavern): an
//   entry that would go in is kept only when a roll of `options.random` comes under it; one that
//   loses the roll is listed as skipped ('probability').
// - Budget: constant entries first (they sit in the stable system prompt, so they must not come
//   and go with the keyed ones), then direct key hits, then each recursion round. Within a group the
//   highest `priority` is kept first, then the higher `insertionOrder` (V3: "drop the lowest
//   priority first, or the lowest insertion_order"). An entry that does not fit is skipped and
//   smaller ones after it may still fit. The book's own `tokenBudget` caps the caller's.
// - Result order is insertion order: lower `insertionOrder` first, then book order.
// - V3 decorators at the top of the content (`@@name value`, `@@@` fallbacks) are stripped;
//   `@@activate`, `@@dont_activate`, `@@scan_depth N`, `@@additional_keys a,b` and
//   `@@exclude_keys a,b` are honoured, the rest ignored.

import { compileLinearRegex, DEFAULT_STEP_BUDGET, isRegexRefusal } from './regex/linear-regex';
import { estimateTokens } from './tokens';
import type { ChatTurn, LoreActivation, Lorebook, LorebookEntry, LoreSkipReason } from './types';

export type { LoreActivation, LoreSkipReason };

export interface LoreMatch {
  entry: LorebookEntry;
  reason: LoreActivation;
  /** Primary keys that matched, then the secondary keys that satisfied an and-any / and-all rule. */
  matchedKeys: string[];
  /** The content as inserted: decorators stripped, trimmed. */
  content: string;
  /** What it costs against the budget: its tokens plus one for the line break that joins entries. */
  tokens: number;
}

export interface LoreSkip {
  entry: LorebookEntry;
  reason: LoreSkipReason;
  matchedKeys: string[];
}

export type LoreKeyProblem = 'invalid-regex' | 'unsafe-regex' | 'unsupported-regex' | 'regex-too-slow';

/** A key that was disabled for this match, and why: what the prompt inspector shows on the entry. */
export interface LoreWarning {
  entry: LorebookEntry;
  /** The entry's position in `book.entries`. */
  index: number;
  key: string;
  problem: LoreKeyProblem;
  /** What is wrong, in English, e.g. "backreferences are not supported". */
  detail: string;
}

/** Why a key cannot be used. */
export interface KeyRefusal {
  problem: LoreKeyProblem;
  detail: string;
}

export interface LorebookMatchOptions {
  /** Tokens all inserted entries may take together. The book's `tokenBudget`, when set, caps it. */
  tokenBudget: number;
  countTokens?: (text: string) => number;
  /** Messages scanned, newest last. Overrides the book's `scanDepth`; default 4 when neither says. */
  scanDepth?: number;
  /** Rounds of recursive scanning when the book enables it (default 3). */
  maxRecursion?: number;
  /**
   * Matcher steps all regex keys may take together in this call (default REGEX_STEP_BUDGET);
   * each single test also stops at DEFAULT_STEP_BUDGET. A key that runs out is disabled.
   */
  regexStepBudget?: number;
  /** A number in [0, 1) for probability rolls (default Math.random); the test panel and the prompt builder may share one. */
  random?: () => number;
}

export interface LorebookMatchResult {
  /** Inserted entries, in insertion order. */
  entries: LoreMatch[];
  skipped: LoreSkip[];
  warnings: LoreWarning[];
}

/** SillyTavern scans 2 messages, RisuAI 5, Backyard AI 4: the middle one keeps the last exchange and the one before. */
export const DEFAULT_SCAN_DEPTH = 4;
export const DEFAULT_MAX_RECURSION = 3;
const MAX_PATTERN_LENGTH = 1000;
/** Regex steps one matchLorebook call may spend: a few hundred milliseconds at the very worst. */
export const REGEX_STEP_BUDGET = 20_000_000;

interface Decorators {
  activate: boolean;
  dontActivate: boolean;
  scanDepth?: number;
  additionalKeys: string[];
  excludeKeys: string[];
}

interface Candidate {
  index: number;
  entry: LorebookEntry;
  content: string;
  decorators: Decorators;
  /** 'open' while undecided; 'secondary' may still trigger through recursion. */
  status: 'open' | 'inserted' | 'budget' | 'secondary' | 'disabled' | 'empty' | 'probability';
  matchedKeys: string[];
}

/** true/false, or 'too-slow' when a regex key ran out of `budget` steps (`steps` says how many it took). */
type Matcher = ((text: string, budget?: number) => boolean | 'too-slow') & { steps?: () => number };

export function matchLorebook(book: Lorebook, recent: readonly ChatTurn[], options: LorebookMatchOptions): LorebookMatchResult {
  const count = options.countTokens ?? estimateTokens;
  const warnings: LoreWarning[] = [];
  const bookBudget = typeof book.tokenBudget === 'number' && book.tokenBudget > 0 ? book.tokenBudget : Infinity;
  let room = Math.min(Number.isFinite(options.tokenBudget) ? options.tokenBudget : 0, bookBudget);
  const depth = clampDepth(options.scanDepth ?? book.scanDepth ?? DEFAULT_SCAN_DEPTH);
  const maxRecursion = Math.max(0, Math.floor(options.maxRecursion ?? DEFAULT_MAX_RECURSION));
  const buffers = new Map<number, string>();
  const bufferAt = (n: number): string => {
    let text = buffers.get(n);
    if (text === undefined) {
      text = n <= 0 ? '' : recent.slice(-n).map((turn) => turn.content ?? '').join('\n');
      buffers.set(n, text);
    }
    return text;
  };

  const matchers = new Map<string, Matcher | KeyRefusal>();
  const warned = new Set<string>();
  const indexOf = new Map<LorebookEntry, number>();
  (book.entries ?? []).forEach((entry, index) => indexOf.set(entry, index));
  let regexSteps = Math.max(0, options.regexStepBudget ?? REGEX_STEP_BUDGET);
  const warn = (entry: LorebookEntry, key: string, refusal: KeyRefusal) => {
    const index = indexOf.get(entry) ?? -1;
    const id = `${index}\u0000${key}`;
    if (warned.has(id)) return;
    warned.add(id);
    warnings.push({ entry, index, key, problem: refusal.problem, detail: refusal.detail });
  };
  const cacheKeyOf = (entry: LorebookEntry, key: string) =>
    `${isCaseSensitive(entry) ? 1 : 0}${entry.useRegex ? 1 : 0}${entry.extensions?.match_whole_words !== false ? 1 : 0}\u0000${key}`;
  const matcherFor = (entry: LorebookEntry, key: string): Matcher | KeyRefusal => {
    const cacheKey = cacheKeyOf(entry, key);
    let compiled = matchers.get(cacheKey);
    if (compiled === undefined) {
      compiled = compileKey(key, isCaseSensitive(entry), entry.useRegex === true, entry.extensions?.match_whole_words !== false);
      matchers.set(cacheKey, compiled);
    }
    return compiled;
  };
  const matchedIn = (entry: LorebookEntry, keys: readonly string[], text: string): string[] => {
    const found: string[] = [];
    if (!text) return found;
    for (const key of keys) {
      const matcher = matcherFor(entry, key);
      if (typeof matcher !== 'function') {
        warn(entry, key, matcher);
        continue;
      }
      if (!matcher.steps) {
        if (matcher(text) === true) found.push(key);
        continue;
      }
      const budget = Math.min(DEFAULT_STEP_BUDGET, regexSteps);
      const result = matcher(text, budget);
      regexSteps = Math.max(0, regexSteps - matcher.steps());
      if (result === 'too-slow') {
        const refusal: KeyRefusal = {
          problem: 'regex-too-slow',
          detail:
            budget < DEFAULT_STEP_BUDGET
              ? `the regex keys of this lorebook used up their ${options.regexStepBudget ?? REGEX_STEP_BUDGET} steps for this message`
              : `gave up after ${budget} steps on ${text.length} characters`,
        };
        // Disabled for the rest of this call, for every entry that uses the same key.
        matchers.set(cacheKeyOf(entry, key), refusal);
        warn(entry, key, refusal);
      } else if (result) {
        found.push(key);
      }
    }
    return found;
  };

  const candidates: Candidate[] = [];
  (book.entries ?? []).forEach((entry, index) => {
    if (!entry || typeof entry !== 'object') return;
    const { content, decorators } = stripDecorators(entry.content ?? '');
    candidates.push({ index, entry, content, decorators, status: 'open', matchedKeys: [] });
  });

  const skipped: LoreSkip[] = [];
  const random = options.random ?? Math.random;
  /** Rolls for an entry with a probability under 100; one that loses is out of the running. */
  const wonRoll = (c: Candidate): boolean => {
    const chance = probabilityOf(c.entry);
    if (chance >= 100 || random() * 100 < chance) return true;
    c.status = 'probability';
    skipped.push({ entry: c.entry, reason: 'probability', matchedKeys: c.matchedKeys });
    return false;
  };
  const inserted: { candidate: Candidate; reason: LoreActivation; tokens: number }[] = [];
  const seenContent = new Set<string>();

  /** Decides whether a candidate triggers on `text` (keys) with `full` for secondary keys. */
  const evaluate = (c: Candidate, text: string, full: string): 'trigger' | 'secondary' | 'no' => {
    const primary = cleanKeys([...(c.entry.keys ?? []), ...c.decorators.additionalKeys]);
    const hits = matchedIn(c.entry, primary, text);
    if (hits.length === 0) return 'no';
    if (matchedIn(c.entry, cleanKeys(c.decorators.excludeKeys), full).length > 0) return 'no';
    const secondary = c.entry.selective ? cleanKeys(c.entry.secondaryKeys ?? []) : [];
    if (secondary.length > 0) {
      const found = matchedIn(c.entry, secondary, full);
      const logic = c.entry.selectiveLogic ?? 'and-any';
      const ok =
        logic === 'and-all' ? found.length === secondary.length
        : logic === 'not-any' ? found.length === 0
        : logic === 'not-all' ? found.length < secondary.length
        : found.length > 0;
      if (!ok) {
        c.matchedKeys = hits;
        return 'secondary';
      }
      c.matchedKeys = logic === 'and-any' || logic === 'and-all' ? [...hits, ...found] : hits;
      return 'trigger';
    }
    c.matchedKeys = hits;
    return 'trigger';
  };

  const admit = (group: Candidate[], reason: (c: Candidate) => LoreActivation): Candidate[] => {
    const order = [...group].sort(
      (a, b) =>
        (b.entry.priority ?? 0) - (a.entry.priority ?? 0) ||
        (b.entry.insertionOrder ?? 0) - (a.entry.insertionOrder ?? 0) ||
        a.index - b.index,
    );
    const admitted: Candidate[] = [];
    for (const c of order) {
      if (seenContent.has(c.content)) {
        c.status = 'inserted'; // the same text is already in: counts as in, costs nothing
        continue;
      }
      const tokens = safeCount(count, c.content) + 1;
      if (tokens > room) {
        c.status = 'budget';
        skipped.push({ entry: c.entry, reason: 'budget', matchedKeys: c.matchedKeys });
        continue;
      }
      room -= tokens;
      c.status = 'inserted';
      seenContent.add(c.content);
      inserted.push({ candidate: c, reason: reason(c), tokens });
      admitted.push(c);
    }
    return admitted;
  };

  // Round 0: constant entries, then direct key hits.
  const constants: Candidate[] = [];
  const direct: Candidate[] = [];
  const pendingSecondary = new Set<Candidate>();
  for (const c of candidates) {
    const constant = (c.entry.constant === true || c.decorators.activate) && !c.decorators.dontActivate;
    const text = bufferAt(entryScanDepth(c) ?? depth);
    const verdict = constant ? 'trigger' : c.decorators.dontActivate || delayedUntilRecursion(c.entry) ? 'no' : evaluate(c, text, text);
    if (verdict === 'no') continue;
    if (c.entry.enabled === false) {
      c.status = 'disabled';
      skipped.push({ entry: c.entry, reason: 'disabled', matchedKeys: c.matchedKeys });
      continue;
    }
    if (!c.content) {
      c.status = 'empty'; // nothing to insert: out of the running, silently
      continue;
    }
    if (verdict === 'secondary') {
      c.status = 'secondary';
      pendingSecondary.add(c);
      continue;
    }
    if (!wonRoll(c)) continue;
    (constant ? constants : direct).push(c);
  }
  const constantSet = new Set(constants);
  admit(constants, () => 'constant');
  admit(direct, () => 'key');
  let fresh = inserted.map((i) => i.candidate);

  // Recursive rounds: the content of what went in may trigger more.
  if (book.recursiveScanning) {
    for (let round = 0; round < maxRecursion && fresh.length > 0; round++) {
      const recursionText = fresh
        .filter((c) => c.entry.extensions?.prevent_recursion !== true)
        .map((c) => c.content)
        .join('\n');
      if (!recursionText) break;
      const full = `${bufferAt(depth)}\n${inserted.map((i) => i.candidate.content).join('\n')}`;
      const found: Candidate[] = [];
      for (const c of candidates) {
        if (c.status !== 'open' && c.status !== 'secondary') continue;
        if (c.decorators.dontActivate || c.entry.extensions?.exclude_recursion === true) continue;
        if (c.entry.enabled === false || !c.content) continue;
        const verdict = evaluate(c, c.status === 'secondary' ? full : recursionText, full);
        if (verdict === 'trigger') {
          pendingSecondary.delete(c);
          if (wonRoll(c)) found.push(c);
        } else if (verdict === 'secondary' && c.status === 'open') {
          c.status = 'secondary';
          pendingSecondary.add(c);
        }
      }
      fresh = admit(found, () => 'recursive');
    }
  }
  for (const c of pendingSecondary) skipped.push({ entry: c.entry, reason: 'secondary', matchedKeys: c.matchedKeys });

  const entries = inserted
    .sort(
      (a, b) =>
        (a.candidate.entry.insertionOrder ?? 0) - (b.candidate.entry.insertionOrder ?? 0) || a.candidate.index - b.candidate.index,
    )
    .map(({ candidate, reason, tokens }) => ({
      entry: candidate.entry,
      reason: constantSet.has(candidate) ? 'constant' : reason,
      matchedKeys: constantSet.has(candidate) ? [] : candidate.matchedKeys,
      content: candidate.content,
      tokens,
    }));
  return { entries, skipped, warnings };
}

/** Strips V3 decorator lines (`@@name value`, `@@@fallback`) from the top of an entry's content. */
export function stripDecorators(raw: string): { content: string; decorators: Decorators } {
  const decorators: Decorators = { activate: false, dontActivate: false, additionalKeys: [], excludeKeys: [] };
  const lines = String(raw ?? '').replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line.startsWith('@@')) break;
    if (line.startsWith('@@@')) continue; // a fallback for a decorator we would have had to skip
    const m = /^@@([a-z_]+)\s*(.*)$/i.exec(line);
    if (!m) continue;
    const name = m[1].toLowerCase();
    const value = m[2].trim();
    if (name === 'activate') decorators.activate = true;
    else if (name === 'dont_activate') decorators.dontActivate = true;
    else if (name === 'scan_depth' && /^\d+$/.test(value)) decorators.scanDepth = Number(value);
    else if (name === 'additional_keys') decorators.additionalKeys.push(...value.split(','));
    else if (name === 'exclude_keys') decorators.excludeKeys.push(...value.split(','));
  }
  return { content: lines.slice(i).join('\n').trim(), decorators };
}

/** SillyTavern's default depth for an entry placed @depth (`extensions.position` 4) without `extensions.depth`. */
export const DEFAULT_ENTRY_DEPTH = 4;

/** The entry's own scan depth: an `@@scan_depth` decorator, else SillyTavern's `extensions.scan_depth`; undefined: the book's. */
function entryScanDepth(c: Candidate): number | undefined {
  const own = c.decorators.scanDepth ?? c.entry.extensions?.scan_depth;
  return typeof own === 'number' && Number.isFinite(own) ? clampDepth(own) : undefined;
}

function delayedUntilRecursion(entry: LorebookEntry): boolean {
  return entry.extensions?.delay_until_recursion === true;
}

/**
 * Whether keys match case-sensitively: the card's `case_sensitive`, else SillyTavern's copy in
 * `extensions.case_sensitive` (its card export writes only that one; null there: the default, no).
 */
export function isCaseSensitive(entry: LorebookEntry): boolean {
  return entry.caseSensitive ?? entry.extensions?.case_sensitive === true;
}

/** The chance, 0-100, that the entry goes in when triggered (100 unless SillyTavern's probability says less). */
export function probabilityOf(entry: LorebookEntry): number {
  const ext = entry.extensions ?? {};
  if (ext.useProbability === false || typeof ext.probability !== 'number' || !Number.isFinite(ext.probability)) return 100;
  return Math.max(0, Math.min(100, ext.probability));
}

function cleanKeys(keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    if (typeof key !== 'string') continue;
    const trimmed = key.trim();
    if (trimmed) out.push(trimmed);
  }
  return out;
}

function clampDepth(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : DEFAULT_SCAN_DEPTH;
}

function safeCount(count: (text: string) => number, text: string): number {
  const n = count(text);
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0;
}

// --- key matching

const REGEX_LITERAL = /^\/([\s\S]+)\/([a-z]*)$/;
/** A matcher for one key, or why it cannot be used. */
export function compileKey(key: string, caseSensitive: boolean, useRegex: boolean, wholeWords = true): Matcher | KeyRefusal {
  const literal = REGEX_LITERAL.exec(key);
  if (literal || useRegex) {
    const pattern = literal ? literal[1] : key;
    const written = literal ? literal[2] : caseSensitive ? '' : 'i';
    const flags = [...new Set(written.replace(/[gyd]/g, ''))].join('');
    if (/[^imsuv]/.test(flags)) return { problem: 'invalid-regex', detail: `unknown flags "${written}"` };
    if (pattern.length > MAX_PATTERN_LENGTH) return { problem: 'unsafe-regex', detail: `longer than ${MAX_PATTERN_LENGTH} characters` };
    if (hasNestedQuantifier(pattern)) {
      try {
        new RegExp(pattern, flags);
      } catch {
        return { problem: 'invalid-regex', detail: 'the pattern does not compile' };
      }
      return { problem: 'unsafe-regex', detail: 'a repeated group that repeats inside (nested quantifiers)' };
    }
    const regex = compileLinearRegex(pattern, flags);
    if (isRegexRefusal(regex)) return regex;
    const matcher: Matcher = (text, budget = DEFAULT_STEP_BUDGET) => regex.test(text, budget);
    matcher.steps = () => regex.lastSteps;
    return matcher;
  }
  const needle = caseSensitive ? key : key.toLowerCase();
  const boundaryStart = wholeWords && needsBoundary(needle.codePointAt(0) ?? 0);
  const boundaryEnd = wholeWords && needsBoundary(lastCodePoint(needle));
  let lastText = '';
  let lastLowered = '';
  return (text) => {
    let haystack = text;
    if (!caseSensitive) {
      // The same scan text is tested against every key: lower it once.
      if (text !== lastText) {
        lastText = text;
        lastLowered = text.toLowerCase();
      }
      haystack = lastLowered;
    }
    for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
      if (boundaryStart && at > 0 && needsBoundary(codePointBefore(haystack, at))) continue;
      const end = at + needle.length;
      if (boundaryEnd && end < haystack.length && needsBoundary(haystack.codePointAt(end) ?? 0)) continue;
      return true;
    }
    return false;
  };
}

const WORD = /[\p{L}\p{N}_]/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const boundaryCache = new Map<number, boolean>();

/** True for a letter or digit of a script that separates words with spaces. */
function needsBoundary(codePoint: number): boolean {
  if (codePoint < 128) {
    return (codePoint >= 48 && codePoint <= 57) || (codePoint >= 65 && codePoint <= 90) || (codePoint >= 97 && codePoint <= 122) || codePoint === 95;
  }
  let known = boundaryCache.get(codePoint);
  if (known === undefined) {
    const ch = String.fromCodePoint(codePoint);
    known = WORD.test(ch) && !UNSPACED.test(ch);
    if (boundaryCache.size < 4096) boundaryCache.set(codePoint, known);
  }
  return known;
}

/**
 * True when a group that contains a quantifier is itself quantified with + * or {n,}: `(a+)+`,
 * `(\w+\s?)*`, `(x*){2,}`, the shapes that backtrack exponentially. One linear pass; character
 * classes and escapes are skipped. A heuristic: it cannot catch every slow pattern.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const stack: boolean[] = [false];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (ch === '(') {
      stack.push(false);
      continue;
    }
    const quantifier = quantifierAt(pattern, i);
    if (ch === ')') {
      const inner = stack.length > 1 ? (stack.pop() as boolean) : false;
      const after = quantifierAt(pattern, i + 1);
      if (inner && after) return true;
      if (inner || after) stack[stack.length - 1] = true;
      continue;
    }
    if (quantifier) stack[stack.length - 1] = true;
  }
  return false;
}

/** Whether an unbounded quantifier (+, *, {n,} or {n,m}) starts at `index`. */
function quantifierAt(pattern: string, index: number): boolean {
  const ch = pattern[index];
  if (ch === '+' || ch === '*') return true;
  return ch === '{' && /^\{\d+,\d*\}/.test(pattern.slice(index, index + 16));
}

function codePointBefore(text: string, index: number): number {
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(index - 2) ?? low;
  }
  return low;
}

function lastCodePoint(text: string): number {
  return text.length === 0 ? 0 : codePointBefore(text, text.length);
}
