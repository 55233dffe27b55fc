// UI strings for one feature (The character editor, export, duplicate and the corpus view), English and Chinese; i18n.ts merges them.

const en = {} as const;

const zh: Record<keyof typeof en, string> = {};

export const characterStrings = { en, zh };
