// The plain prompt: character card + persona + the visible branch -> chat messages that fit the window.
//
// Shape rules come from web-llm (and strict chat templates): exactly one system message and it is
// first; the last message is the user's; user and assistant alternate after the system message
// (an assistant greeting may come first). The whole prompt never exceeds contextWindow - replyTokens
// by our (conservative) count, because web-llm throws rather than truncating.
//
// Where the card's post-history instructions go: web-llm rejects a system message anywhere but
// first, so they cannot be a trailing system message. They are appended to the LAST user message,
// wrapped as "[System note: …]", because that is where small models actually follow them (a note at
// the end of a long system prompt is mostly ignored by 1-3B models). The cost: that user message
// differs from the one stored in history, so on the next turn web-llm's prefix check fails and it
// prefills the whole prompt again instead of reusing its KV cache. This only happens for cards
// that have post-history instructions, and it is the behaviour the card author asked for.
//
// What goes when the window is tight, in order: the example dialogue (V1 spec: prune examples
// once real history fills the context), then history from the oldest, then the post-history note,
// then the start of the user's message, and last the end of the system prompt.

import { AppError } from './errors';
import { expandMacros, type MacroContext } from './macros';
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS, PROMPT_OVERHEAD_TOKENS } from './tokens';
import type { CharacterFields, ChatTurn, Lang, SentPrompt } from './types';

export interface PlainPromptInput {
  character: CharacterFields;
  persona?: { name: string; description: string };
  /** Oldest first: the visible branch including the greeting; the LAST item is the new user message. */
  history: ChatTurn[];
  contextWindow: number;
  replyTokens: number;
  /** Defaults to `estimateTokens`; pass `TokenEstimator.count` for a per-model corrected count. */
  countTokens?: (text: string) => number;
}

/** The app's own system prompt per language; a card's system prompt can include it as {{original}}. */
export const DEFAULT_SYSTEM_TEMPLATE: Readonly<Record<Lang, string>> = {
  en:
    "You are {{char}} in a private, fictional role-play with {{user}}. Stay in character as {{char}} at all times: " +
    "speak, think and act only as {{char}}, never write {{user}}'s words or actions, and never say you are an AI. " +
    'Keep replies vivid and concise; write actions in *asterisks* and speech in quotes.',
  zh:
    '你是{{char}}，正在与{{user}}进行一场私密的虚构角色扮演。请始终保持{{char}}的身份：只以{{char}}的身份说话、思考和行动，' +
    '不要替{{user}}说话或行动，也不要说自己是AI。回复要生动、简洁；动作写在*星号*中，对话写在引号中。',
};

const LABELS: Readonly<Record<Lang, Record<'personality' | 'scenario' | 'catchphrases' | 'persona' | 'examples' | 'note' | 'separator', string>>> = {
  en: {
    personality: "{{char}}'s personality: ",
    scenario: 'Scenario: ',
    catchphrases: 'Catchphrases: ',
    persona: 'About {{user}}: ',
    examples: "Example dialogue (shows how {{char}} talks; not part of the story):\n",
    note: 'System note: ',
    separator: '; ',
  },
  zh: {
    personality: '{{char}}的性格：',
    scenario: '场景：',
    catchphrases: '口头禅：',
    persona: '关于{{user}}：',
    examples: '对话示例（展示{{char}}的说话方式，不属于当前剧情）：\n',
    note: '系统提示：',
    separator: '；',
  },
};

/** The name {{user}} gets when no persona is set. */
export function defaultUserName(lang: Lang): string {
  return lang === 'zh' ? '你' : 'User';
}

/** The name {{char}} gets: V3 says the nickname replaces the name. */
export function characterDisplayName(character: Pick<CharacterFields, 'name' | 'nickname' | 'language'>): string {
  return character.nickname?.trim() || character.name?.trim() || (character.language === 'zh' ? '角色' : 'Character');
}

/**
 * What every prompt builder checks first: the room left once the reply is reserved, and a history
 * that ends with the person's new message. Throws a typed error otherwise.
 */
export function checkPromptInput(input: { contextWindow: number; replyTokens: number; history?: ChatTurn[] }): {
  budget: number;
  available: number;
  history: ChatTurn[];
  last: ChatTurn;
} {
  const budget = Math.floor(input.contextWindow) - Math.max(0, Math.floor(input.replyTokens));
  const available = budget - PROMPT_OVERHEAD_TOKENS;
  if (!Number.isFinite(available) || available < 2 * MESSAGE_OVERHEAD_TOKENS + 8) {
    throw new AppError('context-exceeded', 'The context window is too small for the reply length', {
      contextWindow: input.contextWindow,
      replyTokens: input.replyTokens,
    });
  }
  const history = input.history ?? [];
  const last = history[history.length - 1];
  if (last === undefined || last.role !== 'user') {
    throw new AppError('generation-failed', 'A prompt must end with the person’s message');
  }
  return { budget, available, history, last };
}

export function buildPlainPrompt(input: PlainPromptInput): SentPrompt {
  const count = input.countTokens ?? estimateTokens;
  const cost = (content: string) => safeCount(count, content) + MESSAGE_OVERHEAD_TOKENS;
  const { character } = input;
  const lang: Lang = character.language === 'zh' ? 'zh' : 'en';
  const labels = LABELS[lang];
  const macros: MacroContext = {
    char: characterDisplayName(character),
    user: input.persona?.name?.trim() || defaultUserName(lang),
  };
  const expand = (text: string) => expandMacros(text ?? '', macros).trim();

  const { budget, available, history, last } = checkPromptInput(input);

  // --- system prompt
  const template = expandMacros(DEFAULT_SYSTEM_TEMPLATE[lang], macros);
  const head = character.systemPrompt?.trim() ? expandMacros(character.systemPrompt, { ...macros, original: template }).trim() : template;
  const parts = [head, expand(character.description)];
  const personality = expand(character.personality);
  if (personality) parts.push(expandMacros(labels.personality, macros) + personality);
  const scenario = expand(character.scenario);
  if (scenario) parts.push(labels.scenario + scenario);
  const catchphrases = (character.catchphrases ?? []).map(expand).filter(Boolean);
  if (catchphrases.length > 0) parts.push(labels.catchphrases + catchphrases.join(labels.separator));
  const personaText = expand(input.persona?.description ?? '');
  if (personaText) parts.push(expandMacros(labels.persona, macros) + personaText);
  const coreSystem = parts.filter(Boolean).join('\n\n');
  const examples = formatExamples(expand(character.exampleDialogue));
  const systemWithExamples = examples ? `${coreSystem}\n\n${expandMacros(labels.examples, macros)}${examples}` : coreSystem;

  // --- post-history instructions: into the last user message (see the note at the top)
  const phi = expandMacros(character.postHistoryInstructions ?? '', { ...macros, original: '' }).trim();
  const phiSuffix = phi ? (lang === 'zh' ? `\n\n【${labels.note}${phi}】` : `\n\n[${labels.note}${phi}]`) : '';

  // --- history: system turns become user notes (web-llm allows one system message, first);
  // empty turns (a reply stopped before its first token) are left out. Contents are not trimmed:
  // web-llm reuses its KV cache only when earlier messages come back exactly as they were.
  const prior: ChatTurn[] = [];
  for (const turn of history.slice(0, -1)) {
    const content = expandMacros(turn.content ?? '', macros);
    if (!content.trim()) continue;
    if (turn.role === 'system') prior.push({ role: 'user', content: lang === 'zh' ? `【${labels.note}${content}】` : `[${labels.note}${content}]` });
    else prior.push({ role: turn.role, content });
  }
  const userText = expandMacros(last.content ?? '', macros);

  // --- choose what fits, cheapest first; then verify on the assembled messages and back off.
  const systemCost = cost(coreSystem);
  let keep = 0;
  let withExamples = false;
  let withPhi = false;
  let systemText = coreSystem;
  let messageText = userText;

  if (systemCost + cost(userText + phiSuffix) <= available) {
    withPhi = phiSuffix !== '';
    let room = available - systemCost - cost(userText + phiSuffix);
    for (let k = prior.length - 1; k >= 0; k--) {
      const c = cost(prior[k].content);
      if (c > room) break; // contiguous: never skip an old message to fit an older one
      room -= c;
      keep++;
    }
    withExamples = keep === prior.length && examples !== '' && cost(systemWithExamples) - systemCost <= room;
  } else if (systemCost + cost(userText) > available) {
    // Even the system prompt and the message alone do not fit: cut the start of the message, and
    // the end of the system prompt if the message still needs room (it gets at least half).
    const userCost = cost(userText);
    const userTarget = Math.min(userCost, Math.max(available - systemCost, Math.floor(available / 2)));
    messageText = truncateTokens(userText, userTarget - MESSAGE_OVERHEAD_TOKENS, count, 'keep-end');
    systemText = truncateTokens(coreSystem, available - cost(messageText) - MESSAGE_OVERHEAD_TOKENS, count, 'keep-start');
  }

  for (let attempt = 0; ; attempt++) {
    const system = withExamples ? systemWithExamples : systemText;
    const messages = assemble(system, prior.slice(prior.length - keep), messageText + (withPhi ? phiSuffix : ''));
    const sections = measure(messages, cost);
    const total = sections.reduce((sum, s) => sum + s.tokens, 0);
    if (total <= budget) return { messages, sections, droppedMessages: prior.length - keep };
    // Only reached when merging or a non-additive count made the estimate above too low.
    if (withExamples) withExamples = false;
    else if (keep > 0) keep--;
    else if (withPhi) withPhi = false;
    else if (attempt < 40) {
      const over = total - budget;
      if (safeCount(count, messageText) > safeCount(count, systemText)) {
        messageText = truncateTokens(messageText, safeCount(count, messageText) - over, count, 'keep-end');
      } else {
        systemText = truncateTokens(systemText, safeCount(count, systemText) - over, count, 'keep-start');
      }
    } else {
      throw new AppError('context-exceeded', 'The prompt does not fit in the context window', { budget, total });
    }
  }
}

/** `<START>` blocks of example dialogue as plain text, one blank line between conversations. */
function formatExamples(text: string): string {
  if (!text) return '';
  return text
    .split(/<start>/i)
    .map((block) => block.trim())
    .filter(Boolean)
    .join('\n\n');
}

/** System first, then history with same-role neighbours merged, then the user message. */
function assemble(system: string, history: ChatTurn[], message: string): ChatTurn[] {
  const messages: ChatTurn[] = [{ role: 'system', content: system }];
  for (const turn of [...history, { role: 'user' as const, content: message }]) {
    const previous = messages[messages.length - 1];
    // Two user turns in a row (a reply that failed or was deleted) or two assistant turns: strict
    // chat templates reject them, so they become one turn.
    if (messages.length > 1 && previous.role === turn.role) {
      messages[messages.length - 1] = { role: turn.role, content: `${previous.content}\n\n${turn.content}` };
    } else {
      messages.push({ role: turn.role, content: turn.content });
    }
  }
  return messages;
}

function measure(messages: ChatTurn[], cost: (content: string) => number): SentPrompt['sections'] {
  let history = 0;
  for (let i = 1; i < messages.length - 1; i++) history += cost(messages[i].content);
  return [
    // The fixed per-prompt overhead (BOS, reply header) is counted with the system prompt.
    { name: 'system', tokens: cost(messages[0].content) + PROMPT_OVERHEAD_TOKENS },
    { name: 'history', tokens: history },
    { name: 'message', tokens: cost(messages[messages.length - 1].content) },
  ];
}

function safeCount(count: (text: string) => number, text: string): number {
  const n = count(text);
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0;
}

/**
 * Shortens text to at most `maxTokens` by `count`, keeping its start or its end and marking the
 * cut with "…". Binary search over the length; never splits a surrogate pair.
 */
export function truncateTokens(text: string, maxTokens: number, count: (text: string) => number, keep: 'keep-start' | 'keep-end'): string {
  if (safeCount(count, text) <= maxTokens) return text;
  if (maxTokens <= 0) return '';
  const piece = (length: number) => {
    if (keep === 'keep-start') {
      let end = length;
      if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      return text.slice(0, end).trimEnd() + '…';
    }
    let start = text.length - length;
    if (start < text.length && isLowSurrogate(text.charCodeAt(start))) start++;
    return '…' + text.slice(start).trimStart();
  };
  let lo = 0;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (safeCount(count, piece(mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  const best = piece(lo);
  return safeCount(count, best) <= maxTokens ? best : '';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
