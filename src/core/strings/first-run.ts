// UI strings for the first-run path (a character's chat in one click, a model offered in the chat,
// the suggested CPU models), English and Chinese; i18n.ts merges them.

const en = {
  'firstRun.chat': 'Chat',
  'firstRun.chatWith': 'Chat with {name}',
  'firstRun.offerGpu': '{name} suits this device: a {size} download, kept for next time.',
  'firstRun.offerCpu': '{name} runs on this device’s processor: a {size} download ({licence}), kept for next time.',
  'firstRun.load': 'Load {name}',
  'firstRun.otherModels': 'Other models',
  'firstRun.backToChat': 'Back to the chat',
  'firstRun.suggested': 'Suggested model',
  'firstRun.option': '{name} · {size} · {licence}',
  'firstRun.tooLarge': 'may not fit in this device’s memory',
  'firstRun.download': 'Download and load',
} as const;

const zh: Record<keyof typeof en, string> = {
  'firstRun.chat': '聊天',
  'firstRun.chatWith': '和 {name} 聊天',
  'firstRun.offerGpu': '{name} 适合这台设备：需下载 {size}，下载后保存以便下次使用。',
  'firstRun.offerCpu': '{name} 在这台设备的处理器上运行：需下载 {size}（{licence}），下载后保存以便下次使用。',
  'firstRun.load': '加载 {name}',
  'firstRun.otherModels': '其他模型',
  'firstRun.backToChat': '返回对话',
  'firstRun.suggested': '推荐模型',
  'firstRun.option': '{name} · {size} · {licence}',
  'firstRun.tooLarge': '这台设备的内存可能不够',
  'firstRun.download': '下载并加载',
};

export const firstRunStrings = { en, zh };
