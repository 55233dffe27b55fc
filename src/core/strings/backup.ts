// UI strings for one feature (Backup and restore of everything), English and Chinese; i18n.ts merges them.

const en = {} as const;

const zh: Record<keyof typeof en, string> = {};

export const backupStrings = { en, zh };
