// A fresh build: the context block kept or built anew, the newest history that fits its share, and,
// when the whole is still over the window, things given back in a fixed order until it fits.

import { AppError } from '../errors';
import { appendRoom } from './budgets';
import type { LoreMatch } from '../lorebook';
import { safeCount, truncateTokens } from '../token-fit';
import type { ContextRefresh, InspectorLore, InspectorMemory, InspectorScene, PromptLayout, PromptSection } from '../types';
import type { RoleDraft } from './draft';
import { blockRoom, blockRoomOnTopicMove, keptContextBlock, LAYOUT_VERSION, type PreviousPrompt } from './layout';
import { assemble, contentOf, measure, partsLayout } from './parts';
import { constantLoreInfo, finish, recordBase } from './record';
import { newContextBlock, withScenes, type ContextBlock } from './sections/context-block';
import { retainedStart } from './sections/history';
import { memoryRecord, messageNote, pickRecall, withAuthorsNote, withMemory } from './sections/memory';
import { loreInfo, loreRef, noRoom, withLoreAtDepth, type LoreAtDepth } from './sections/lorebook';
import { messageParts, messageTurn } from './sections/message';
import { leftOutReason, publicScene } from './sections/scenes';
import type { Built, ChosenScene, LoreLeftOut, Part, RolePrompt, Turn } from './types';

/** What a fresh build holds; the give-back steps shrink it. */
interface FreshState {
  system: Part[];
  examples: Turn[];
  context: Part[];
  contextLore: InspectorLore[];
  scenes: InspectorScene[];
  /** The room scenes had in a new block (what tells 'no-room' from 'below-others'). */
  sceneRoom: number;
  reused: boolean;
  /** The first history turn kept. */
  start: number;
  /** Lorebook entries riding on the new message (a kept block on a token-prefix engine). */
  notes: LoreMatch[];
  /** Lorebook entries among the history turns at their depth. */
  atDepth: LoreAtDepth[];
  withPhi: boolean;
  text: string;
  truncatedSystem: boolean;
  truncatedMessage: boolean;
  loreLeft: LoreLeftOut[];
}

export function buildFresh(d: RoleDraft, previous: PreviousPrompt | undefined, refresh: ContextRefresh): RolePrompt {
  const s = startFresh(d, previous, refresh);
  // In the rare case merging or an odd counter puts it over, give things back in order.
  for (let attempt = 0; ; attempt++) {
    // Recalled: what the new message refers back to among the turns history no longer holds.
    const recall = pickRecall(d.ctx, d.memory, d.history.prior, s.start);
    const turns: Turn[] = [
      ...s.examples,
      { role: 'user', parts: s.context },
      ...withLoreAtDepth(d.ctx, s.atDepth, withAuthorsNote(d.memory, d.history.prior.slice(s.start).map((p) => p.turn))),
      messageTurn(d.ctx, d.message, { notes: s.notes, withPhi: s.withPhi, text: s.text, recall: recall.part, authorsNote: messageNote(d.memory) }),
    ];
    const built = assemble(s.system, turns);
    const { sections, total } = measure(built, d.ctx.count);
    if (total <= d.ctx.budget) {
      return freshPrompt(d, s, built, sections, total, refresh, memoryRecord(d.ctx, d.memory, { inBlock: s.context, recalled: recall.items, noteSent: true }));
    }
    giveBack(d, s, total, attempt);
  }
}

function startFresh(d: RoleDraft, previous: PreviousPrompt | undefined, refresh: ContextRefresh): FreshState {
  const { ctx } = d;
  // The block takes what history does not need now; history takes it back as the chat grows. After
  // a topic move history also gives way for the best scene.
  const contextRoom = refresh === 'topic-moved' ? blockRoomOnTopicMove(d) : blockRoom(d);
  const block: ContextBlock & { dropped?: LoreLeftOut[]; sceneRoom?: number } =
    keptContextBlock(d, previous, contextRoom) ?? newContextBlock(ctx, d.lore, d.ranked, d.marker, contextRoom);
  // Entries that started to trigger since the kept block was built (token-prefix only).
  const inBlock = new Set(block.lore.map((l) => l.id));
  const notes = block.reused ? d.lore.triggered.filter((m) => !inBlock.has(m.entry.id)) : [];
  const messageCost = notes.length ? ctx.cost(contentOf(messageParts(ctx, d.message, { notes, authorsNote: messageNote(d.memory) }))) : d.messageCost;
  const context = block.reused ? block.parts : withMemory(d.memory, block.parts);
  // Recalled messages ride on the new message: history leaves their room free.
  // At-depth entries sit among the history turns: history leaves their room free too.
  const atDepthCost = ctx.cost(contentOf(withLoreAtDepth(ctx, d.lore.atDepth, []).flatMap((t) => t.parts)));
  const room = historyRoom(d, context, messageCost + d.memory.recallReserve + atDepthCost);
  // Cache-aware: keep the newest history up to what leaves room to append (at least `retain` of it).
  const target = ctx.cacheAware ? Math.max(Math.floor(room * ctx.budgets.retain), room - appendRoom(ctx.budgets, true)) : room;
  return {
    system: d.systemParts,
    examples: d.examples.turns,
    context,
    contextLore: block.lore,
    scenes: [...block.scenes],
    sceneRoom: block.sceneRoom ?? 0,
    reused: block.reused,
    start: retainedStart(ctx, d.history.prior, room, target),
    notes,
    atDepth: [...d.lore.atDepth],
    withPhi: true,
    text: d.message.text,
    truncatedSystem: false,
    truncatedMessage: false,
    loreLeft: [...d.lore.leftOut, ...(block.dropped ?? [])],
  };
}

/**
 * History's room: whatever the few-shot turns and the context block leave (so a character without
 * scenes gets more history). The cache-aware layout leaves part of it free for the turns that will
 * be appended before the next rebuild.
 */
function historyRoom(d: RoleDraft, context: readonly Part[], messageCost: number): number {
  const { ctx } = d;
  const fixed = d.systemCost + d.examples.cost + ctx.cost(contentOf(context)) + Math.max(messageCost, ctx.budgets.messageReserve);
  return Math.max(0, ctx.available - fixed);
}

/**
 * Gives back one thing: the oldest history turn, then the lorebook notes, the entries at depth, the weakest scene, the
 * block's lorebook entries, an example exchange, the post-history note; then it cuts the longer of
 * the message (keeping its end) and the system prompt (keeping its start).
 */
function giveBack(d: RoleDraft, s: FreshState, total: number, attempt: number): void {
  if (s.start < d.history.prior.length) s.start++;
  else if (s.notes.length > 0) {
    s.loreLeft.push(...s.notes.map((m) => noRoom(loreRef(m))));
    s.notes = [];
  } else if (s.atDepth.length > 0) {
    s.loreLeft.push(...s.atDepth.map((a) => noRoom(loreRef(a.match))));
    s.atDepth = [];
  } else if (s.scenes.length > 0) dropWeakestScene(d, s);
  else if (s.context.some((p) => p.section === 'lorebook')) {
    s.context = s.context.filter((p) => p.section !== 'lorebook');
    s.loreLeft.push(...s.contextLore.map(noRoom));
    s.contextLore = [];
  } else if (s.examples.length > 0) s.examples = s.examples.slice(0, -2);
  else if (s.withPhi && d.message.phi) s.withPhi = false;
  else if (attempt < 60) cutLonger(d, s, total - d.ctx.budget);
  else throw new AppError('context-exceeded', 'The prompt does not fit in the context window', { budget: d.ctx.budget, total });
}

function dropWeakestScene(d: RoleDraft, s: FreshState): void {
  s.scenes = s.scenes.slice(0, -1);
  const byId = new Map(d.ranked.map((x) => [x.id, x]));
  const texts = s.scenes.map((x) => byId.get(x.id)).filter((x): x is ChosenScene => x !== undefined);
  s.context = withScenes(d.ctx, s.context, texts, d.marker);
  s.reused = false;
}

function cutLonger(d: RoleDraft, s: FreshState, over: number): void {
  const { count } = d.ctx;
  const systemText = contentOf(s.system);
  if (safeCount(count, s.text) >= safeCount(count, systemText)) {
    s.text = truncateTokens(s.text, safeCount(count, s.text) - over, count, 'keep-end');
    s.truncatedMessage = true;
  } else {
    s.system = [{ section: 'system', text: truncateTokens(systemText, safeCount(count, systemText) - over, count, 'keep-start') }];
    s.truncatedSystem = true;
  }
}

function freshPrompt(d: RoleDraft, s: FreshState, built: Built[], sections: PromptSection[], total: number, refresh: ContextRefresh, memory: InspectorMemory | undefined): RolePrompt {
  const { prior } = d.history;
  const leftOut = d.ranked
    .filter((x) => !s.scenes.some((k) => k.id === x.id))
    .map((x) => ({ ...publicScene(x), reason: s.reused ? ('not-refreshed' as const) : leftOutReason(d.ctx, x, s.sceneRoom) }));
  const placed = s.reused ? ('earlier' as const) : ('new' as const);
  return finish({
    ...recordBase(d),
    examples: { available: d.exchanges.length, used: s.examples.length / 2 },
    built,
    sections,
    total,
    mode: 'fresh',
    refresh,
    scenes: { chosen: s.scenes.map((x) => ({ ...x, placed })), leftOut, reused: s.reused },
    lore: [...constantLoreInfo(d), ...s.contextLore, ...s.notes.map((m) => loreInfo(m, 'note')), ...s.atDepth.map((a) => ({ ...loreInfo(a.match, 'depth'), depth: a.depth }))],
    loreLeftOut: s.loreLeft,
    history: { kept: prior.length - s.start, dropped: s.start },
    layout: freshLayout(d, s, built),
    truncated: { system: s.truncatedSystem, message: s.truncatedMessage },
    memory,
  });
}

/** The layout the next turn reads: the context block right after the few-shot turns. A truncated prompt is never appended to. */
function freshLayout(d: RoleDraft, s: FreshState, built: readonly Built[]): PromptLayout {
  const contextIndex = 1 + s.examples.length;
  return {
    version: LAYOUT_VERSION,
    configHash: d.configHash,
    appendable: !s.truncatedMessage && !s.truncatedSystem,
    prefixMessages: contextIndex,
    contextIndex,
    prefixParts: built.slice(0, contextIndex).map((m) => partsLayout(m.parts)),
    contextParts: partsLayout(s.context),
    scenes: s.scenes,
    lore: s.contextLore,
    // At-depth entries count as noted: an append leaves them where they are and does not note them again.
    notedLore: [...s.notes, ...s.atDepth.map((a) => a.match)].map((m) => m.entry.id),
    notedScenes: [],
    turns: d.history.prior.length + 1,
    turnsHash: d.history.turnsHash,
    dropped: s.start,
  };
}
