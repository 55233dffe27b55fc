// Card macros: {{char}}, {{user}}, <BOT>, <USER> and a few simple SillyTavern ones, expanded in one pass.
//
// Rules (Character Card V1/V2/V3, SillyTavern): names match case-insensitively; unknown macros are
// left exactly as written (a card may be meant for another app). Expansion is a single pass, so a
// character or persona *named* "{{user}}" is inserted literally and never expanded again.
// Nothing random ({{random}}, {{roll}}): a prompt must be the same for the same chat, or web-llm
// cannot reuse its KV cache.

export interface MacroContext {
  /** What {{char}} and <BOT> become (the card's nickname, falling back to its name). */
  char: string;
  /** What {{user}} and <USER> become (the persona's name, or a default such as "User"). */
  user: string;
  /** What {{original}} becomes (in a card's system prompt: the app's default prompt). Left as is when unset. */
  original?: string;
}

// `{{ name }}` with anything but braces inside (bounded, so no catastrophic backtracking), or <BOT>/<USER>.
const MACRO = /\{\{([^{}]{0,200}?)\}\}|<(bot|user)>/gi;

export function expandMacros(text: string, context: MacroContext): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  if (text.indexOf('{{') < 0 && text.indexOf('<') < 0) return text;
  return text.replace(MACRO, (match: string, body: string | undefined, tag: string | undefined) => {
    if (tag !== undefined) return tag.toLowerCase() === 'bot' ? context.char : context.user;
    const inner = (body ?? '').trim();
    // {{// a comment}}: authors' notes inside prompts, never sent.
    if (inner.startsWith('//')) return '';
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
