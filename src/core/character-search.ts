// Gallery filtering: free-text search over what a person sees on a card, plus a tag filter.

import type { Character } from './types';

function normalise(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase();
}

export function filterCharacters(characters: readonly Character[], query: string, tag: string | null): Character[] {
  const terms = normalise(query).split(/\s+/).filter(Boolean);
  return characters.filter((character) => {
    if (tag && !character.tags.includes(tag)) return false;
    if (terms.length === 0) return true;
    const haystack = normalise(
      [character.name, character.nickname, character.shortDescription, character.description, ...character.tags].join('\n'),
    );
    return terms.every((term) => haystack.includes(term));
  });
}

/** Tags in use, most common first. */
export function tagsInUse(characters: readonly Character[]): string[] {
  const counts = new Map<string, number>();
  for (const character of characters) {
    for (const tag of character.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([tag]) => tag);
}
