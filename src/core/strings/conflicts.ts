// UI strings for one feature (saves refused because another tab or window saved first), English and Chinese; i18n.ts merges them.

const en = {
  'error.chat-title-conflict': 'This chat was renamed to “{stored}” in another tab or window while you were renaming it here, so “{title}” was not saved (it would have undone that rename). Your title is still in the box: save again to use it anyway.',
  'error.chat-gone': 'This chat was deleted in another tab or window, so your change was not saved. Copy anything you want to keep.',
  'error.message-conflict': 'This message was changed in another tab or window while you were editing it here, so your edit was not saved (it would have undone that change). Your text is still in the editor: copy it, cancel to see the newer version, and edit again.',
  'error.persona-conflict': 'Your persona was changed or deleted in another tab or window while you were editing it here, so your persona changes were not saved (they would have undone that save). Your text is still in the form: copy what you want to keep, reload the page to see the newer version, and edit again.',
  'error.lorebook-conflict': '“{name}” was changed or deleted in another tab or window just before your change, so your change was not saved. The list now shows the newer version; change it again if you still want to.',
} as const;

const zh: Record<keyof typeof en, string> = {
  'error.chat-title-conflict': '你在这里重命名时，这个对话已在另一个标签页或窗口中被改名为“{stored}”，所以“{title}”没有保存（否则会覆盖那次改名）。你的标题还在输入框里：再次保存即可使用它。',
  'error.chat-gone': '这个对话已在另一个标签页或窗口中被删除，所以你的修改没有保存。请先复制想保留的内容。',
  'error.message-conflict': '你在这里编辑这条消息时，它已在另一个标签页或窗口中被修改，所以你的编辑没有保存（否则会覆盖那次修改）。你的文字还在编辑框里：请先复制，取消后查看新版本，再重新编辑。',
  'error.persona-conflict': '你在这里编辑人设时，它已在另一个标签页或窗口中被修改或删除，所以人设的修改没有保存（否则会覆盖那次保存）。你的文字还在表单里：请先复制想保留的内容，重新加载页面查看新版本后再编辑。',
  'error.lorebook-conflict': '就在你修改之前，“{name}”已在另一个标签页或窗口中被修改或删除，所以你的修改没有保存。列表现在显示的是新版本；如仍需要，请再改一次。',
};

export const conflictStrings = { en, zh };
