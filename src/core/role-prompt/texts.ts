// The fixed wording the role prompt adds, per language: the role template, ChatHaruhi's scene header
// and separator, and the labels and notes around card fields.

import type { Lang } from '../types';

/** The role system prompt per language; a card's system prompt can include it as {{original}}. */
export const ROLE_SYSTEM_TEMPLATE: Readonly<Record<Lang, string>> = {
  en:
    "You are {{char}} in a private, fictional role-play with {{user}}. Stay in character as {{char}} at all times: " +
    "answer the way {{char}} would, with {{char}}'s tone, manner, vocabulary and knowledge. Speak, think and act only as " +
    "{{char}}; never write {{user}}'s words or actions, and never say you are an AI. " +
    'Keep replies vivid and concise; write actions in *asterisks* and speech in quotes.',
  zh:
    '你是{{char}}，正在与{{user}}进行一场私密的虚构角色扮演。请始终保持{{char}}的身份：用{{char}}的语气、方式、词汇和知识来回答。' +
    '只以{{char}}的身份说话、思考和行动，不要替{{user}}说话或行动，也不要说自己是AI。回复要生动、简洁；动作写在*星号*中，对话写在引号中。',
};

/** ChatHaruhi's scene block header (`story_prefix_prompt`) and separator (`dialogue_divide_token`). */
export const SCENES_HEADER: Readonly<Record<Lang, string>> = {
  en: 'Classic scenes for the role are as follows:',
  zh: '角色的经典场景如下：',
};
export const SCENE_SEPARATOR = '\n###\n';

/** The knowledge section's header: passages of the pack's knowledge texts, facts rather than lines to imitate. */
export const KNOWLEDGE_HEADER: Readonly<Record<Lang, string>> = {
  en: 'What the role knows (background, not dialogue):',
  zh: '角色了解的背景知识（资料，不是对白）：',
};

export const LABELS: Readonly<Record<Lang, Record<
  'personality' | 'scenario' | 'catchphrases' | 'persona' | 'examples' | 'note' | 'separator' | 'lore' | 'marker' | 'nudge',
  string
>>> = {
  en: {
    personality: "{{char}}'s personality: ",
    scenario: 'Scenario: ',
    catchphrases: "{{char}}'s catchphrases: ",
    persona: 'About {{user}}: ',
    examples: 'The first exchanges below are examples of how {{char}} talks; they are not part of the story.',
    note: 'System note: ',
    separator: '; ',
    lore: 'World info: ',
    marker: '[The role-play with {{user}} follows. Stay in character as {{char}}.]',
    nudge: '(Go on.)',
  },
  zh: {
    personality: '{{char}}的性格：',
    scenario: '场景：',
    catchphrases: '{{char}}的口头禅：',
    persona: '关于{{user}}：',
    examples: '下面开头的几轮对话只是{{char}}说话方式的示例，不属于当前剧情。',
    note: '系统提示：',
    separator: '；',
    lore: '世界设定：',
    marker: '【以下是与{{user}}的角色扮演，请始终以{{char}}的身份回应。】',
    nudge: '（继续）',
  },
};

export type Labels = (typeof LABELS)[Lang];

/** A note inside a user message: "[label text]", or 【…】 in Chinese. */
export function wrapNote(lang: Lang, label: string, text: string): string {
  return lang === 'zh' ? `【${label}${text}】` : `[${label}${text}]`;
}
