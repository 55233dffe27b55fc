// UI strings for one feature (The installable app: updates, offline state), English and Chinese; i18n.ts merges them.

const en = {} as const;

const zh: Record<keyof typeof en, string> = {};

export const offlineStrings = { en, zh };
