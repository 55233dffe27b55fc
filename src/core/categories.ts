// Discover: the gallery's categories, in the manner of Character.AI's, found from each character's
// tags. Known categories gather the many ways cards tag the same thing (English and Chinese); a tag
// outside them that several characters share becomes a category of its own; the rest is "Other".
// Each character is listed once, under the category of its first tag that names one.

import type { Character } from './types';

export const KNOWN_CATEGORIES = ['fantasy', 'wuxia', 'scifi', 'mystery', 'history', 'romance', 'life', 'comedy', 'adventure', 'anime', 'games', 'helpers'] as const;
export type KnownCategory = (typeof KNOWN_CATEGORIES)[number];

/** Tags (folded: lower case, no spaces, dashes or underscores) that name each known category. */
const CATEGORY_TAGS: Record<KnownCategory, readonly string[]> = {
  fantasy: ['fantasy', 'magic', 'myth', 'mythology', 'fairytale', 'folklore', 'supernatural', 'dragon', 'elf', '奇幻', '魔幻', '志怪', '狐仙', '神话', '妖怪'],
  wuxia: ['wuxia', 'xianxia', 'cultivation', 'martialarts', '武侠', '仙侠', '修仙', '江湖'],
  scifi: ['scifi', 'sciencefiction', 'space', 'ai', 'robot', 'cyberpunk', 'future', '科幻', '赛博朋克', '太空'],
  mystery: ['mystery', 'detective', 'horror', 'thriller', 'gothic', 'crime', '悬疑', '推理', '恐怖', '侦探'],
  history: ['history', 'historical', 'victorian', 'medieval', 'period', '历史', '古风', '古代'],
  romance: ['romance', 'love', 'dating', '恋爱', '言情', '浪漫'],
  life: ['sliceoflife', 'cozy', 'daily', 'everyday', 'wholesome', '日常', '治愈', '生活'],
  comedy: ['comedy', 'funny', 'humor', 'humour', 'parody', '搞笑', '喜剧', '幽默'],
  adventure: ['adventure', 'action', 'quest', 'pirate', '冒险', '动作'],
  anime: ['anime', 'manga', '动漫', '二次元', '动画'],
  games: ['game', 'games', 'videogame', 'rpg', '游戏'],
  helpers: ['helper', 'assistant', 'tutor', 'teacher', 'coach', 'productivity', '助手', '老师', '学习'],
};

const TAG_TO_CATEGORY = new Map<string, KnownCategory>(
  KNOWN_CATEGORIES.flatMap((category) => CATEGORY_TAGS[category].map((tag) => [tag, category] as const)),
);

const foldTag = (tag: string) => tag.normalize('NFKC').toLocaleLowerCase().replace(/[\s\-_]+/g, '');

/** A known category, a shared tag standing as its own category, or everything else. */
export type CategoryKey = { kind: 'known'; id: KnownCategory } | { kind: 'tag'; tag: string } | { kind: 'other' };

export interface CategoryGroup {
  key: CategoryKey;
  characters: Character[];
}

/**
 * The characters by category: known categories in their fixed order, then shared tags (most
 * characters first), then "Other". Characters keep their given order inside a category; empty
 * categories are left out.
 */
export function groupByCategory(characters: readonly Character[]): CategoryGroup[] {
  const known = new Map<KnownCategory, Character[]>();
  const unsorted: Character[] = [];
  for (const character of characters) {
    const category = character.tags.map((tag) => TAG_TO_CATEGORY.get(foldTag(tag))).find((found) => found !== undefined);
    if (category) (known.get(category) ?? known.set(category, []).get(category)!).push(character);
    else unsorted.push(character);
  }
  // Tags shared by at least two of the characters no known category took.
  const counts = new Map<string, number>();
  for (const character of unsorted) for (const tag of new Set(character.tags)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  const byTag = new Map<string, Character[]>();
  const other: Character[] = [];
  for (const character of unsorted) {
    const shared = character.tags
      .filter((tag) => (counts.get(tag) ?? 0) >= 2)
      .sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a.localeCompare(b))[0];
    if (shared === undefined) other.push(character);
    else (byTag.get(shared) ?? byTag.set(shared, []).get(shared)!).push(character);
  }
  const groups: CategoryGroup[] = KNOWN_CATEGORIES.filter((id) => known.has(id)).map((id) => ({ key: { kind: 'known', id }, characters: known.get(id)! }));
  // A shared tag left with one member (the others went to a tag more of them share) is no category.
  const tagGroups = [...byTag.entries()].filter(([, members]) => members.length >= 2).sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  for (const [tag, members] of tagGroups) groups.push({ key: { kind: 'tag', tag }, characters: members });
  const rest = new Set([...other, ...[...byTag.values()].filter((members) => members.length < 2).flat()]);
  // In the given order, as everywhere else.
  const restInOrder = unsorted.filter((character) => rest.has(character));
  if (restInOrder.length > 0) groups.push({ key: { kind: 'other' }, characters: restInOrder });
  return groups;
}
