// History as the prompt replays it: rendered once, hashed so the next turn can tell a continuation
// from an edit or a branch, and cut to the newest turns that fit.

import { hashText } from '../../hash';
import { expandMacros } from '../../macros';
import type { ChatTurn } from '../../types';
import type { RoleContext } from '../context';
import { contentOf } from '../parts';
import { wrapNote } from '../texts';
import type { PriorTurn } from '../types';

export interface RenderedHistory {
  /** The turns before the new message, empty ones left out. */
  prior: PriorTurn[];
  /** The new message, macros expanded. */
  userText: string;
  /** hashes[i] covers the first i turns; the last covers the new message too. */
  hashes: string[];
  turnsHash: string;
}

export function renderHistory(ctx: RoleContext, history: readonly ChatTurn[], last: ChatTurn): RenderedHistory {
  const prior: PriorTurn[] = [];
  history.slice(0, -1).forEach((turn, index) => {
    const rendered = renderTurn(ctx, turn, index);
    if (rendered) prior.push(rendered);
  });
  const hashes = chainHashes([...prior, { role: 'user', raw: last.content ?? '' }]);
  return { prior, userText: expandMacros(last.content ?? '', ctx.macros), hashes, turnsHash: hashes[hashes.length - 1] };
}

/** Contents are not trimmed: replays must be byte-identical. A system turn becomes a note. */
function renderTurn(ctx: RoleContext, turn: ChatTurn, index: number): PriorTurn | undefined {
  const raw = turn.content ?? '';
  const content = expandMacros(raw, ctx.macros);
  if (!content.trim()) return undefined; // a reply stopped before its first token
  const text = turn.role === 'system' ? wrapNote(ctx.lang, ctx.labels.note, content) : content;
  return { role: turn.role, index, raw, turn: { role: turn.role === 'assistant' ? 'assistant' : 'user', parts: [{ section: 'history', text }] } };
}

/** Chained hashes of the history: result[i] covers the first i turns. */
function chainHashes(turns: readonly { role: string; raw: string }[]): string[] {
  const out = [''];
  for (const turn of turns) out.push(hashText(`${out[out.length - 1]}\u0001${turn.role}\u0002${turn.raw}`));
  return out;
}

/**
 * Where retained history starts: newest first and contiguous, up to `target` (the newest turn goes
 * in whenever it fits the whole `room`). The cache-aware layout keeps whole exchanges: a reply whose
 * message the target left out goes too (never the newest turn), as a reply without its question misleads.
 */
export function retainedStart(ctx: RoleContext, prior: readonly PriorTurn[], room: number, target: number): number {
  let start = prior.length;
  let used = 0;
  for (let k = prior.length - 1; k >= 0; k--) {
    const c = ctx.cost(contentOf(prior[k].turn.parts));
    if (used + c > (start === prior.length ? room : target)) break;
    used += c;
    start = k;
  }
  if (ctx.cacheAware && start > 0 && start < prior.length - 1 && prior[start].role === 'assistant' && prior[start - 1].role === 'user') start++;
  return start;
}

/** How many of the newest turns fit in `room`, newest first and contiguous. */
export function newestFitting(ctx: RoleContext, prior: readonly PriorTurn[], room: number): number {
  let keep = 0;
  for (let k = prior.length - 1; k >= 0; k--) {
    const c = ctx.cost(contentOf(prior[k].turn.parts));
    if (c > room) break;
    room -= c;
    keep++;
  }
  return keep;
}
