// UI strings for one feature (Embedding models and background scene embedding), English and Chinese; i18n.ts merges them.

const en = {} as const;

const zh: Record<keyof typeof en, string> = {};

export const embeddingStrings = { en, zh };
