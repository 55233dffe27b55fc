// UI strings for lorebook entries placed among the history ("at depth"): the entry form's position
// choices and the prompt inspector's line, English and Chinese; i18n.ts merges them.

const en = {
  'lore.position.an_top': 'Top of the author’s note',
  'lore.position.an_bottom': 'Bottom of the author’s note',
  'lore.position.at_depth': 'At a depth in the chat',
  'lore.position.other': 'Elsewhere (kept as imported)',
  'lore.position.otherHint': 'Hearth has no such place: the entry goes after the character, or with the triggered entries, and keeps its position when exported.',
  'lore.position.anHint': 'Goes next to the chat’s author’s note (at its depth); in a chat without one, after the character, or with the triggered entries.',
  'lore.f.depth': 'Depth (messages above the new one)',
  'lore.f.role': 'Sent as',
  'lore.role.0': 'System (a note in a user turn)',
  'lore.role.1': 'User',
  'lore.role.2': 'Assistant',
  'inspector.lore.at.depth': 'at depth {depth} in the chat',
  'inspector.section.lorebook-depth': 'Lorebook entries at a depth in the chat',
};

const zh: Record<keyof typeof en, string> = {
  'lore.position.an_top': '作者注释之前',
  'lore.position.an_bottom': '作者注释之后',
  'lore.position.at_depth': '对话中的指定深度',
  'lore.position.other': '其他位置（保留导入时的设置）',
  'lore.position.otherHint': 'Hearth 没有这个位置：条目放在角色之后或与触发的条目一起，导出时保留原位置。',
  'lore.position.anHint': '放在本对话的作者注释旁（同一深度）；没有作者注释的对话中，放在角色之后或与触发的条目一起。',
  'lore.f.depth': '深度（在新消息之上的消息数）',
  'lore.f.role': '发送身份',
  'lore.role.0': '系统（作为用户回合中的注释）',
  'lore.role.1': '用户',
  'lore.role.2': '助手',
  'inspector.lore.at.depth': '位于对话中深度 {depth} 处',
  'inspector.section.lorebook-depth': '位于对话中指定深度的世界书条目',
};

export const loreDepthStrings = { en, zh };
