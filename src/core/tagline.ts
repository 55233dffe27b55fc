// The one line a gallery card and a character page show under the name.
//
// Many imported cards have no short description (it is Hearth's and Character.AI's field, not the
// card specs'), and the card then showed nothing. The first sentence of the description stands in:
// macros expanded, markup and brackets of W++-style blocks left as they are (it is shown as text).

import { expandMacros } from './macros';

/** Longest stand-in line, in characters; cut at a word break before it. */
export const TAGLINE_MAX = 160;

// A sentence ends at . ! ? (Latin, followed by a space or the end) or 。！？ (CJK), or at a line break.
const SENTENCE_END = /[.!?](?=\s|$)|[。！？]|\n/u;

export function taglineOf(character: { name: string; nickname?: string; shortDescription: string; description: string }): string {
  const short = character.shortDescription.trim();
  if (short) return short;
  // Only the start is needed: never expand or search a whole 100,000-character description.
  const head = character.description.slice(0, TAGLINE_MAX * 4).trim();
  const text = expandMacros(head, { char: character.nickname || character.name, user: 'you' }).trim();
  const end = text.search(SENTENCE_END);
  let line = (end >= 0 ? text.slice(0, end + (text[end] === '\n' ? 0 : 1)) : text).trim();
  if ([...line].length > TAGLINE_MAX) {
    const chars = [...line].slice(0, TAGLINE_MAX).join('');
    const space = chars.lastIndexOf(' ');
    line = `${(space > TAGLINE_MAX / 2 ? chars.slice(0, space) : chars).trimEnd()}…`;
  }
  return line;
}
