// The lorebook's part in the role prompt: which entries the recent messages trigger, constant ones
// in the system message, triggered ones in the context block or as a note on the new message, and
// entries "at depth" (SillyTavern's positions 4, and 2/3 beside the author's note) among the history turns.

import { expandMacros } from '../../macros';
import { DEFAULT_ENTRY_DEPTH, matchLorebook, type LoreMatch, type LoreWarning } from '../../lorebook';
import { safeCount } from '../../token-fit';
import type { ChatTurn, InspectorLore } from '../../types';
import type { RoleContext } from '../context';
import { contentOf } from '../parts';
import { wrapNote } from '../texts';
import type { LoreLeftOut, PriorTurn, Turn } from '../types';

export interface LoreHits {
  /** Always in: the system message, before or after the character as their `position` says. */
  constant: LoreMatch[];
  /** Triggered by a key in the recent messages: the context block, or a note on the new message. */
  triggered: LoreMatch[];
  /** Entries "at depth" (constant or triggered): among the history turns, `depth` messages above the new one. */
  atDepth: LoreAtDepth[];
  leftOut: LoreLeftOut[];
  warnings: string[];
}

/** Entries matched over the rendered recent messages, the new one included; empty ones dropped. */
export function matchLore(ctx: RoleContext, prior: readonly PriorTurn[], userText: string): LoreHits {
  const scanTurns: ChatTurn[] = [...prior.map((p) => ({ role: p.role, content: contentOf(p.turn.parts) })), { role: 'user', content: userText }];
  const lore = ctx.input.lorebook
    ? matchLorebook(ctx.input.lorebook, scanTurns, { tokenBudget: ctx.budgets.lore, countTokens: ctx.count })
    : { entries: [] as LoreMatch[], skipped: [], warnings: [] };
  const entries = lore.entries.filter((m) => loreText(ctx, m));
  const noteDepth = ctx.input.memory?.authorsNote?.text?.trim() ? ctx.input.memory.authorsNote.depth : undefined;
  const atDepth = entries.flatMap((m) => {
    const place = depthOf(m.entry.extensions, noteDepth);
    return place ? [{ match: m, ...place }] : [];
  });
  const placed = new Set(atDepth.map((a) => a.match));
  const rest = entries.filter((m) => !placed.has(m));
  return {
    constant: rest.filter((m) => m.reason === 'constant'),
    triggered: rest.filter((m) => m.reason !== 'constant'),
    atDepth,
    leftOut: lore.skipped.map((s) => ({ id: s.entry.id, ...(s.entry.name ? { name: s.entry.name } : {}), reason: s.reason, matchedKeys: s.matchedKeys })),
    warnings: lore.warnings.map(describeLoreWarning),
  };
}

export interface LoreAtDepth {
  match: LoreMatch;
  /** Messages above the new one (0: right before it). */
  depth: number;
  /** Whose turn carries it: SillyTavern's role 2 (assistant) is the model's, 0 (system) and 1 (user) a user turn (strict templates allow one system message). */
  role: 'user' | 'assistant';
}

/**
 * Where SillyTavern's `extensions.position` puts an entry in the history: 4 (@depth) at
 * `extensions.depth` (default 4, as SillyTavern's), 2 and 3 (top or bottom of the author's note) at
 * the chat's author's note depth when the chat has one, so they sit next to it. Undefined: the entry
 * goes where it went before (before or after the character, the context block or a note); so do
 * 2 and 3 without an author's note and 5 to 7 (example messages and outlets, which Hearth lacks).
 */
export function depthOf(ext: Record<string, unknown> | undefined, authorsNoteDepth: number | undefined): { depth: number; role: 'user' | 'assistant' } | undefined {
  const position = ext?.position;
  const role = ext?.role === 2 ? ('assistant' as const) : ('user' as const);
  if (position === 4) {
    const depth = typeof ext?.depth === 'number' && Number.isFinite(ext.depth) ? Math.max(0, Math.floor(ext.depth)) : DEFAULT_ENTRY_DEPTH;
    return { depth, role };
  }
  if ((position === 2 || position === 3) && authorsNoteDepth !== undefined) return { depth: Math.max(0, Math.floor(authorsNoteDepth)), role: 'user' };
  return undefined;
}

/**
 * History turns with the at-depth entries placed: one "[World info: …]" turn per depth and role,
 * `depth` turns above the new message. Built only at a fresh build; appends replay it where it was.
 */
export function withLoreAtDepth(ctx: RoleContext, atDepth: readonly LoreAtDepth[], turns: readonly Turn[]): Turn[] {
  const groups = new Map<string, LoreAtDepth[]>();
  for (const a of atDepth) groups.set(`${a.depth}:${a.role}`, [...(groups.get(`${a.depth}:${a.role}`) ?? []), a]);
  // Deepest first where several land on one spot (a depth past the oldest turn lands on it).
  const ordered = [...groups.values()].sort((a, b) => b[0].depth - a[0].depth);
  const noteAt = (i: number): Turn[] =>
    ordered
      .filter((g) => Math.max(0, turns.length - g[0].depth) === i)
      .map((g) => ({ role: g[0].role, parts: [{ section: 'lorebook-depth' as const, text: loreNote(ctx, g.map((a) => a.match)) }] }));
  return [...turns.flatMap((turn, i) => [...noteAt(i), turn]), ...noteAt(turns.length)];
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
