// UI strings in English and Chinese, and the pure lookup that fills in {placeholders}.

import type { ErrorCode } from './errors';
import { backupStrings } from './strings/backup';
import { characterStrings } from './strings/character';
import { conflictStrings } from './strings/conflicts';
import { lorebookEditorStrings } from './strings/lorebook-editor';
import { embeddingStrings } from './strings/embeddings';
import { firstRunStrings } from './strings/first-run';
import { chatStrings } from './strings/chats';
import { memoryStrings } from './strings/memory';
import { jobStrings } from './strings/jobs';
import { loreDepthStrings } from './strings/lore-depth';
import { groupStrings } from './strings/groups';
import { dialogueGenStrings } from './strings/dialogue-gen';
import { importStrings } from './strings/import';
import { inspectorStrings } from './strings/inspector';
import { managerStrings } from './strings/manager';
import { offlineStrings } from './strings/offline';
import { sceneFocusStrings } from './strings/scene-focus';
import { snapshotStrings } from './strings/snapshots';
import { serverStrings } from './strings/server';
import { companionStrings } from './strings/companion';
import { samplingStrings } from './strings/sampling';
import { evaluationStrings } from './strings/evaluation';

export type UiLang = 'en' | 'zh';

const base = {
  'app.name': 'Hearth',
  'app.tagline': 'Private role-play. The model runs on your device; nothing leaves it.',
  'app.skipToContent': 'Skip to content',
  'nav.characters': 'Characters',
  'nav.models': 'Models',
  'nav.settings': 'Settings',
  'nav.main': 'Main',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.zh': '中文',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.save': 'Save',
  'common.delete': 'Delete',
  'common.undo': 'Undo',
  'common.dismiss': 'Dismiss',
  'toast.repeated': 'given {count} times',
  'common.back': 'Back',
  'common.loading': 'Loading…',
  'markup.showMore': 'Show more',
  'markup.shown': 'Showing {shown} of {total} characters.',
  'gallery.title': 'Characters',
  'gallery.search': 'Search characters',
  'gallery.tags': 'Filter by tag',
  'gallery.allTags': 'All',
  'gallery.moreTags': '+{count} more tags',
  'gallery.fewerTags': 'Fewer tags',
  'gallery.empty': 'No character matches “{query}”.',
  'gallery.open': 'Open',
  'character.newChat': 'New chat',
  'character.chats': 'Conversations',
  'character.noChats': 'No conversations yet. Start one — {name} is waiting.',
  'character.creatorNotes': 'Creator’s notes',
  'character.about': 'About',
  'character.personality': 'Personality',
  'character.scenario': 'Scenario',
  'character.messages': '{count} messages',
  'character.renameChat': 'Rename conversation',
  'character.deleteChat': 'Delete conversation',
  'character.chatDeleted': 'Conversation deleted.',
  'character.notFound': 'This character no longer exists.',
  'chat.message': 'Message',
  'chat.placeholder': 'Write your message… (Enter sends, Shift+Enter for a new line)',
  'chat.placeholderAs': 'Write as {user}… (Enter sends, Shift+Enter for a new line)',
  'chat.placeholderTouch': 'Write your message…',
  'chat.placeholderAsTouch': 'Write as {user}…',
  'chat.send': 'Send',
  'chat.stop': 'Stop',
  'chat.regenerate': 'Regenerate',
  'chat.continue': 'Reply',
  'chat.edit': 'Edit',
  'chat.editMessage': 'Edit message',
  'chat.saveEdit': 'Save edit',
  'chat.delete': 'Delete message',
  'chat.deleted': 'Message deleted.',
  'chat.copy': 'Copy',
  'chat.copied': 'Copied.',
  'chat.prevSwipe': 'Previous version',
  'chat.nextSwipe': 'Next version',
  'chat.swipeOf': '{index} of {count}',
  'chat.earlier': 'Show earlier messages ({count} more)',
  'chat.noModel': 'No model is loaded yet. Choose one to start chatting — it runs entirely on your device.',
  'chat.chooseModel': 'Choose a model',
  'chat.loadAgain': 'Load {name} again',
  'chat.stopped': 'Stopped',
  'chat.stoppedEmpty': 'Stopped before anything was written.',
  'chat.tryAgain': 'Try again',
  'chat.interrupted': 'Interrupted — the page closed before the reply finished.',
  'chat.failed': 'The reply failed; what was written is kept.',
  'chat.writing': '{name} is writing…',
  'chat.usage': '{prompt} prompt + {completion} reply tokens',
  'chat.speed': '{speed} tokens/s',
  'chat.conversationWith': 'Conversation with {name}',
  'chat.notFound': 'This conversation no longer exists.',
  'models.title': 'Models',
  'models.intro': 'Models run in this browser. The first load downloads the weights once; later loads come from the browser cache.',
  'models.model': 'Model',
  'models.load': 'Load',
  'models.unload': 'Unload',
  'models.cancel': 'Cancel loading',
  'models.recommended': 'recommended',
  'models.tooLarge': 'may not fit',
  'models.tight': 'tight fit',
  'models.loaded': 'Loaded: {name}',
  'models.noneLoaded': 'No model loaded',
  'models.ready': 'Ready',
  'models.gpu': 'Graphics (WebGPU)',
  'models.gpuOk': 'WebGPU available: {adapter}.',
  'models.gpuNoF16': 'This GPU has no 16-bit float support, so only q4f32 variants are offered.',
  'models.gpuMissing': 'WebGPU is not available in this browser ({reason}). Use the CPU engine with a GGUF model instead, or open the app in a recent Chrome or Edge.',
  'models.gpuProbing': 'Checking your graphics…',
  'models.cpu': 'CPU engine (GGUF)',
  'models.cpuIntro': 'Runs any GGUF chat model on the processor. Slower than WebGPU, works everywhere. Small models (under 2 GB) work best.',
  'models.ggufFile': 'Load GGUF model',
  'models.ggufUrl': 'GGUF model URL',
  'models.loadUrl': 'Load from URL',
  'models.progress': '{percent}% — {text}',
  'models.progressUnknown': '{text}',
  'models.bytes': '{loaded} of {total}',
  'models.threads': 'multi-threaded',
  'models.singleThread': 'single-threaded',
  'models.context': '{tokens} tokens of context',
  'models.size': '{size}',
  'settings.title': 'Settings',
  'settings.persona': 'You',
  'settings.personaName': 'Your name',
  'settings.personaDescription': 'About you (optional, the character sees this)',
  'settings.sampling': 'Replies',
  'settings.temperature': 'Creativity (temperature)',
  'settings.maxTokens': 'Longest reply (tokens)',
  'settings.saved': 'Saved.',
  'settings.storage': 'Storage',
  'settings.storageNote': 'Characters and conversations are kept in this browser (IndexedDB) and survive reloads.',
  'startup.failed': 'Hearth could not start.',
  'error.title': 'Something went wrong',
  'error.no-webgpu': 'WebGPU is not available here. Use the CPU engine with a GGUF model, or open Hearth in a recent Chrome or Edge.',
  'error.no-shader-f16': 'This GPU cannot run 16-bit (q4f16) models. Pick the q4f32 variant of the model.',
  'error.model-too-large': 'This model is too large for this device. Pick a smaller model.',
  'error.offline': 'The model could not be downloaded: you appear to be offline. Connect to the internet for the first download, or load a GGUF file from your disk.',
  'error.download-failed': 'The model download failed ({detail}). Check your connection and try again.',
  'error.not-found': 'The model was not found at its address (HTTP 404). Check the URL or pick another model.',
  'error.quota': 'The browser ran out of storage space for this model. Delete unused models or free disk space, then try again.',
  'error.not-gguf': '“{file}” is not a GGUF model file. Pick a file ending in .gguf.',
  'error.model-load-failed': 'The model could not be loaded ({detail}). Try again, or pick a smaller model.',
  'error.storage-unavailable': 'This browser does not allow storage here (private window or storage disabled), so characters and chats cannot be kept. Open Hearth in a normal window or allow site data.',
  'error.engine-crashed': 'The model stopped working (its engine crashed). Your conversation is saved. Load the model again to go on.',
  'error.device-lost': 'The GPU stopped responding (device lost), often from running out of graphics memory. Your conversation is saved. Load the model again or pick a smaller one.',
  'error.context-exceeded': 'The conversation no longer fits in the model’s context window. Start a new chat or pick a model with a larger window.',
  'error.no-model': 'No model is loaded. Choose a model first.',
  'error.busy': 'A reply is already being written. Stop it first.',
  'error.aborted': 'Cancelled.',
  'error.generation-failed': 'The reply failed ({detail}). What was written is kept; try Regenerate.',
  'error.unknown': 'Unexpected error: {detail}',
} as const;

/** Each feature keeps its strings in strings/<feature>.ts (both languages side by side). */
const features = [
  importStrings, characterStrings, conflictStrings, embeddingStrings, inspectorStrings, offlineStrings,
  managerStrings, backupStrings, snapshotStrings, firstRunStrings, serverStrings, sceneFocusStrings,
  companionStrings, samplingStrings, lorebookEditorStrings, chatStrings, memoryStrings, loreDepthStrings,
  jobStrings, groupStrings, dialogueGenStrings, evaluationStrings,
] as const;

const en = {
  ...base,
  ...importStrings.en,
  ...characterStrings.en,
  ...conflictStrings.en,
  ...embeddingStrings.en,
  ...inspectorStrings.en,
  ...offlineStrings.en,
  ...managerStrings.en,
  ...backupStrings.en,
  ...snapshotStrings.en,
  ...firstRunStrings.en,
  ...serverStrings.en,
  ...sceneFocusStrings.en,
  ...companionStrings.en,
  ...samplingStrings.en,
  ...lorebookEditorStrings.en,
  ...chatStrings.en,
  ...memoryStrings.en,
  ...loreDepthStrings.en,
  ...evaluationStrings.en,
  ...jobStrings.en,
  ...groupStrings.en,
  ...dialogueGenStrings.en,
};

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const zhBase: Record<keyof typeof base, string> = {
  'app.name': 'Hearth 炉边',
  'app.tagline': '私密角色扮演。模型在你的设备上运行，数据不会离开。',
  'app.skipToContent': '跳到正文',
  'nav.characters': '角色',
  'nav.models': '模型',
  'nav.settings': '设置',
  'nav.main': '主导航',
  'lang.label': '语言',
  'lang.en': 'English',
  'lang.zh': '中文',
  'common.cancel': '取消',
  'common.close': '关闭',
  'common.save': '保存',
  'common.delete': '删除',
  'common.undo': '撤销',
  'common.dismiss': '知道了',
  'toast.repeated': '出现了 {count} 次',
  'common.back': '返回',
  'common.loading': '加载中…',
  'markup.showMore': '显示更多',
  'markup.shown': '已显示 {total} 个字符中的 {shown} 个。',
  'gallery.title': '角色',
  'gallery.search': '搜索角色',
  'gallery.tags': '按标签筛选',
  'gallery.allTags': '全部',
  'gallery.moreTags': '还有 {count} 个标签',
  'gallery.fewerTags': '收起标签',
  'gallery.empty': '没有匹配“{query}”的角色。',
  'gallery.open': '打开',
  'character.newChat': '新对话',
  'character.chats': '对话',
  'character.noChats': '还没有对话。开始一段吧——{name} 正在等你。',
  'character.creatorNotes': '作者说明',
  'character.about': '简介',
  'character.personality': '性格',
  'character.scenario': '场景',
  'character.messages': '{count} 条消息',
  'character.renameChat': '重命名对话',
  'character.deleteChat': '删除对话',
  'character.chatDeleted': '对话已删除。',
  'character.notFound': '这个角色已不存在。',
  'chat.message': '消息',
  'chat.placeholder': '输入消息…（Enter 发送，Shift+Enter 换行）',
  'chat.placeholderAs': '以“{user}”的身份输入…（Enter 发送，Shift+Enter 换行）',
  'chat.placeholderTouch': '输入消息…',
  'chat.placeholderAsTouch': '以“{user}”的身份输入…',
  'chat.send': '发送',
  'chat.stop': '停止',
  'chat.regenerate': '重新生成',
  'chat.continue': '回复',
  'chat.edit': '编辑',
  'chat.editMessage': '编辑消息',
  'chat.saveEdit': '保存修改',
  'chat.delete': '删除消息',
  'chat.deleted': '消息已删除。',
  'chat.copy': '复制',
  'chat.copied': '已复制。',
  'chat.prevSwipe': '上一个版本',
  'chat.nextSwipe': '下一个版本',
  'chat.swipeOf': '第 {index} / {count} 个',
  'chat.earlier': '显示更早的消息（还有 {count} 条）',
  'chat.noModel': '还没有加载模型。选择一个模型开始聊天——它完全在你的设备上运行。',
  'chat.chooseModel': '选择模型',
  'chat.loadAgain': '重新加载 {name}',
  'chat.stopped': '已停止',
  'chat.stoppedEmpty': '在写出任何内容之前就停止了。',
  'chat.tryAgain': '重试',
  'chat.interrupted': '已中断——回复完成前页面被关闭了。',
  'chat.failed': '回复失败；已写出的内容已保留。',
  'chat.writing': '{name} 正在输入…',
  'chat.usage': '提示 {prompt} + 回复 {completion} 个词元',
  'chat.speed': '每秒 {speed} 个词元',
  'chat.conversationWith': '与 {name} 的对话',
  'chat.notFound': '这个对话已不存在。',
  'models.title': '模型',
  'models.intro': '模型在本浏览器中运行。首次加载会下载一次权重，之后从浏览器缓存读取。',
  'models.model': '模型',
  'models.load': '加载',
  'models.unload': '卸载',
  'models.cancel': '取消加载',
  'models.recommended': '推荐',
  'models.tooLarge': '可能放不下',
  'models.tight': '勉强可用',
  'models.loaded': '已加载：{name}',
  'models.noneLoaded': '未加载模型',
  'models.ready': '就绪',
  'models.gpu': '显卡（WebGPU）',
  'models.gpuOk': 'WebGPU 可用：{adapter}。',
  'models.gpuNoF16': '此显卡不支持 16 位浮点，只提供 q4f32 版本。',
  'models.gpuMissing': '此浏览器无法使用 WebGPU（{reason}）。请改用 CPU 引擎加载 GGUF 模型，或在新版 Chrome / Edge 中打开。',
  'models.gpuProbing': '正在检测显卡…',
  'models.cpu': 'CPU 引擎（GGUF）',
  'models.cpuIntro': '在处理器上运行任意 GGUF 对话模型。比 WebGPU 慢，但到处可用。小模型（2 GB 以下）效果最好。',
  'models.ggufFile': '加载 GGUF 模型',
  'models.ggufUrl': 'GGUF 模型网址',
  'models.loadUrl': '从网址加载',
  'models.progress': '{percent}% —— {text}',
  'models.progressUnknown': '{text}',
  'models.bytes': '{loaded} / {total}',
  'models.threads': '多线程',
  'models.singleThread': '单线程',
  'models.context': '上下文 {tokens} 个词元',
  'models.size': '{size}',
  'settings.title': '设置',
  'settings.persona': '你',
  'settings.personaName': '你的名字',
  'settings.personaDescription': '关于你（可选，角色能看到）',
  'settings.sampling': '回复',
  'settings.temperature': '创造性（温度）',
  'settings.maxTokens': '最长回复（词元）',
  'settings.saved': '已保存。',
  'settings.storage': '存储',
  'settings.storageNote': '角色和对话保存在本浏览器（IndexedDB）中，刷新后仍在。',
  'startup.failed': 'Hearth 无法启动。',
  'error.title': '出了点问题',
  'error.no-webgpu': '这里无法使用 WebGPU。请用 CPU 引擎加载 GGUF 模型，或在新版 Chrome / Edge 中打开。',
  'error.no-shader-f16': '此显卡无法运行 16 位（q4f16）模型。请选择该模型的 q4f32 版本。',
  'error.model-too-large': '这个模型对本设备来说太大了。请选择更小的模型。',
  'error.offline': '无法下载模型：你似乎处于离线状态。首次下载需要联网，或者从磁盘加载 GGUF 文件。',
  'error.download-failed': '模型下载失败（{detail}）。请检查网络后重试。',
  'error.not-found': '在该地址找不到模型（HTTP 404）。请检查网址或选择其他模型。',
  'error.quota': '浏览器的存储空间不足以保存这个模型。请删除不用的模型或释放磁盘空间后重试。',
  'error.not-gguf': '“{file}”不是 GGUF 模型文件。请选择 .gguf 结尾的文件。',
  'error.model-load-failed': '模型加载失败（{detail}）。请重试，或选择更小的模型。',
  'error.storage-unavailable': '此浏览器不允许在这里存储数据（无痕窗口或禁用了存储），角色和对话无法保存。请在普通窗口中打开或允许网站数据。',
  'error.engine-crashed': '模型停止工作了（引擎崩溃）。你的对话已保存。请重新加载模型后继续。',
  'error.device-lost': '显卡停止响应（设备丢失），通常是显存不足。你的对话已保存。请重新加载模型或选择更小的模型。',
  'error.context-exceeded': '对话已超出模型的上下文窗口。请开始新对话或选择上下文更大的模型。',
  'error.no-model': '还没有加载模型。请先选择一个模型。',
  'error.busy': '正在生成回复。请先停止。',
  'error.aborted': '已取消。',
  'error.generation-failed': '回复失败（{detail}）。已写出的内容已保留；可以点“重新生成”。',
  'error.unknown': '意外错误：{detail}',
};

const zh = Object.assign({}, zhBase, ...features.map((feature) => feature.zh)) as Dictionary;

const dictionaries: Record<UiLang, Dictionary> = { en, zh };

export type Params = Record<string, string | number>;

export function translate(lang: UiLang, key: MessageKey, params: Params = {}): string {
  const template = dictionaries[lang][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The sentence a person reads for an error code. */
export function errorSentence(lang: UiLang, code: ErrorCode, details: Params = {}): string {
  return translate(lang, `error.${code}` as MessageKey, { detail: '', file: '', ...details });
}

/** Pick the UI language from the browser's preferences. */
export function detectLang(languages: readonly string[]): UiLang {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB'];
  const exponent = Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const value = bytes / 1024 ** exponent;
  return `${value >= 100 || exponent === 0 ? Math.round(value) : value.toFixed(1)} ${units[exponent]}`;
}

export const dictionaryKeys = Object.keys(en) as MessageKey[];
export const dictionariesForTest = dictionaries;
