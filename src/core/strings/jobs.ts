// UI strings for background jobs (progress, pause, resume, cancel), English and Chinese; i18n.ts merges them.

const en = {
  'jobs.progress': '{done} of {total}',
  'jobs.status.running': 'Running',
  'jobs.status.waiting': 'Waiting: a reply is being written',
  'jobs.status.paused': 'Paused',
  'jobs.status.done': 'Done',
  'jobs.status.cancelled': 'Cancelled',
  'jobs.status.failed': 'Stopped by an error',
  'jobs.pause': 'Pause',
  'jobs.resume': 'Resume',
  'jobs.cancel': 'Cancel',
  'jobs.remove': 'Remove',
  'jobs.needsModel': 'Load a model, then resume.',
};

const zh: Record<keyof typeof en, string> = {
  'jobs.progress': '{done} / {total}',
  'jobs.status.running': '进行中',
  'jobs.status.waiting': '等待中：正在写回复',
  'jobs.status.paused': '已暂停',
  'jobs.status.done': '已完成',
  'jobs.status.cancelled': '已取消',
  'jobs.status.failed': '因错误停止',
  'jobs.pause': '暂停',
  'jobs.resume': '继续',
  'jobs.cancel': '取消',
  'jobs.remove': '移除',
  'jobs.needsModel': '请先加载模型，再继续。',
};

export const jobStrings = { en, zh };
