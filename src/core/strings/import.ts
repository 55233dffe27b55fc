// UI strings for one feature (Importing characters, packs and lorebooks), English and Chinese; i18n.ts merges them.

const en = {} as const;

const zh: Record<keyof typeof en, string> = {};

export const importStrings = { en, zh };
