// UI strings for one feature (The model manager: stored models, space, persistence, custom models), English and Chinese; i18n.ts merges them.

const en = {} as const;

const zh: Record<keyof typeof en, string> = {};

export const managerStrings = { en, zh };
