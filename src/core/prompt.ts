// Prompt helpers the role prompt (and the app, for showing card text) share: the names {{char}} and
// {{user}} stand for, the input check, a safe token count, and cutting text to a token budget.

import { AppError } from './errors';
import { MESSAGE_OVERHEAD_TOKENS, PROMPT_OVERHEAD_TOKENS } from './tokens';
import type { CharacterFields, ChatTurn, Lang } from './types';

/** The name {{user}} gets when no persona is set. */
export function defaultUserName(lang: Lang): string {
  return lang === 'zh' ? '你' : 'User';
}

/** The name {{char}} gets: V3 says the nickname replaces the name. */
export function characterDisplayName(character: Pick<CharacterFields, 'name' | 'nickname' | 'language'>): string {
  return character.nickname?.trim() || character.name?.trim() || (character.language === 'zh' ? '角色' : 'Character');
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

/** A counter's answer made safe to add up: whole, finite, never negative. */
export function safeCount(count: (text: string) => number, text: string): number {
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
