// What every part of the role prompt needs: the token counter, the language and its labels, the
// names the macros stand for, and the window's room and budgets.

import { expandMacros, type MacroContext } from '../macros';
import { characterDisplayName, defaultUserName } from '../macro-names';
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS } from '../tokens';
import { safeCount } from '../token-fit';
import type { ChatTurn, Lang } from '../types';
import { checkPromptInput, scaleBudgets } from './budgets';
import { LABELS, type Labels } from './texts';
import type { RoleBudgets, RolePromptInput } from './types';

export interface RoleContext {
  input: RolePromptInput;
  count: (text: string) => number;
  /** What a message costs: its content plus the chat template's per-message tokens. */
  cost: (content: string) => number;
  lang: Lang;
  labels: Labels;
  macros: MacroContext;
  /** False with `layout: 'rebuild'`: every turn is built afresh, history filled to its room. */
  cacheAware: boolean;
  /** contextWindow less the reply: what the prompt may use. */
  budget: number;
  /** The budget less the prompt's own template tokens: what messages may use. */
  available: number;
  budgets: RoleBudgets;
}

/** The context for one build, with the history checked to end with the person's message. */
export function prepareContext(input: RolePromptInput): { ctx: RoleContext; history: ChatTurn[]; last: ChatTurn } {
  const count = input.countTokens ?? estimateTokens;
  const lang: Lang = input.character.language === 'zh' ? 'zh' : 'en';
  const charName = characterDisplayName(input.character);
  const macros: MacroContext = {
    char: charName,
    user: input.persona?.name?.trim() || defaultUserName(lang),
    seed: input.seed ?? charName,
  };
  const { budget, available, history, last } = checkPromptInput(input);
  const ctx: RoleContext = {
    input,
    count,
    cost: (content) => safeCount(count, content) + MESSAGE_OVERHEAD_TOKENS,
    lang,
    labels: LABELS[lang],
    macros,
    cacheAware: input.layout !== 'rebuild',
    budget,
    available,
    budgets: scaleBudgets(input.contextWindow, input.budgets),
  };
  return { ctx, history, last };
}

/** Card text with its macros expanded, trimmed (history is expanded untrimmed: replays must be byte-identical). */
export function expand(ctx: RoleContext, text: string | undefined): string {
  return expandMacros(text ?? '', ctx.macros).trim();
}
