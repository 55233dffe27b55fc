// UI strings for the message's focus scene in the prompt inspector (core/retrieval/message-focus.ts), English and Chinese; i18n.ts merges them.

const en = {
  'inspector.scene.focus': 'the new message’s own clear best match, so it goes first',
};

const zh: Record<keyof typeof en, string> = {
  'inspector.scene.focus': '与新消息本身明显最匹配的场景，因此排在最前',
};

export const sceneFocusStrings = { en, zh };
