// UI strings for one feature (The installable app: updates, offline state), English and Chinese; i18n.ts merges them.

const en = {
  'offline.updateReady': 'A new version of Hearth is ready.',
  'offline.reloadToUpdate': 'Reload to update',
  'offline.later': 'Later',
  'offline.ready': 'Hearth is saved on this device and now works offline.',
  'offline.status': 'Offline',
  'offline.statusHint': 'No network. Your characters, chats and a loaded model keep working; downloads wait until you are back online.',
} as const;

const zh: Record<keyof typeof en, string> = {
  'offline.updateReady': 'Hearth 有新版本可用。',
  'offline.reloadToUpdate': '重新加载以更新',
  'offline.later': '稍后',
  'offline.ready': 'Hearth 已保存在此设备上，现在可以离线使用。',
  'offline.status': '离线',
  'offline.statusHint': '没有网络。角色、对话和已加载的模型照常可用；下载会等到恢复联网后再进行。',
};

export const offlineStrings = { en, zh };
