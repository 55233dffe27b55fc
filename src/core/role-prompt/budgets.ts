// How the window is split: the prompt's room once the reply is reserved, each section's budget
// scaled from ChatHaruhi's reference point, and the stable plan a chat keeps from turn to turn.
//
// Budgets scale with the window from ChatHaruhi's reference point, 1,500 tokens of scenes and 1,200
// of history at 4,096; few-shot 600 and lorebook 400 (constant entries first) at 4,096; 128
// reserved for the new message. The budget follows need: the plan reserves history's budget before
// few-shot (so few-shot turns stay the same all chat), but a fresh build gives the context block
// whatever history does not need now (its turns plus room to append, within its room), so a new
// chat's first prompt carries more scenes; as the chat grows, history takes its room back. What
// the block leaves goes to history.

import { AppError } from '../errors';
import { MESSAGE_OVERHEAD_TOKENS, PROMPT_OVERHEAD_TOKENS } from '../tokens';
import type { ChatTurn, RolePromptInspector } from '../types';
import type { RoleBudgets } from './types';

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
export const DELTA_SHARE = 3;

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

export type WindowPlan = RolePromptInspector['budget']['plan'];

/** History first, then few-shot: their rooms within what the system prompt, reserve and marker leave. */
export function planHistoryAndExamples(budgets: RoleBudgets, room: number): { history: number; fewShot: number } {
  const history = Math.max(0, Math.min(budgets.history, room));
  return { history, fewShot: Math.max(0, Math.min(budgets.fewShot, room - history)) };
}

/** The whole plan once the few-shot turns are chosen: the context block may take all they leave (see blockRoom). */
export function planWindow(budgets: RoleBudgets, room: number, rooms: { history: number; fewShot: number }, fewShotCost: number): WindowPlan {
  return {
    history: rooms.history,
    fewShot: rooms.fewShot,
    context: Math.max(0, room - fewShotCost),
    scenes: budgets.scenes,
    lore: budgets.lore,
    messageReserve: budgets.messageReserve,
  };
}

/**
 * The room history keeps out of a fresh build's context block: what it needs now (its turns plus,
 * cache-aware, room for the turns to be appended before the next rebuild), within its full room
 * (its budget plus what the scene and lorebook budgets leave). What it does not need goes to scenes,
 * and comes back to history as the chat grows.
 */
export function historyReserve(budgets: RoleBudgets, plan: WindowPlan, historyCost: number, cacheAware: boolean): number {
  const fullRoom = plan.context - Math.max(0, Math.min(budgets.scenes + budgets.lore, plan.context - plan.history));
  return Math.min(fullRoom, historyCost + appendRoom(budgets, cacheAware));
}

/** What a cache-aware build leaves free for appends: the share of history's budget that `retain` does not fill. */
export function appendRoom(budgets: RoleBudgets, cacheAware: boolean): number {
  return cacheAware ? Math.round((1 - budgets.retain) * budgets.history) : 0;
}
