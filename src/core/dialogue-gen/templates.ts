// The prompt templates of dialogue generation, as data (English and Chinese), and the word lists its filters use.
//
// In the spirit of RoleLLM's Context-Instruct (questions drawn from a character's profile and
// script, each with a confidence score, then answered in the character's voice) and Ditto (an
// instruction-following model writes role-play as reading comprehension; about a quarter of the
// questions are beyond the character's world and must be deflected in character). Placeholders:
// {{char}} the character's name, {{count}} how many questions, {{kindTask}} the task of the kind.

import type { GeneratedSceneInfo, Lang } from '../types';

/** What a question is about: the character's own world and history, daily life, or the world outside theirs. */
export type QuestionKind = GeneratedSceneInfo['kind'];

export const QUESTION_KINDS: readonly QuestionKind[] = ['world', 'everyday', 'out-of-world'];

/** The kinds of character material a prompt can draw on, in the order they go in (and are kept when trimming). */
export type MaterialKind = 'description' | 'personality' | 'scenario' | 'example-dialogue' | 'lorebook' | 'script';

export const MATERIAL_KINDS: readonly MaterialKind[] = ['description', 'personality', 'scenario', 'example-dialogue', 'lorebook', 'script'];

export interface DialogueTemplates {
  /** Pass 1 system message: the model as a writer of interview questions. */
  questionSystem: string;
  /** Pass 1 user message around the material: {{count}}, {{char}}, {{kindTask}}. */
  questionTask: string;
  /** What each kind of question is, for pass 1. */
  kindTasks: Record<QuestionKind, string>;
  /** Pass 1: the questions written so far, so the model does not repeat them. */
  avoidHeading: string;
  /** Pass 2 system message: the model as the character. */
  answerSystem: string;
  /** Pass 2 extra rule per kind (the out-of-world deflection). */
  answerRules: Record<QuestionKind, string>;
  /** Pass 2 user message: {{question}}. */
  answerTask: string;
  /** Headings of each kind of material in both passes. */
  headings: Record<MaterialKind, string>;
  /**
   * Words that show a reply steps out of character (it speaks as an AI or a language model).
   * Matched case-insensitively; English ones as whole words.
   */
  aiMentions: readonly string[];
  /** Words that show a reply deflects an out-of-world question (does not know, asks what it is). */
  deflections: readonly string[];
}

const EN: DialogueTemplates = {
  questionSystem:
    'You write interview questions for a role-play character. You have read everything below about {{char}}. ' +
    'Reply with JSON only.',
  questionTask:
    'If you could meet {{char}}, what would you ask? Write {{count}} questions that differ in meaning. {{kindTask}} ' +
    'Each question is addressed to {{char}} as "you", stands on its own and is one or two sentences long. ' +
    'For each question give "confidence" (1-10): how sure you are that it is the kind of question asked for, ' +
    'and "completeness" (1-10): how well it can be understood without any other context.',
  kindTasks: {
    world:
      "Ask about {{char}}'s own world, history, relationships and the events of the material, so the answers can be found in it.",
    everyday:
      "Ask everyday questions anyone might be asked (food, weather, plans, opinions, feelings) that {{char}} can answer in their own way.",
    'out-of-world':
      "Ask about things {{char}} cannot know because they lie outside {{char}}'s world and time " +
      '(for example modern technology, real places or people of another era or universe).',
  },
  avoidHeading: 'Questions already written (do not repeat them):',
  answerSystem:
    'You are {{char}}. Stay in character: speak as {{char}} would, in the first person, with their knowledge, ' +
    'manner and voice. Never say that you are an AI, a model or an assistant. Reply with JSON only.',
  answerRules: {
    world: 'Answer from what you know of your own life and world.',
    everyday: 'Answer the way you, {{char}}, would answer it.',
    'out-of-world':
      'This question is about something outside your world. You do not know it: say that you do not know or ' +
      'have never heard of it, in your own voice, and do not explain it.',
  },
  answerTask: 'Question: {{question}}\nAnswer it as {{char}}.',
  headings: {
    description: 'Who {{char}} is',
    personality: 'Personality',
    scenario: 'Scenario',
    'example-dialogue': 'Example dialogue',
    lorebook: 'World notes',
    script: 'Scenes from the script',
  },
  aiMentions: [
    'as an ai', 'an ai model', 'ai language model', 'language model', 'large language model', "i'm an ai", 'i am an ai',
    'artificial intelligence', 'ai assistant', 'virtual assistant', 'chatbot', 'openai', 'my training data',
    'knowledge cutoff', 'i was trained',
  ],
  deflections: [
    "don't know", 'do not know', 'never heard', 'no idea', 'not sure what', "haven't heard", 'have not heard',
    'unfamiliar', "don't understand", 'do not understand', 'what do you mean', 'what is a', "what's a", 'what is that',
    "what's that", 'never seen', 'strange word', 'no clue', "can't say i know", 'not familiar',
  ],
};

const ZH: DialogueTemplates = {
  questionSystem: '你为一个角色扮演的角色撰写采访问题。你已读过下面关于{{char}}的全部资料。只用 JSON 回复。',
  questionTask:
    '如果你有机会见到{{char}}，你会问什么？请写出{{count}}个语义互不重复的问题。{{kindTask}}' +
    '每个问题都用"你"称呼{{char}}，能独立理解，一到两句话。' +
    '为每个问题给出 "confidence"（1-10）：你有多确定它属于所要求的问题类型；' +
    '以及 "completeness"（1-10）：不看其他上下文时它有多完整易懂。',
  kindTasks: {
    world: '问{{char}}自己的世界、经历、人际关系和资料里的事件，使答案能在资料中找到。',
    everyday: '问任何人都可能被问到的日常问题（饮食、天气、打算、看法、感受），让{{char}}用自己的方式回答。',
    'out-of-world': '问{{char}}不可能知道的事物，它们在{{char}}的世界和时代之外（例如现代科技、另一个时代或世界的真实地点和人物）。',
  },
  avoidHeading: '已经写过的问题（不要重复）：',
  answerSystem:
    '你是{{char}}。始终保持角色：以{{char}}的身份、用第一人称，按照{{char}}的知识、性格和语气说话。' +
    '绝不说自己是人工智能、模型或助手。只用 JSON 回复。',
  answerRules: {
    world: '根据你对自己生活和世界的了解来回答。',
    everyday: '像{{char}}本人那样回答。',
    'out-of-world': '这个问题涉及你的世界之外的事物。你并不知道它：用你自己的语气说你不知道或从未听说过，不要解释它。',
  },
  answerTask: '问题：{{question}}\n请以{{char}}的身份回答。',
  headings: {
    description: '{{char}}是谁',
    personality: '性格',
    scenario: '情境',
    'example-dialogue': '对话示例',
    lorebook: '世界设定',
    script: '剧本片段',
  },
  aiMentions: [
    '人工智能', '语言模型', '大模型', 'ai助手', 'ai 助手', '作为ai', '作为一个ai', '作为 ai', '我是ai', '我是一个ai',
    '聊天机器人', '虚拟助手', '训练数据', 'openai',
  ],
  deflections: [
    '不知道', '没听说', '没听过', '从没听', '从未听', '什么是', '是什么', '不明白', '不懂', '没见过', '不清楚', '不了解',
    '不认识', '听不懂', '闻所未闻',
  ],
};

export const DIALOGUE_TEMPLATES: Record<Lang, DialogueTemplates> = { en: EN, zh: ZH };

/** Fills `{{name}}` placeholders; unknown ones are left as written. Values are inserted once, never expanded again. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (match, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : match));
}
