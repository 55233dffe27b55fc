// UI strings for one feature (The prompt inspector and retrieval in chat), English and Chinese; i18n.ts merges them.

const en = {} as const;

const zh: Record<keyof typeof en, string> = {};

export const inspectorStrings = { en, zh };
