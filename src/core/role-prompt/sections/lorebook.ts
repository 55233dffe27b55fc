// The lorebook's part in the role prompt: which entries the recent messages trigger, constant ones
// in the system message, triggered ones in the context block or as a note on the new message.

import { expandMacros } from '../../macros';
import { matchLorebook, type LoreMatch, type LoreWarning } from '../../lorebook';
import { safeCount } from '../../token-fit';
import type { ChatTurn, InspectorLore } from '../../types';
import type { RoleContext } from '../context';
import { contentOf } from '../parts';
import { wrapNote } from '../texts';
import type { LoreLeftOut, PriorTurn } from '../types';

export interface LoreHits {
  /** Always in: the system message, before or after the character as their `position` says. */
  constant: LoreMatch[];
  /** Triggered by a key in the recent messages: the context block, or a note on the new message. */
  triggered: LoreMatch[];
  leftOut: LoreLeftOut[];
  warnings: string[];
}

/** Entries matched over the rendered recent messages, the new one included; empty ones dropped. */
export function matchLore(ctx: RoleContext, prior: readonly PriorTurn[], userText: string): LoreHits {
  const scanTurns: ChatTurn[] = [...prior.map((p) => ({ role: p.role, content: contentOf(p.turn.parts) })), { role: 'user', content: userText }];
  const lore = ctx.input.lorebook
    ? matchLorebook(ctx.input.lorebook, scanTurns, { tokenBudget: ctx.budgets.lore, countTokens: ctx.count })
    : { entries: [] as LoreMatch[], skipped: [], warnings: [] };
  return {
    constant: lore.entries.filter((m) => m.reason === 'constant' && loreText(ctx, m)),
    triggered: lore.entries.filter((m) => m.reason !== 'constant' && loreText(ctx, m)),
    leftOut: lore.skipped.map((s) => ({ id: s.entry.id, ...(s.entry.name ? { name: s.entry.name } : {}), reason: s.reason, matchedKeys: s.matchedKeys })),
    warnings: lore.warnings.map(describeLoreWarning),
  };
}

/**
 * One switched-off key as the inspector lists it: the entry (by name, else id), the key and why, so
 * the person can find the entry and fix the key. Stored with the prompt as text, as before.
 */
export function describeLoreWarning(w: LoreWarning): string {
  const entry = w.entry.name?.trim() || `#${String(w.entry.id)}`;
  return `${entry}: ${JSON.stringify(w.key)} (${w.problem}: ${w.detail})`;
}

export function loreText(ctx: RoleContext, m: LoreMatch): string {
  return expandMacros(m.content, ctx.macros).trim();
}

/** Constant entries for one side of the character text. */
export function constantLoreText(ctx: RoleContext, constant: readonly LoreMatch[], side: 'before' | 'after'): string {
  return constant
    .filter((m) => (m.entry.position === 'before_char') === (side === 'before'))
    .map((m) => loreText(ctx, m))
    .join('\n');
}

/** Entries on the new message, as a "[World info: …]" note; empty without entries. */
export function loreNote(ctx: RoleContext, notes: readonly LoreMatch[]): string {
  return notes.length ? wrapNote(ctx.lang, ctx.labels.lore, notes.map((m) => loreText(ctx, m)).join('\n')) : '';
}

export function loreInfo(m: LoreMatch, placement: InspectorLore['placement']): InspectorLore {
  return {
    id: m.entry.id,
    ...(m.entry.name ? { name: m.entry.name } : {}),
    reason: m.reason,
    matchedKeys: m.matchedKeys,
    tokens: m.tokens,
    placement,
  };
}

/** An entry left out for want of room. */
export function noRoom(entry: { id: string | number; name?: string; matchedKeys: string[] }): LoreLeftOut {
  return { id: entry.id, ...(entry.name ? { name: entry.name } : {}), reason: 'no-room', matchedKeys: entry.matchedKeys };
}

/** A match in the shape `noRoom` takes. */
export function loreRef(m: LoreMatch): { id: string | number; name?: string; matchedKeys: string[] } {
  return { id: m.entry.id, name: m.entry.name, matchedKeys: m.matchedKeys };
}

export interface LoreBlock {
  kept: LoreMatch[];
  /** The "World info:" block; empty when no entry fits. */
  text: string;
  /** Its tokens with the blank line after it; 0 when empty. */
  cost: number;
  dropped: LoreLeftOut[];
}

/** The context block's lorebook part within `room`: the author asked for these by key, so they go before scenes, lowest priority out first. */
export function fitLoreBlock(ctx: RoleContext, triggered: readonly LoreMatch[], room: number): LoreBlock {
  const kept = [...triggered];
  const dropped: LoreLeftOut[] = [];
  const block = () => (kept.length ? ctx.labels.lore.trimEnd() + '\n' + kept.map((m) => loreText(ctx, m)).join('\n') : '');
  while (kept.length && safeCount(ctx.count, block()) + 2 > room) {
    const drop = [...kept].sort(byPriority)[0];
    kept.splice(kept.indexOf(drop), 1);
    dropped.push(noRoom(loreRef(drop)));
  }
  return { kept, text: block(), cost: kept.length ? safeCount(ctx.count, block()) + 2 : 0, dropped };
}

function byPriority(a: LoreMatch, b: LoreMatch): number {
  return (a.entry.priority ?? 0) - (b.entry.priority ?? 0) || (a.entry.insertionOrder ?? 0) - (b.entry.insertionOrder ?? 0);
}
