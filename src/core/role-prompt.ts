// The role-play prompt (RoleGPT + ChatHaruhi): role system prompt, few-shot turns, lorebook, retrieved scenes and history, laid out so the engine's KV cache survives from turn to turn.
//
// Message layout:
//
//   0  system     role template (or the card's system prompt with {{original}}), constant lorebook
//                 entries (before or after the character, as their `position` says), description,
//                 personality, scenario, catchphrases, persona, and a line saying the next turns
//                 are examples                                              <- stable for a chat
//   1… user/asst  few-shot exchanges from the card's example dialogue (RoleGPT), in card order,
//                 as many as the few-shot budget holds                      <- stable for a chat
//   c  user       the context block: triggered lorebook entries, ChatHaruhi's "Classic scenes for
//                 the role are as follows:" block (best score first, `\n###\n` between scenes), a
//                 one-line chat-start marker                                <- changes rarely
//   …  user/asst  history, replayed exactly as sent                         <- append-only
//   n  user       [new scenes] [new lorebook hits] the new message [post-history instructions]
//
// Why (research/webllm-engine.md §1): web-llm reuses its KV cache only when the new prompt's
// messages[:-1] equal the previous prompt plus the reply, exactly; llama.cpp (wllama) reuses the
// longest common token prefix. So what never changes comes first, what changes per turn goes last,
// and what changes now and then sits in between and changes as seldom as possible:
// - System and few-shot depend only on the card, persona, window and reply length: byte-identical
//   on every turn of a chat.
// - Retrieval is per turn by nature. Its block sits right after the few-shot turns, ChatHaruhi's
//   place for it, and is built when the prompt is built afresh. Between fresh builds a turn is a
//   pure append (previous messages + reply + new message). When the topic moves in between (scored
//   with the new retrieval, the old scenes keep less than half the relevance of as many of the best
//   new ones), the best new scenes, a third of a block's worth, ride on the new user message, as
//   ChatHaruhi puts scenes in a user message before the query; lorebook entries that start to
//   trigger ride there too, as a "[World info: …]" note. Being in the last message, they break
//   nothing; at the next fresh build they move into the context block. (`onTopicMove: 'rebuild'`
//   rebuilds at once instead: a full prefill on web-llm.) Rebuilding the block every turn, as
//   ChatHaruhi does, would cost a full prefill every turn.
// - The engine's cache rule (`cache`, passed by the app for the loaded engine) sets what a fresh
//   build costs and so what it does. 'exact-messages' (web-llm): every fresh build is a full
//   prefill, so it refreshes scenes and lorebook entries too (free at that point). 'token-prefix'
//   (llama.cpp): a fresh build re-prefills only what follows the first change, so it keeps the
//   context block whenever the topic has not moved (entries that started to trigger ride on the new
//   message as a note), and a topic move rebuilds the block at once (block plus retained history,
//   about a third of the prompt, not all of it), giving the new subject a full block at once.
//   Unset: the block is kept when neither topic nor lorebook hits changed, and moves append.
// - History's room is its budget plus whatever the few-shot turns and the context block leave
//   unused (fixed between fresh builds, since those sections are). A fresh build fills only
//   `retain` of it with the newest turns, leaving room for the next several turns to append. When
//   an append would not fit, the prompt is built afresh, keeping the context block if the topic has
//   not moved (llama.cpp then reuses everything up to the history). Dropping one old message per
//   turn instead, as a plain builder does once history is full, breaks the cache on every turn.
//   Retained history keeps whole exchanges, as ChatHaruhi keeps (query, response) pairs: when the
//   retain share cuts between a message and its reply, the orphaned reply goes too (older turns are
//   re-prefilled at every fresh build, and a reply without its question misleads).
// - Regenerating the same turn returns the very same prompt.
// - Post-history instructions end the new user message as "[System note: …]" (web-llm allows one
//   system message only, and small models follow a note there); earlier user messages are replayed
//   as sent, notes included.
// Every prompt: exactly one system message, first; roles alternate after it (same-role neighbours
// merged); the last message is the person's; prompt + reply never exceed the window, by the same
// conservative count as the plain builder.
//
// Budgets scale with the window from ChatHaruhi's reference point, 1,500 tokens of scenes and 1,200
// of history at 4,096; few-shot 600 and lorebook 400 (constant entries first) at 4,096; 128
// reserved for the new message. History is planned first, then few-shot, then the context block
// (lorebook before scenes); what a section leaves unused goes to history.

import { AppError } from './errors';
import { hashText } from './hash';
import { parseExampleDialogue } from './example-dialogue';
import { matchLorebook, type LoreMatch } from './lorebook';
import { expandMacros, type MacroContext } from './macros';
import { characterDisplayName, defaultUserName } from './macro-names';
import { safeCount, truncateTokens } from './token-fit';
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS, PROMPT_OVERHEAD_TOKENS } from './tokens';
import type {
  CharacterFields, ChatTurn, ContextRefresh, InspectorLore, InspectorScene, Lang, Lorebook, PromptLayout, PromptSection, RolePromptInspector, SectionName, SentPrompt,
} from './types';

// The record a prompt carries is stored with each reply, so its types live in core/types.
export type { ContextRefresh, InspectorLore, InspectorScene, PromptLayout, RolePromptInspector, SectionName };

// ---------------------------------------------------------------- public shapes

/** A scene the retrieval layer found for the new message; a higher score is better. */
export interface RetrievedScene {
  id: string;
  text: string;
  score: number;
  title?: string;
}

export interface RoleBudgets {
  history: number;
  scenes: number;
  fewShot: number;
  /** All lorebook entries together (constant ones included). The book's own budget caps it. */
  lore: number;
  /** Room kept for the new message (post-history note included) so the plan does not move per turn. */
  messageReserve: number;
  /** Share of history's room a cache-aware fresh build fills (0..1); the rest is left for appends. */
  retain: number;
}

export interface RolePromptInput {
  character: CharacterFields;
  persona?: { name: string; description: string };
  lorebook?: Lorebook;
  /** Oldest first: the visible branch including the greeting; the LAST item is the new user message. */
  history: ChatTurn[];
  /** Scenes retrieved for the new message, any order. */
  scenes?: RetrievedScene[];
  contextWindow: number;
  replyTokens: number;
  /** Defaults to `estimateTokens`; pass `TokenEstimator.count` for a per-model corrected count. */
  countTokens?: (text: string) => number;
  /** The prompt sent for the previous reply (as this function returned it), for the cache-aware layout. */
  previous?: SentPrompt;
  /** 'cache-aware' (default) or 'rebuild': everything fresh each turn, history filled to its budget. */
  layout?: 'cache-aware' | 'rebuild';
  /** Overrides the scene-relevance test for whether the topic moved. */
  topicMoved?: boolean;
  /**
   * What a topic move does between rebuilds. 'append' (default, except on a token-prefix engine):
   * the new scenes ride on the new message (the cache survives; the context block catches up at the
   * next rebuild). 'rebuild' (default with `cache: 'token-prefix'`): the context block is rebuilt at
   * once (a full prefill on web-llm; the block and the retained history on llama.cpp).
   */
  onTopicMove?: 'append' | 'rebuild';
  /** How the loaded engine reuses its KV cache; shapes what a fresh build keeps (see RoleCacheRule). */
  cache?: RoleCacheRule;
  /** Seed for {{random}}, {{pick}}, {{roll}} (use the conversation id). Defaults to the character's name. */
  seed?: string | number;
  /** Absolute token budgets replacing the scaled ones. */
  budgets?: Partial<RoleBudgets>;
}

/**
 * 'exact-messages' (web-llm): the cache survives only when messages[:-1] equal the previous
 * conversation, so any fresh build is a full prefill. 'token-prefix' (llama.cpp / wllama): the
 * longest identical token prefix survives, so a fresh build pays only from its first change on.
 */
export type RoleCacheRule = 'exact-messages' | 'token-prefix';

const SECTION_ORDER: readonly SectionName[] = [
  'system', 'lorebook-constant', 'character', 'persona', 'examples', 'lorebook', 'scenes', 'chat-start',
  'history', 'lorebook-note', 'post-history', 'message',
];

export interface RolePrompt extends SentPrompt {
  inspector: RolePromptInspector;
}

// ---------------------------------------------------------------- budgets and templates

export const REFERENCE_WINDOW = 4096;
export const REFERENCE_BUDGETS: Readonly<Omit<RoleBudgets, 'retain'>> = {
  scenes: 1500,
  history: 1200,
  fewShot: 600,
  lore: 400,
  messageReserve: 128,
};
export const DEFAULT_RETAIN = 0.3;
/** A topic move between rebuilds adds new scenes worth 1/DELTA_SHARE of the scene room. */
const DELTA_SHARE = 3;

/** The budgets for a window: the reference figures times contextWindow / 4096, then the overrides. */
export function scaleBudgets(contextWindow: number, overrides: Partial<RoleBudgets> = {}): RoleBudgets {
  const f = Math.max(0, Number.isFinite(contextWindow) ? contextWindow : 0) / REFERENCE_WINDOW;
  const pick = (key: keyof Omit<RoleBudgets, 'retain'>, scaled: number) => {
    const value = overrides[key];
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : scaled;
  };
  const retain = overrides.retain;
  return {
    scenes: pick('scenes', Math.round(REFERENCE_BUDGETS.scenes * f)),
    history: pick('history', Math.round(REFERENCE_BUDGETS.history * f)),
    fewShot: pick('fewShot', Math.round(REFERENCE_BUDGETS.fewShot * f)),
    lore: pick('lore', Math.round(REFERENCE_BUDGETS.lore * f)),
    messageReserve: pick('messageReserve', Math.max(32, Math.round(REFERENCE_BUDGETS.messageReserve * f))),
    retain: typeof retain === 'number' && Number.isFinite(retain) ? Math.min(1, Math.max(0, retain)) : DEFAULT_RETAIN,
  };
}

/**
 * What the prompt builder checks first: the room left once the reply is reserved, and a history
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

const LABELS: Readonly<Record<Lang, Record<
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

function wrapNote(lang: Lang, label: string, text: string): string {
  return lang === 'zh' ? `【${label}${text}】` : `[${label}${text}]`;
}

/** How much of a fresh pick's relevance the previous block must keep for the topic to count as unmoved. */
export const TOPIC_KEEP = 0.5;

/**
 * Whether retrieval moved to another topic. The previous block's scenes are scored with the NEW
 * retrieval scores (a scene missing from the new results scores 0) and compared with as many of
 * the best new scenes: the topic moved when the old block keeps less than `TOPIC_KEEP` of their
 * relevance. Scenes shuffling rank within a topic do not count as a move; a new subject, whose
 * scenes the old block lacks, does. No new scenes: not moved (keep what is there). Scores are
 * compared only within one ranking, as retrieval's contract says.
 */
export function sceneTopicMoved(previousIds: readonly string[], ranked: readonly { id: string; score: number }[]): boolean {
  const positive = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && x > 0 ? x : 0);
  const best = [...ranked].sort((a, b) => positive(b.score) - positive(a.score));
  if (best.length === 0 || positive(best[0].score) === 0) return false;
  if (previousIds.length === 0) return true;
  const scores = new Map(ranked.map((s) => [s.id, positive(s.score)]));
  const keptMass = [...new Set(previousIds)].reduce((sum, id) => sum + (scores.get(id) ?? 0), 0);
  const freshMass = best.slice(0, new Set(previousIds).size).reduce((sum, s) => sum + positive(s.score), 0);
  return keptMass < TOPIC_KEEP * freshMass;
}

// ---------------------------------------------------------------- internals

interface Part {
  section: SectionName;
  text: string;
}

interface Turn {
  role: 'user' | 'assistant';
  parts: Part[];
}

interface Built {
  role: ChatTurn['role'];
  parts: Part[];
}

interface PriorTurn {
  role: ChatTurn['role'];
  raw: string;
  turn: Turn;
}

interface ChosenScene extends InspectorScene {
  text: string;
}

const LAYOUT_VERSION = 1;
const JOIN = '\n\n';

const contentOf = (parts: readonly Part[]) => parts.map((p) => p.text).join(JOIN);

/** Same-role neighbours merged (strict templates reject two user turns in a row); the system message stays alone. */
function assemble(system: Part[], turns: readonly Turn[]): Built[] {
  const out: Built[] = [{ role: 'system', parts: system }];
  for (const turn of turns) {
    if (turn.parts.length === 0) continue;
    const previous = out[out.length - 1];
    if (out.length > 1 && previous.role === turn.role) previous.parts = [...previous.parts, ...turn.parts];
    else out.push({ role: turn.role, parts: [...turn.parts] });
  }
  return out;
}

/** Token count per section; the sum is exactly estimatePromptTokens(messages) under the same count. */
function measure(built: readonly Built[], count: (text: string) => number): { sections: PromptSection[]; total: number } {
  const totals = new Map<SectionName, number>();
  const add = (section: SectionName, tokens: number) => totals.set(section, (totals.get(section) ?? 0) + tokens);
  let total = PROMPT_OVERHEAD_TOKENS;
  add('system', PROMPT_OVERHEAD_TOKENS); // BOS and the reply header, with the system prompt as the plain builder does
  for (const message of built) {
    const messageTokens = safeCount(count, contentOf(message.parts)) + MESSAGE_OVERHEAD_TOKENS;
    total += messageTokens;
    const partTokens = message.parts.map((p) => safeCount(count, p.text));
    // Template tokens, blank lines between parts and rounding go to the message's main part: the
    // person's text, the role template, or else the largest part.
    let main = message.parts.findIndex((p) => p.section === 'message' || p.section === 'system');
    if (main < 0) {
      main = 0;
      for (let i = 1; i < partTokens.length; i++) if (partTokens[i] > partTokens[main]) main = i;
    }
    partTokens[main] = (partTokens[main] ?? 0) + messageTokens - partTokens.reduce((a, b) => a + b, 0);
    message.parts.forEach((p, i) => add(p.section, partTokens[i]));
    if (message.parts.length === 0) add('history', messageTokens);
  }
  const sections = SECTION_ORDER.filter((name) => totals.has(name)).map((name) => ({ name, tokens: totals.get(name) as number }));
  return { sections, total };
}

function toMessages(built: readonly Built[]): ChatTurn[] {
  return built.map((m) => ({ role: m.role, content: contentOf(m.parts) }));
}

function partsLayout(parts: readonly Part[]): [SectionName, number][] {
  return parts.map((p) => [p.section, p.text.length]);
}

/** Rebuilds the parts of a stored message from its content and part lengths; one 'history' part when they disagree. */
function partsFrom(content: string, layout: readonly [SectionName, number][] | undefined, rest: SectionName): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const [section, length] of layout ?? []) {
    if (parts.length > 0) {
      if (content.slice(at, at + JOIN.length) !== JOIN) return [{ section: rest, text: content }];
      at += JOIN.length;
    }
    parts.push({ section, text: content.slice(at, at + length) });
    at += length;
  }
  if (at > content.length) return [{ section: rest, text: content }];
  if (at < content.length) {
    if (parts.length > 0) {
      if (content.slice(at, at + JOIN.length) !== JOIN) return [{ section: rest, text: content }];
      at += JOIN.length;
    }
    parts.push({ section: rest, text: content.slice(at) });
  }
  return parts;
}


/** Chained hashes of the history: result[i] covers the first i turns. */
function chainHashes(turns: readonly { role: string; raw: string }[]): string[] {
  const out = [''];
  for (const turn of turns) out.push(hashText(`${out[out.length - 1]}\u0001${turn.role}\u0002${turn.raw}`));
  return out;
}

function readLayout(previous: SentPrompt | undefined): PromptLayout | undefined {
  const layout = (previous as Partial<RolePrompt> | undefined)?.inspector?.layout;
  if (!previous || !layout || typeof layout !== 'object' || layout.version !== LAYOUT_VERSION) return undefined;
  if (!Array.isArray(previous.messages) || !Array.isArray(layout.prefixParts) || !Array.isArray(layout.contextParts)) return undefined;
  if (!Array.isArray(layout.scenes) || !Array.isArray(layout.lore) || !Array.isArray(layout.notedLore) || !Array.isArray(layout.notedScenes)) return undefined;
  if (layout.contextIndex >= previous.messages.length || layout.prefixMessages > previous.messages.length) return undefined;
  return layout;
}

// ---------------------------------------------------------------- the builder

export function buildRolePrompt(input: RolePromptInput): RolePrompt {
  const count = input.countTokens ?? estimateTokens;
  const cost = (content: string) => safeCount(count, content) + MESSAGE_OVERHEAD_TOKENS;
  const { character } = input;
  const lang: Lang = character.language === 'zh' ? 'zh' : 'en';
  const labels = LABELS[lang];
  const charName = characterDisplayName(character);
  const macros: MacroContext = {
    char: charName,
    user: input.persona?.name?.trim() || defaultUserName(lang),
    seed: input.seed ?? charName,
  };
  const expand = (text: string | undefined) => expandMacros(text ?? '', macros).trim();
  const cacheAware = input.layout !== 'rebuild';

  const { budget, available, history, last } = checkPromptInput(input);
  const budgets = scaleBudgets(input.contextWindow, input.budgets);

  // --- history turns, rendered once. Contents are not trimmed: replays must be byte-identical.
  const prior: PriorTurn[] = [];
  for (const turn of history.slice(0, -1)) {
    const raw = turn.content ?? '';
    const content = expandMacros(raw, macros);
    if (!content.trim()) continue; // a reply stopped before its first token
    const text = turn.role === 'system' ? wrapNote(lang, labels.note, content) : content;
    prior.push({ role: turn.role, raw, turn: { role: turn.role === 'assistant' ? 'assistant' : 'user', parts: [{ section: 'history', text }] } });
  }
  const userText = expandMacros(last.content ?? '', macros);
  const phi = expandMacros(character.postHistoryInstructions ?? '', { ...macros, original: '' }).trim();
  const phiText = phi ? wrapNote(lang, labels.note, phi) : '';
  const hashes = chainHashes([...prior, { role: 'user', raw: last.content ?? '' }]);
  const turnsHash = hashes[hashes.length - 1];

  // --- lorebook: scanned over the rendered recent messages, the new one included.
  const scanTurns: ChatTurn[] = [...prior.map((p) => ({ role: p.role, content: contentOf(p.turn.parts) })), { role: 'user', content: userText }];
  const lore = input.lorebook
    ? matchLorebook(input.lorebook, scanTurns, { tokenBudget: budgets.lore, countTokens: count })
    : { entries: [] as LoreMatch[], skipped: [], warnings: [] };
  const loreText = (m: LoreMatch) => expandMacros(m.content, macros).trim();
  const loreInfo = (m: LoreMatch, placement: InspectorLore['placement']): InspectorLore => ({
    id: m.entry.id,
    ...(m.entry.name ? { name: m.entry.name } : {}),
    reason: m.reason,
    matchedKeys: m.matchedKeys,
    tokens: m.tokens,
    placement,
  });
  const constantLore = lore.entries.filter((m) => m.reason === 'constant' && loreText(m));
  const triggeredLore = lore.entries.filter((m) => m.reason !== 'constant' && loreText(m));
  const loreLeftOut: RolePromptInspector['lorebook']['leftOut'] = lore.skipped.map((s) => ({
    id: s.entry.id,
    ...(s.entry.name ? { name: s.entry.name } : {}),
    reason: s.reason,
    matchedKeys: s.matchedKeys,
  }));
  const loreWarnings = lore.warnings.map((w) => `${String(w.entry.id)}: ${w.problem} key ${JSON.stringify(w.key)}`);

  // --- few-shot exchanges (RoleGPT): parsed before expansion, which needs the {{user}}:/{{char}}: tags.
  const exchanges = parseExampleDialogue(character.exampleDialogue ?? '')
    .map((e) => ({ user: expand(e.user), char: expand(e.char) }))
    .filter((e) => e.char !== '')
    .map((e) => ({ user: e.user || labels.nudge, char: e.char }));

  // --- the system message
  const template = expandMacros(ROLE_SYSTEM_TEMPLATE[lang], macros);
  const head = character.systemPrompt?.trim() ? expandMacros(character.systemPrompt, { ...macros, original: template }).trim() : template;
  const characterText = [
    expand(character.description),
    ((p) => (p ? expandMacros(labels.personality, macros) + p : ''))(expand(character.personality)),
    ((s) => (s ? labels.scenario + s : ''))(expand(character.scenario)),
    ((c) => (c.length ? expandMacros(labels.catchphrases, macros) + c.join(labels.separator) : ''))(
      (character.catchphrases ?? []).map(expand).filter(Boolean),
    ),
  ]
    .filter(Boolean)
    .join(JOIN);
  const personaText = ((d) => (d ? expandMacros(labels.persona, macros) + d : ''))(expand(input.persona?.description));
  const systemParts = (withExamples: boolean): Part[] =>
    [
      { section: 'system' as const, text: head },
      { section: 'lorebook-constant' as const, text: constantLore.filter((m) => m.entry.position === 'before_char').map(loreText).join('\n') },
      { section: 'character' as const, text: characterText },
      { section: 'lorebook-constant' as const, text: constantLore.filter((m) => m.entry.position !== 'before_char').map(loreText).join('\n') },
      { section: 'persona' as const, text: personaText },
      { section: 'examples' as const, text: withExamples ? expandMacros(labels.examples, macros) : '' },
    ].filter((p) => p.text !== '');

  // --- the new message
  let sceneBlock: (chosen: readonly ChosenScene[]) => string = () => '';
  const finalParts = (notes: readonly LoreMatch[], withPhi: boolean, text = userText, scenes: readonly ChosenScene[] = []): Part[] =>
    [
      { section: 'scenes' as const, text: sceneBlock(scenes) },
      { section: 'lorebook-note' as const, text: notes.length ? wrapNote(lang, labels.lore, notes.map(loreText).join('\n')) : '' },
      { section: 'message' as const, text },
      { section: 'post-history' as const, text: withPhi ? phiText : '' },
    ].filter((p) => p.text !== '' || p.section === 'message');
  const finalTurn = (notes: readonly LoreMatch[] = [], withPhi = true, text = userText, scenes: readonly ChosenScene[] = []): Turn => ({
    role: 'user',
    parts: finalParts(notes, withPhi, text, scenes),
  });

  // --- the stable plan
  let system = systemParts(exchanges.length > 0);
  const systemCost = cost(contentOf(system));
  const finalCost = cost(contentOf(finalParts([], true)));
  const marker = expandMacros(labels.marker, macros);
  const markerCost = cost(marker);
  const room0 = available - systemCost - budgets.messageReserve - markerCost;
  const planHistory = Math.max(0, Math.min(budgets.history, room0));
  const fewShotRoom = Math.max(0, Math.min(budgets.fewShot, room0 - planHistory));
  const fewShot: Turn[] = [];
  let fewShotCost = 0;
  for (const e of exchanges) {
    const c = cost(e.user) + cost(e.char);
    if (fewShotCost + c > fewShotRoom) continue; // a long example may be skipped for shorter ones after it
    fewShotCost += c;
    fewShot.push({ role: 'user', parts: [{ section: 'examples', text: e.user }] }, { role: 'assistant', parts: [{ section: 'examples', text: e.char }] });
  }
  if (fewShot.length === 0 && exchanges.length > 0) system = systemParts(false);
  const planContext = Math.max(0, Math.min(budgets.scenes + budgets.lore, room0 - planHistory - fewShotCost));
  const plan = {
    history: planHistory,
    fewShot: fewShotRoom,
    context: planContext,
    scenes: budgets.scenes,
    lore: budgets.lore,
    messageReserve: budgets.messageReserve,
  };
  const configHash = hashText(
    JSON.stringify([
      LAYOUT_VERSION, lang, contentOf(system), fewShot.map((t) => contentOf(t.parts)), phiText, marker,
      plan, budgets.retain, budget, cacheAware,
    ]),
  );

  // --- scenes as retrieval ranked them, best first
  const ranked: ChosenScene[] = [];
  {
    const seen = new Set<string>();
    const sorted = (input.scenes ?? [])
      .map((scene, index) => ({ scene, index }))
      .filter(({ scene }) => scene && typeof scene.id === 'string' && Number.isFinite(scene.score))
      .sort((a, b) => b.scene.score - a.scene.score || a.index - b.index);
    for (const { scene } of sorted) {
      if (seen.has(scene.id)) continue;
      const text = expandMacros(scene.text ?? '', macros).trim();
      if (!text) continue;
      seen.add(scene.id);
      ranked.push({ id: scene.id, ...(scene.title ? { title: scene.title } : {}), score: scene.score, tokens: safeCount(count, text) + safeCount(count, SCENE_SEPARATOR), text });
    }
  }
  const scenesHeader = SCENES_HEADER[lang];
  const pickScenesFrom = (pool: readonly ChosenScene[], room: number): ChosenScene[] => {
    const chosen: ChosenScene[] = [];
    let used = safeCount(count, scenesHeader) + 2;
    for (const scene of pool) {
      if (used + scene.tokens > room) continue;
      used += scene.tokens;
      chosen.push(scene);
    }
    return chosen;
  };
  const pickScenes = (room: number) => pickScenesFrom(ranked, room);
  sceneBlock = (chosen: readonly ChosenScene[]) =>
    chosen.length ? `${scenesHeader}\n${chosen.map((s) => s.text).join(SCENE_SEPARATOR)}${SCENE_SEPARATOR.trimEnd()}` : '';
  const publicScene = ({ id, title, score, tokens }: ChosenScene): InspectorScene => ({ id, ...(title ? { title } : {}), score, tokens });

  const previousLayout = cacheAware ? readLayout(input.previous) : undefined;
  const sameConfig = previousLayout !== undefined && previousLayout.configHash === configHash;

  const common = {
    lang,
    budget,
    input,
    plan,
    loreWarnings,
    examples: { available: exchanges.length, used: fewShot.length / 2 },
  };

  // --- minimal: the system prompt and the message fit, but not the context block
  if (systemCost + finalCost > available || room0 <= 0) {
    return buildMinimal({
      ...common,
      examples: { available: exchanges.length, used: 0 },
      count,
      cost,
      available,
      system: systemParts(false),
      prior,
      final: finalTurn(),
      userText,
      phiText,
      finalTurn,
      configHash,
      hashes,
      loreLeftOut: [
        ...loreLeftOut,
        ...triggeredLore.map((m) => ({ id: m.entry.id, ...(m.entry.name ? { name: m.entry.name } : {}), reason: 'no-room' as const, matchedKeys: m.matchedKeys })),
      ],
      constantLore: constantLore.map((m) => loreInfo(m, 'system')),
      ranked: ranked.map(publicScene),
    });
  }

  // A move only counts when a fresh block could hold a scene at all; otherwise a rebuild gains nothing.
  const anySceneFits = pickScenes(Math.min(budgets.scenes, planContext)).length > 0;
  const topicMoved = (previousIds: readonly string[]) => anySceneFits && (input.topicMoved ?? sceneTopicMoved(previousIds, ranked));

  // --- cache-aware: regenerate or append onto the previous prompt
  let refresh: ContextRefresh = !cacheAware ? 'rebuild-layout' : !input.previous ? 'first' : !previousLayout ? 'not-continuation' : !sameConfig ? 'config-changed' : 'not-continuation';
  if (previousLayout && sameConfig && previousLayout.appendable && input.previous) {
    const L = previousLayout;
    const previous = input.previous;
    const sceneInspector = (added: readonly ChosenScene[] = []): RolePromptInspector['scenes'] => {
      const chosen = [...L.scenes, ...L.notedScenes, ...added.map(publicScene)];
      const seen = new Set(chosen.map((s) => s.id));
      return {
        chosen,
        leftOut: ranked.filter((s) => !seen.has(s.id)).map((s) => ({ ...publicScene(s), reason: 'not-refreshed' as const })),
        reused: true,
      };
    };
    const previousTotal = previous.sections.reduce((sum, x) => sum + x.tokens, 0);
    if (prior.length + 1 === L.turns && turnsHash === L.turnsHash && previousTotal <= budget) {
      // Regenerate: the very same turn again gets the very same prompt.
      return {
        messages: previous.messages.map((m) => ({ role: m.role, content: m.content })),
        sections: previous.sections.map((x) => ({ ...x })),
        droppedMessages: L.dropped,
        inspector: inspectorOf({
          ...common,
          total: previousTotal,
          mode: 'regenerated',
          refresh: 'regenerated',
          scenes: sceneInspector(),
          lore: [...constantLore.map((m) => loreInfo(m, 'system')), ...L.lore],
          loreLeftOut,
          history: { kept: prior.length - L.dropped, dropped: L.dropped },
          layout: { ...L },
          truncated: { system: false, message: false },
        }),
      };
    }
    if (prior.length >= L.turns && hashes[L.turns] === L.turnsHash) {
      const knownScenes = new Set([...L.scenes, ...L.notedScenes].map((x) => x.id));
      const moved = topicMoved([...knownScenes]);
      // On a token-prefix engine a rebuild re-prefills the block and the retained history only, so
      // the new subject gets a full block at once rather than a third of one on the message.
      const onTopicMove = input.onTopicMove ?? (input.cache === 'token-prefix' ? 'rebuild' : 'append');
      if (moved && onTopicMove === 'rebuild') refresh = 'topic-moved';
      else {
        // A topic move adds the best new scenes to the new message: a third of what a fresh block
        // would hold (at least one scene), enough to carry the new subject until the next rebuild.
        const blockLore = L.lore.reduce((sum, l) => sum + l.tokens, 0);
        const deltaRoom = Math.floor(Math.min(budgets.scenes, planContext - blockLore) / DELTA_SHARE);
        const unseen = ranked.filter((x) => !knownScenes.has(x.id));
        const delta = moved ? pickScenesFrom(unseen, deltaRoom) : [];
        if (moved && delta.length === 0 && unseen.length > 0 && unseen[0].tokens <= planContext - blockLore) delta.push(unseen[0]);
        const known = new Set([...L.lore.map((l) => l.id), ...L.notedLore]);
        const notes = triggeredLore.filter((m) => !known.has(m.entry.id));
        const appended = [...prior.slice(L.turns).map((x) => x.turn), finalTurn(notes, true, userText, delta)];
        const built = rebuildFrom(previous.messages, L, appended);
        const { sections, total } = measure(built, count);
        // History may grow into its whole room (the window less the fixed sections, the new
        // message counted at no less than its reserve so the next turn is not left without room).
        const newCost = cost(contentOf(built[built.length - 1].parts));
        if (total - newCost + Math.max(newCost, budgets.messageReserve) <= budget) {
          return finish({
            ...common,
            built,
            sections,
            total,
            mode: 'appended',
            refresh: 'appended',
            scenes: sceneInspector(delta),
            lore: [...constantLore.map((m) => loreInfo(m, 'system')), ...L.lore, ...notes.map((m) => loreInfo(m, 'note'))],
            loreLeftOut,
            history: { kept: prior.length - L.dropped, dropped: L.dropped },
            layout: {
              ...L,
              notedLore: [...L.notedLore, ...notes.map((m) => m.entry.id)],
              notedScenes: [...L.notedScenes, ...delta.map(publicScene)],
              turns: prior.length + 1,
              turnsHash,
            },
            truncated: { system: false, message: false },
          });
        }
        refresh = moved ? 'topic-moved' : 'history-full';
      }
    }
  }

  // --- fresh build
  const overflow = Math.max(0, finalCost - budgets.messageReserve);
  const contextRoom = Math.max(0, planContext - overflow);

  // The context block: reused when the topic has not moved and no new lorebook entry triggers; on a
  // token-prefix engine new entries ride on the new message instead (a note costs less than the
  // block), and on an exact-messages engine it is never reused (the fresh build is a full prefill).
  let contextParts: Part[];
  let chosenScenes: InspectorScene[];
  let contextLore: InspectorLore[];
  let reused = false;
  const loreLeft = [...loreLeftOut];
  const reusable =
    previousLayout && sameConfig && previousLayout.contextIndex >= 0 && input.previous
      ? partsFrom(input.previous.messages[previousLayout.contextIndex].content, previousLayout.contextParts, 'history').slice(0, previousLayout.contextParts.length)
      : undefined;
  const reusableIds = new Set(previousLayout?.lore.map((l) => l.id) ?? []);
  if (
    reusable &&
    previousLayout &&
    reusable.length === previousLayout.contextParts.length &&
    reusable[reusable.length - 1]?.section === 'chat-start' &&
    input.cache !== 'exact-messages' &&
    (input.cache === 'token-prefix' || triggeredLore.every((m) => reusableIds.has(m.entry.id))) &&
    !topicMoved(previousLayout.scenes.map((s) => s.id)) &&
    cost(contentOf(reusable)) - markerCost <= contextRoom
  ) {
    contextParts = reusable;
    chosenScenes = previousLayout.scenes;
    contextLore = previousLayout.lore;
    reused = true;
  } else {
    // Lorebook first (the author asked for it by key), lowest priority out first; then scenes.
    const loreKept = [...triggeredLore];
    const loreBlock = () => (loreKept.length ? labels.lore.trimEnd() + '\n' + loreKept.map(loreText).join('\n') : '');
    const byPriority = (a: LoreMatch, b: LoreMatch) => (a.entry.priority ?? 0) - (b.entry.priority ?? 0) || (a.entry.insertionOrder ?? 0) - (b.entry.insertionOrder ?? 0);
    while (loreKept.length && safeCount(count, loreBlock()) + 2 > contextRoom) {
      const drop = [...loreKept].sort(byPriority)[0];
      loreKept.splice(loreKept.indexOf(drop), 1);
      loreLeft.push({ id: drop.entry.id, ...(drop.entry.name ? { name: drop.entry.name } : {}), reason: 'no-room', matchedKeys: drop.matchedKeys });
    }
    const loreCost = loreKept.length ? safeCount(count, loreBlock()) + 2 : 0;
    const picked = pickScenes(Math.min(budgets.scenes, contextRoom - loreCost));
    contextParts = [
      { section: 'lorebook' as const, text: loreBlock() },
      { section: 'scenes' as const, text: sceneBlock(picked) },
      { section: 'chat-start' as const, text: marker },
    ].filter((p) => p.text !== '');
    chosenScenes = picked.map(publicScene);
    contextLore = loreKept.map((m) => loreInfo(m, 'context'));
  }

  // Entries that started to trigger since the kept block was built (token-prefix only).
  let freshNotes: LoreMatch[] = reused ? triggeredLore.filter((m) => !reusableIds.has(m.entry.id)) : [];
  const finalCostNow = freshNotes.length ? cost(contentOf(finalParts(freshNotes, true))) : finalCost;

  // History, newest first and contiguous. Its room is its budget plus whatever the few-shot turns
  // and the context block left unused (so a character without scenes gets more history). The
  // cache-aware layout fills only `retain` of it, leaving the rest for the turns that will be
  // appended before the next rebuild. The newest turn goes in whenever it fits the whole room.
  const historyRoom = Math.max(0, available - systemCost - fewShotCost - cost(contentOf(contextParts)) - Math.max(finalCostNow, budgets.messageReserve));
  const target = cacheAware ? Math.floor(historyRoom * budgets.retain) : historyRoom;
  let start = prior.length;
  let used = 0;
  for (let k = prior.length - 1; k >= 0; k--) {
    const c = cost(contentOf(prior[k].turn.parts));
    if (used + c > (start === prior.length ? historyRoom : target)) break;
    used += c;
    start = k;
  }
  // Whole exchanges: a reply whose message the retain share left out goes too (never the newest turn).
  if (cacheAware && start > 0 && start < prior.length - 1 && prior[start].role === 'assistant' && prior[start - 1].role === 'user') start++;

  // Assemble; in the rare case merging or an odd counter puts it over, give things back in order.
  let exampleTurns = fewShot;
  let scenesKept = [...chosenScenes];
  let withPhi = true;
  let finalText = userText;
  let systemNow = system;
  let truncatedMessage = false;
  let truncatedSystem = false;
  for (let attempt = 0; ; attempt++) {
    const ctx: Turn = { role: 'user', parts: contextParts };
    const turns: Turn[] = [...exampleTurns, ctx, ...prior.slice(start).map((p) => p.turn), finalTurn(freshNotes, withPhi, finalText)];
    const built = assemble(systemNow, turns);
    const { sections, total } = measure(built, count);
    if (total <= budget) {
      const contextIndex = 1 + exampleTurns.length;
      const leftOutScenes = ranked
        .filter((s) => !scenesKept.some((k) => k.id === s.id))
        .map((s) => ({ ...publicScene(s), reason: reused ? ('not-refreshed' as const) : ('budget' as const) }));
      return finish({
        ...common,
        examples: { available: exchanges.length, used: exampleTurns.length / 2 },
        built,
        sections,
        total,
        mode: 'fresh',
        refresh,
        scenes: { chosen: scenesKept, leftOut: leftOutScenes, reused },
        lore: [...constantLore.map((m) => loreInfo(m, 'system')), ...contextLore, ...freshNotes.map((m) => loreInfo(m, 'note'))],
        loreLeftOut: loreLeft,
        history: { kept: prior.length - start, dropped: start },
        layout: {
          version: LAYOUT_VERSION,
          configHash,
          appendable: !truncatedMessage && !truncatedSystem,
          prefixMessages: contextIndex,
          contextIndex,
          prefixParts: built.slice(0, contextIndex).map((m) => partsLayout(m.parts)),
          contextParts: partsLayout(contextParts),
          scenes: scenesKept,
          lore: contextLore,
          notedLore: freshNotes.map((m) => m.entry.id),
          notedScenes: [],
          turns: prior.length + 1,
          turnsHash,
          dropped: start,
        },
        truncated: { system: truncatedSystem, message: truncatedMessage },
      });
    }
    const over = total - budget;
    if (start < prior.length) start++;
    else if (freshNotes.length > 0) {
      for (const m of freshNotes) loreLeft.push({ id: m.entry.id, ...(m.entry.name ? { name: m.entry.name } : {}), reason: 'no-room', matchedKeys: m.matchedKeys });
      freshNotes = [];
    } else if (scenesKept.length > 0) {
      scenesKept = scenesKept.slice(0, -1);
      const byId = new Map(ranked.map((s) => [s.id, s]));
      const texts = scenesKept.map((s) => byId.get(s.id)).filter((s): s is ChosenScene => s !== undefined);
      contextParts = [
        ...contextParts.filter((p) => p.section !== 'scenes' && p.section !== 'chat-start'),
        ...(texts.length ? [{ section: 'scenes' as const, text: sceneBlock(texts) }] : []),
        { section: 'chat-start' as const, text: marker },
      ];
      reused = false;
    } else if (contextParts.some((p) => p.section === 'lorebook')) {
      contextParts = contextParts.filter((p) => p.section !== 'lorebook');
      for (const l of contextLore) loreLeft.push({ id: l.id, ...(l.name ? { name: l.name } : {}), reason: 'no-room', matchedKeys: l.matchedKeys });
      contextLore = [];
    } else if (exampleTurns.length > 0) exampleTurns = exampleTurns.slice(0, -2);
    else if (withPhi && phiText) withPhi = false;
    else if (attempt < 60) {
      if (safeCount(count, finalText) >= safeCount(count, contentOf(systemNow))) {
        finalText = truncateTokens(finalText, safeCount(count, finalText) - over, count, 'keep-end');
        truncatedMessage = true;
      } else {
        systemNow = [{ section: 'system', text: truncateTokens(contentOf(systemNow), safeCount(count, contentOf(systemNow)) - over, count, 'keep-start') }];
        truncatedSystem = true;
      }
    } else {
      throw new AppError('context-exceeded', 'The prompt does not fit in the context window', { budget, total });
    }
  }
}

/** Previous messages with the appended turns: parts restored from the layout so sections stay exact. */
function rebuildFrom(messages: readonly ChatTurn[], layout: PromptLayout, appended: readonly Turn[]): Built[] {
  // The previous new message (and its notes) is history now.
  const built: Built[] = messages.map((m, i) => {
    if (i === 0) return { role: m.role, parts: partsFrom(m.content, layout.prefixParts[0], 'system') };
    if (i < layout.prefixMessages) return { role: m.role, parts: partsFrom(m.content, layout.prefixParts[i], 'examples') };
    if (i === layout.contextIndex) return { role: m.role, parts: partsFrom(m.content, layout.contextParts, 'history') };
    return { role: m.role, parts: [{ section: 'history' as const, text: m.content }] };
  });
  for (const turn of appended) {
    const previous = built[built.length - 1];
    if (built.length > 1 && previous.role === turn.role) previous.parts = [...previous.parts, ...turn.parts];
    else built.push({ role: turn.role, parts: [...turn.parts] });
  }
  return built;
}

interface FinishArgs {
  lang: Lang;
  budget: number;
  input: RolePromptInput;
  plan: RolePromptInspector['budget']['plan'];
  loreWarnings: string[];
  examples: RolePromptInspector['examples'];
  built: Built[];
  sections: PromptSection[];
  total: number;
  mode: RolePromptInspector['mode'];
  refresh: ContextRefresh;
  scenes: RolePromptInspector['scenes'];
  lore: InspectorLore[];
  loreLeftOut: RolePromptInspector['lorebook']['leftOut'];
  history: RolePromptInspector['history'];
  layout: PromptLayout;
  truncated: RolePromptInspector['truncated'];
}

function finish(a: FinishArgs): RolePrompt {
  return {
    messages: toMessages(a.built),
    sections: a.sections,
    droppedMessages: a.history.dropped,
    inspector: inspectorOf({ ...a, layout: { ...a.layout, finalParts: partsLayout(a.built[a.built.length - 1]?.parts ?? []) } }),
  };
}

function inspectorOf(a: Omit<FinishArgs, 'built' | 'sections'>): RolePromptInspector {
  return {
    language: a.lang,
    mode: a.mode,
    refresh: a.refresh,
    budget: {
      contextWindow: a.input.contextWindow,
      replyTokens: a.input.replyTokens,
      prompt: a.budget,
      used: a.total,
      plan: a.plan,
    },
    scenes: a.scenes,
    lorebook: { chosen: a.lore, leftOut: a.loreLeftOut, warnings: a.loreWarnings },
    examples: a.examples,
    history: a.history,
    truncated: a.truncated,
    layout: a.layout,
  };
}

interface MinimalArgs extends Omit<FinishArgs, 'built' | 'sections' | 'total' | 'mode' | 'refresh' | 'scenes' | 'lore' | 'history' | 'layout' | 'truncated'> {
  count: (text: string) => number;
  cost: (text: string) => number;
  available: number;
  system: Part[];
  prior: PriorTurn[];
  final: Turn;
  userText: string;
  phiText: string;
  finalTurn: (notes: readonly LoreMatch[], withPhi: boolean, text?: string) => Turn;
  configHash: string;
  hashes: string[];
  constantLore: InspectorLore[];
  ranked: InspectorScene[];
}

/**
 * No room for the context block: the system prompt, as much recent history as fits, the message
 * (as the plain builder does). When even the system prompt and the message do not fit, the start of
 * the message is cut, then the end of the system prompt (the message keeps at least half).
 */
function buildMinimal(a: MinimalArgs): RolePrompt {
  const { count, cost, available } = a;
  let systemText = contentOf(a.system);
  let messageText = a.userText;
  let withPhi = a.phiText !== '';
  let truncatedMessage = false;
  let truncatedSystem = false;
  const systemCost = cost(systemText);
  const finalCost = cost(contentOf(a.final.parts));
  let keep = 0;
  if (systemCost + finalCost <= available) {
    let room = available - systemCost - finalCost;
    for (let k = a.prior.length - 1; k >= 0; k--) {
      const c = cost(contentOf(a.prior[k].turn.parts));
      if (c > room) break;
      room -= c;
      keep++;
    }
  } else {
    withPhi = false;
    if (systemCost + cost(messageText) > available) {
      const userCost = cost(messageText);
      const userTarget = Math.min(userCost, Math.max(available - systemCost, Math.floor(available / 2)));
      const cut = truncateTokens(messageText, userTarget - MESSAGE_OVERHEAD_TOKENS, count, 'keep-end');
      truncatedMessage = cut !== messageText;
      messageText = cut;
      const cutSystem = truncateTokens(systemText, available - cost(messageText) - MESSAGE_OVERHEAD_TOKENS, count, 'keep-start');
      truncatedSystem = cutSystem !== systemText;
      systemText = cutSystem;
    }
  }
  for (let attempt = 0; ; attempt++) {
    const systemParts: Part[] = truncatedSystem ? [{ section: 'system', text: systemText }] : a.system;
    const built = assemble(systemParts, [...a.prior.slice(a.prior.length - keep).map((p) => p.turn), a.finalTurn([], withPhi, messageText)]);
    const { sections, total } = measure(built, count);
    if (total <= a.budget) {
      const dropped = a.prior.length - keep;
      return finish({
        ...a,
        built,
        sections,
        total,
        mode: truncatedMessage || truncatedSystem ? 'truncated' : 'minimal',
        refresh: 'no-room',
        scenes: { chosen: [], leftOut: a.ranked.map((s) => ({ ...s, reason: 'budget' as const })), reused: false },
        lore: a.constantLore,
        history: { kept: keep, dropped },
        layout: {
          version: LAYOUT_VERSION,
          configHash: a.configHash,
          appendable: false,
          prefixMessages: 1,
          contextIndex: -1,
          prefixParts: [partsLayout(systemParts)],
          contextParts: [],
          scenes: [],
          lore: [],
          notedLore: [],
          notedScenes: [],
          turns: a.prior.length + 1,
          turnsHash: a.hashes[a.hashes.length - 1],
          dropped,
        },
        truncated: { system: truncatedSystem, message: truncatedMessage },
      });
    }
    const over = total - a.budget;
    if (keep > 0) keep--;
    else if (withPhi) withPhi = false;
    else if (attempt < 60) {
      if (safeCount(count, messageText) > safeCount(count, systemText)) {
        messageText = truncateTokens(messageText, safeCount(count, messageText) - over, count, 'keep-end');
        truncatedMessage = true;
      } else {
        systemText = truncateTokens(systemText, safeCount(count, systemText) - over, count, 'keep-start');
        truncatedSystem = true;
      }
    } else {
      throw new AppError('context-exceeded', 'The prompt does not fit in the context window', { budget: a.budget, total });
    }
  }
}
