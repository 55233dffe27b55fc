// How an entry is named in the editor: its title (comment), else its name, else its id.

import type { MessageKey } from '../../core/i18n';
import type { LorebookEntry } from '../../core/types';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

export function entryTitle(t: T, entry: LorebookEntry): string {
  return entry.comment?.trim() || entry.name?.trim() || t('lore.untitled', { id: String(entry.id) });
}
