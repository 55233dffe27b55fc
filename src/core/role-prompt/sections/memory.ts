// The chat's long-term memory in the prompt: the summary and the pinned facts open the context
// block, recalled messages ride on the new message, the author's note sits at its depth.
//
// Why there (see layout.ts): the context block is built only when the prompt is built afresh and
// is replayed verbatim on appends, so a rewritten summary or a new pin reaches the prompt at the
// next fresh build without breaking the engine's cache in between (the inspector says
// 'not-refreshed' meanwhile). While the chat has memory its room is reserved in the plan at a fixed
// size, so memory text changing never moves the plan (nor the config hash). Recall changes per
// turn, like topic-move scenes, so it rides on the new message. The author's note (SillyTavern's)
// goes `depth` messages above the new one when the prompt is built afresh and stays put between
// rebuilds (moving it every turn would re-prefill from it every turn); depth 0 rides on each new
// message.

import { expandMacros } from '../../macros';
import { safeCount, truncateTokens } from '../../token-fit';
import type { InspectorMemory, InspectorMemoryItem } from '../../types';
import { REFERENCE_WINDOW } from '../budgets';
import type { RoleContext } from '../context';
import { contentOf, partsFrom } from '../parts';
import { wrapNote } from '../texts';
import type { MemoryBudgets, Part, PriorTurn, Turn } from '../types';

/** Budgets at the reference window (4,096), scaled with it like the others. */
export const MEMORY_REFERENCE: Readonly<MemoryBudgets> = { summary: 320, pins: 160, recall: 200 };
/** Memory never takes more than this share of the room the system prompt leaves. */
const MAX_SHARE = 1 / 3;

const MEMORY_LABELS = {
  en: { summary: 'The story so far: ', pins: 'Facts to remember:', recall: 'Earlier in this chat:' },
  zh: { summary: '前情提要：', pins: '需要记住的事实：', recall: '本次对话中较早的内容：' },
} as const;

export interface MemoryDraft {
  /** The summary and pins parts, first in a fresh context block (none when the chat has neither). */
  blockParts: Part[];
  /** What the plan reserves for memory: fixed for a window while the chat has memory. */
  reserve: number;
  /** The reserve's share for recalled messages (history's room leaves it free for them). */
  recallReserve: number;
  budgets: MemoryBudgets;
  summary?: InspectorMemory['summary'];
  pins: InspectorMemoryItem[];
  /** The author's note part, and how many messages above the new one it goes. */
  note?: { part: Part; depth: number };
  /** What the prompt's prefix depends on (the config hash covers it); undefined without memory. */
  configKey?: unknown;
}

/** The memory parts within their budgets, and the room the plan keeps for them out of `room`. */
export function draftMemory(ctx: RoleContext, room: number): MemoryDraft {
  const memory = ctx.input.memory;
  const summaryText = expand(ctx, memory?.summary?.text);
  const pins = (memory?.pins ?? []).map((p) => ({ id: p.id, text: expand(ctx, p.text) })).filter((p) => p.text !== '');
  // Recall brings back what history can no longer hold: while the whole chat fits, its room stays
  // with scenes and lorebook entries (a short chat on a small window would otherwise lose them).
  // Once the chat outgrows the room it stays reserved, so the prompt's layout (and cache) holds.
  const recall = memory?.recall !== undefined && historyOutgrows(ctx, room);
  const budgets = memoryBudgets(ctx, room, { summary: summaryText !== '', pins: pins.length > 0, recall });
  const blockParts: Part[] = [];
  let summary: MemoryDraft['summary'];
  if (memory?.summary && summaryText) {
    const fitted = fitSummary(ctx, summaryText, budgets.summary);
    if (fitted) blockParts.push({ section: 'summary', text: fitted });
    summary = { id: memory.summary.id, tokens: fitted ? safeCount(ctx.count, fitted) : 0, taken: fitted !== '', covers: 0, ...(fitted ? {} : { reason: 'budget' as const }) };
  }
  const fittedPins = fitPins(ctx, pins, budgets.pins);
  if (fittedPins.text) blockParts.push({ section: 'pins', text: fittedPins.text });
  const noteText = expand(ctx, memory?.authorsNote?.text);
  const note = noteText ? { part: { section: 'authors-note' as const, text: wrapNote(ctx.lang, ctx.labels.note, noteText) }, depth: Math.max(0, Math.floor(memory?.authorsNote?.depth ?? 0)) } : undefined;
  const reserve = budgets.summary + budgets.pins + budgets.recall;
  const any = reserve > 0 || note !== undefined;
  return {
    blockParts,
    reserve,
    recallReserve: budgets.recall,
    budgets,
    summary,
    pins: fittedPins.items,
    note,
    configKey: any ? { reserve, note: note && [note.part.text, note.depth] } : undefined,
  };
}

/** Whether the chat's history, all of it, would take more than the room memory leaves it. */
function historyOutgrows(ctx: RoleContext, room: number): boolean {
  const limit = room * (1 - MAX_SHARE);
  let total = 0;
  // Newest first: a long chat answers after its last few turns, not after counting all of them.
  for (let i = ctx.input.history.length - 1; i >= 0; i--) {
    total += safeCount(ctx.count, ctx.input.history[i].content);
    if (total > limit) return true;
  }
  return false;
}

/** Each kind the chat has gets its scaled budget; together within MAX_SHARE of the room. */
function memoryBudgets(ctx: RoleContext, room: number, has: Record<keyof MemoryBudgets, boolean>): MemoryBudgets {
  const f = Math.max(0, ctx.input.contextWindow) / REFERENCE_WINDOW;
  const overrides = ctx.input.memory?.budgets ?? {};
  const budget = (key: keyof MemoryBudgets) => {
    if (!has[key]) return 0;
    const value = overrides[key];
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : Math.round(MEMORY_REFERENCE[key] * f);
  };
  const full = { summary: budget('summary'), pins: budget('pins'), recall: budget('recall') };
  const total = full.summary + full.pins + full.recall;
  const cap = Math.max(0, Math.floor(room * MAX_SHARE));
  if (total <= cap) return full;
  const k = cap / total;
  return { summary: Math.floor(full.summary * k), pins: Math.floor(full.pins * k), recall: Math.floor(full.recall * k) };
}

function expand(ctx: RoleContext, text: string | undefined): string {
  return expandMacros(text ?? '', ctx.macros).trim();
}

/** The summary under its label; its newest part kept when it is over budget (a rolling summary grows at its end). */
function fitSummary(ctx: RoleContext, text: string, budget: number): string {
  const label = MEMORY_LABELS[ctx.lang].summary;
  const room = budget - safeCount(ctx.count, label);
  if (room <= 0) return '';
  return label + truncateTokens(text, room, ctx.count, 'keep-end');
}

/** Pins in the person's order while they fit the budget; the rest are left out ('budget'). */
function fitPins(ctx: RoleContext, pins: readonly { id: string; text: string }[], budget: number): { text: string; items: InspectorMemoryItem[] } {
  const header = MEMORY_LABELS[ctx.lang].pins;
  let used = safeCount(ctx.count, header);
  const lines: string[] = [];
  const items = pins.map((pin): InspectorMemoryItem => {
    const line = `- ${pin.text}`;
    const tokens = safeCount(ctx.count, line) + 1;
    if (used + tokens > budget) return { id: pin.id, tokens, taken: false, reason: 'budget' };
    used += tokens;
    lines.push(line);
    return { id: pin.id, tokens, taken: true };
  });
  return { text: lines.length ? [header, ...lines].join('\n') : '', items };
}

/** A fresh block's parts with the memory first. */
export function withMemory(memory: MemoryDraft, parts: readonly Part[]): Part[] {
  return [...memory.blockParts, ...parts];
}

const isMemoryPart = (p: Part) => p.section === 'summary' || p.section === 'pins';

/** A block's parts without the memory (whose room the plan reserves apart). */
export function withoutMemory(parts: readonly Part[]): Part[] {
  return parts.filter((p) => !isMemoryPart(p));
}

/** Whether a kept block carries the memory as it is now (else it is built anew). */
export function sameMemory(memory: MemoryDraft, parts: readonly Part[]): boolean {
  return contentOf(parts.filter(isMemoryPart)) === contentOf(memory.blockParts);
}

/** The memory parts of a previous context block, read from its message. */
export function memoryInBlock(content: string | undefined, layout: Parameters<typeof partsFrom>[1]): Part[] {
  return content === undefined ? [] : partsFrom(content, layout, 'history').filter(isMemoryPart);
}

/**
 * The recalled messages for a prompt whose history starts at prior[start]: candidates older than
 * that, best first, while they fit the recall budget. One part on the new message, and the record.
 */
export function pickRecall(ctx: RoleContext, memory: MemoryDraft, prior: readonly PriorTurn[], start: number): { part?: Part; items: InspectorMemoryItem[] } {
  const candidates = ctx.input.memory?.recall ?? [];
  const firstSent = prior[start]?.index ?? Number.POSITIVE_INFINITY;
  const label = MEMORY_LABELS[ctx.lang].recall;
  let used = safeCount(ctx.count, label);
  const lines: string[] = [];
  const items = candidates.map((c): InspectorMemoryItem => {
    const role = ctx.input.history[c.turn]?.role;
    const name = role === 'assistant' ? ctx.macros.char : ctx.macros.user;
    const line = `${name}: ${expandMacros(c.text, ctx.macros).trim()}`;
    const tokens = safeCount(ctx.count, line) + 1;
    const base = { id: c.id, tokens, score: c.score };
    if (!(c.turn < firstSent)) return { ...base, taken: false, reason: 'in-history' };
    if (used + tokens > memory.recallReserve) return { ...base, taken: false, reason: 'budget' };
    used += tokens;
    lines.push(line);
    return { ...base, taken: true };
  });
  return { part: lines.length ? { section: 'recall', text: [label, ...lines].join('\n') } : undefined, items };
}

/** History turns with the author's note `depth` turns above the new message (depth 0 rides on the message instead). */
export function withAuthorsNote(memory: MemoryDraft, turns: readonly Turn[]): Turn[] {
  const note = memory.note;
  if (!note || note.depth === 0) return [...turns];
  const at = Math.max(0, turns.length - note.depth);
  return [...turns.slice(0, at), { role: 'user', parts: [note.part] }, ...turns.slice(at)];
}

/** The note for the new message, when its depth is 0. */
export function messageNote(memory: MemoryDraft): string | undefined {
  return memory.note?.depth === 0 ? memory.note.part.text : undefined;
}

/**
 * The inspector's memory record. `inBlock`: the memory parts the context block sent carries (a
 * reused block may hold older ones); `noteSent`: whether the author's note is in the prompt.
 */
export function memoryRecord(
  ctx: RoleContext,
  memory: MemoryDraft,
  a: { inBlock: readonly Part[] | 'none'; recalled: InspectorMemoryItem[]; noteSent: boolean },
): InspectorMemory | undefined {
  if (memory.configKey === undefined && !ctx.input.memory?.summary && !ctx.input.memory?.pins?.length) return undefined;
  const noRoom = a.inBlock === 'none';
  const stale = !noRoom && !sameMemory(memory, a.inBlock as Part[]);
  const leftOut = (item: InspectorMemoryItem): InspectorMemoryItem =>
    noRoom ? { ...item, taken: false, reason: 'no-room' } : stale && item.taken ? { ...item, taken: false, reason: 'not-refreshed' } : item;
  const covers = ctx.input.memory?.summary?.covers ?? 0;
  const note = memory.note;
  return {
    ...(memory.summary ? { summary: { ...leftOut(memory.summary), covers } } : {}),
    pins: memory.pins.map(leftOut),
    recalled: a.recalled,
    ...(note
      ? {
          authorsNote: {
            id: 'authors-note',
            tokens: safeCount(ctx.count, note.part.text),
            depth: note.depth,
            taken: a.noteSent,
            ...(a.noteSent ? {} : { reason: 'no-room' as const }),
          },
        }
      : {}),
  };
}

