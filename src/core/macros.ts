// Card macros: {{char}}, {{user}}, <BOT>, <USER> and the common SillyTavern / CBS ones, expanded in one pass.
//
// Rules (Character Card V1/V2/V3, SillyTavern): names match case-insensitively; unknown macros are
// left exactly as written (a card may be meant for another app). Expansion is a single pass, so a
// character or persona *named* "{{user}}" is inserted literally and never expanded again.
// {{random}}, {{pick}} and {{roll}} are not random: they are drawn from a hash of the context's
// `seed`, the text they sit in and their position in it, so the same text expands the same way on
// every turn of a chat (web-llm reuses its KV cache only when earlier messages come back
// identical). Without a seed they are left as written.

import { cyrb53, hashText } from './hash';

export interface MacroContext {
  /** What {{char}} and <BOT> become (the card's nickname, falling back to its name). */
  char: string;
  /** What {{user}} and <USER> become (the persona's name, or a default such as "User"). */
  user: string;
  /** What {{original}} becomes (in a card's system prompt: the app's default prompt). Left as is when unset. */
  original?: string;
  /**
   * Seed for {{random}}, {{pick}} and {{roll}} (e.g. the conversation id). Same seed + same text =
   * same result. Left as written when unset.
   */
  seed?: string | number;
}

// `{{ name }}` with anything but braces inside (bounded, so no catastrophic backtracking), or <BOT>/<USER>.
const MACRO = /\{\{([^{}]{0,500}?)\}\}|<(bot|user)>/gi;
// `random`, `pick`, `roll` followed by `:`, `::` or a space, then their arguments.
const SEEDED = /^(random|pick|roll)(?:::?|\s)([\s\S]*)$/i;
const DICE = /^(\d{0,3})d(\d{1,6})(?:\s*([+-])\s*(\d{1,6}))?$|^(\d{1,6})$/i;

export function expandMacros(text: string, context: MacroContext): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  if (text.indexOf('{{') < 0 && text.indexOf('<') < 0) return text;
  const seeded = context.seed !== undefined && context.seed !== null;
  let textHash = '';
  let occurrence = 0;
  return text.replace(MACRO, (match: string, body: string | undefined, tag: string | undefined) => {
    if (tag !== undefined) return tag.toLowerCase() === 'bot' ? context.char : context.user;
    const inner = (body ?? '').trim();
    // {{// a comment}}: authors' notes inside prompts, never sent.
    if (inner.startsWith('//')) return '';
    if (seeded) {
      const m = SEEDED.exec(inner);
      if (m) {
        if (textHash === '') textHash = hashText(text);
        const draw = (salt: string) => uniform(`${String(context.seed)}\u0000${textHash}\u0000${occurrence}\u0000${salt}`);
        occurrence++;
        const result = m[1].toLowerCase() === 'roll' ? roll(m[2], draw) : choose(m[2], draw, m[1].toLowerCase());
        return result ?? match;
      }
    }
    const name = inner.toLowerCase();
    switch (name) {
      case 'char':
      case 'charifnotgroup':
        return context.char;
      case 'user':
        return context.user;
      case 'newline':
        return '\n';
      case 'noop':
        return '';
      case 'original':
        return context.original ?? match;
      default:
        return match;
    }
  });
}

/** `{{random:a,b}}` / `{{random::a::b}}` (commas escaped as `\\,` stay): one of the options. */
function choose(args: string, draw: (salt: string) => number, salt: string): string | undefined {
  const options = args.includes('::')
    ? args.split('::')
    : args.split(/(?<!\\),/).map((option) => option.replace(/\\,/g, ','));
  const trimmed = options.map((option) => option.trim());
  if (trimmed.length === 0 || (trimmed.length === 1 && trimmed[0] === '')) return undefined;
  return trimmed[Math.floor(draw(salt) * trimmed.length)];
}

/** `{{roll:20}}`, `{{roll:d20}}`, `{{roll::2d6+3}}`: the sum of the dice, as text. */
function roll(args: string, draw: (salt: string) => number): string | undefined {
  const m = DICE.exec(args.trim());
  if (!m) return undefined;
  const count = m[5] !== undefined ? 1 : Math.max(1, Number(m[1] || '1'));
  const sides = Number(m[5] ?? m[2]);
  if (sides < 1 || count > 100) return undefined;
  let total = 0;
  for (let i = 0; i < count; i++) total += 1 + Math.floor(draw(`roll${i}`) * sides);
  if (m[3] !== undefined) total += (m[3] === '-' ? -1 : 1) * Number(m[4]);
  return String(total);
}

/** A number in [0, 1) from a string (cyrb53). Not cryptographic; only stable. */
function uniform(key: string): number {
  return cyrb53(key) / 2 ** 53;
}


