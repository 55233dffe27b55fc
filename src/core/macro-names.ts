// The names {{char}} and {{user}} stand for, in prompts and wherever the app shows card text.

import type { CharacterFields, Lang } from './types';

/** The name {{user}} gets when no persona is set. */
export function defaultUserName(lang: Lang): string {
  return lang === 'zh' ? '你' : 'User';
}

/** The name {{char}} gets: V3 says the nickname replaces the name. */
export function characterDisplayName(character: Pick<CharacterFields, 'name' | 'nickname' | 'language'>): string {
  return character.nickname?.trim() || character.name?.trim() || (character.language === 'zh' ? '角色' : 'Character');
}
