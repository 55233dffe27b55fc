// Reusing the previous prompt whole: the same turn again gets the very same prompt, and a
// continuation is appended to it (new scenes and lorebook entries riding on the new message) as
// long as history's room holds it. Otherwise it says why the prompt must be built afresh.

import type { LoreMatch } from '../lorebook';
import type { ContextRefresh, PromptLayout, RolePromptInspector } from '../types';
import { DELTA_SHARE } from './budgets';
import type { RoleDraft } from './draft';
import { blockRoom, focusScene, onTopicMove, roomForScene, rebuildFrom, refreshReason, topicMove, type PreviousPrompt, type TopicMove } from './layout';
import { contentOf, measure } from './parts';
import { constantLoreInfo, finish, inspectorOf, recordBase } from './record';
import { loreInfo } from './sections/lorebook';
import { memoryInBlock, memoryRecord, messageNote, pickRecall } from './sections/memory';
import { messageTurn } from './sections/message';
import { leftOutReason, pickScenes, publicScene } from './sections/scenes';
import type { ChosenScene, RolePrompt } from './types';

/** The reused prompt, or why there is none. */
export function reusePrevious(d: RoleDraft, previous: PreviousPrompt | undefined): { prompt?: RolePrompt; refresh: ContextRefresh } {
  const refresh = refreshReason(d.ctx, previous);
  if (!previous?.sameConfig || !previous.layout.appendable) return { refresh };
  const { prior, turnsHash, hashes } = d.history;
  const L = previous.layout;
  const previousTotal = previous.prompt.sections.reduce((sum, x) => sum + x.tokens, 0);
  if (prior.length + 1 === L.turns && turnsHash === L.turnsHash && previousTotal <= d.ctx.budget) {
    return { prompt: regenerated(d, previous, previousTotal), refresh: 'regenerated' };
  }
  if (!(prior.length >= L.turns && hashes[L.turns] === L.turnsHash)) return { refresh };
  const knownScenes = new Set([...L.scenes, ...L.notedScenes].map((x) => x.id));
  const move = topicMove(d, [...L.scenes, ...L.notedScenes]);
  // The focus scene alone always rides on the message: one scene, where a rebuild re-prefills the block and history.
  if (move === 'scenes' && onTopicMove(d.ctx) === 'rebuild') return { refresh: 'topic-moved' };
  const prompt = appended(d, previous, knownScenes, move);
  return prompt ? { prompt, refresh: 'appended' } : { refresh: move ? 'topic-moved' : 'history-full' };
}

/** The very same prompt again, its record saying so. */
function regenerated(d: RoleDraft, previous: PreviousPrompt, total: number): RolePrompt {
  const L = previous.layout;
  return {
    messages: previous.prompt.messages.map((m) => ({ role: m.role, content: m.content })),
    sections: previous.prompt.sections.map((x) => ({ ...x })),
    droppedMessages: L.dropped,
    inspector: inspectorOf({
      ...recordBase(d),
      total,
      mode: 'regenerated',
      refresh: 'regenerated',
      scenes: reusedScenes(d, L),
      lore: [...constantLoreInfo(d), ...L.lore],
      loreLeftOut: d.lore.leftOut,
      history: { kept: d.history.prior.length - L.dropped, dropped: L.dropped },
      layout: { ...L },
      truncated: { system: false, message: false },
      memory: (previous.prompt as Partial<RolePrompt>).inspector?.memory,
    }),
  };
}

/** The previous prompt plus the new turns; undefined when history's room does not hold them. */
function appended(d: RoleDraft, previous: PreviousPrompt, knownScenes: ReadonlySet<string>, move: TopicMove | undefined): RolePrompt | undefined {
  const { ctx, history } = d;
  const L = previous.layout;
  const moved = move === 'scenes' ? topicDelta(d, L, knownScenes) : undefined;
  // When only the focus scene is missing, it comes alone (topicMove checked that it fits a whole block's scene room).
  const focus = move === 'focus' ? [focusScene(d)!] : [];
  const delta = moved?.scenes ?? focus;
  const known = new Set([...L.lore.map((l) => l.id), ...L.notedLore]);
  // An entry at depth that starts to fire between rebuilds rides on the new message until the next rebuild places it.
  const notes = [...d.lore.triggered, ...d.lore.atDepth.map((a) => a.match)].filter((m) => !known.has(m.entry.id));
  const recall = pickRecall(ctx, d.memory, history.prior, L.dropped);
  const turns = [
    ...history.prior.slice(L.turns).map((x) => x.turn),
    messageTurn(ctx, d.message, { notes, scenes: delta, recall: recall.part, authorsNote: messageNote(d.memory) }),
  ];
  const built = rebuildFrom(previous.prompt.messages, L, turns);
  const { sections, total } = measure(built, ctx.count);
  // History may grow into its whole room (the window less the fixed sections, the new message
  // counted at no less than its reserve so the next turn is not left without room).
  const newCost = ctx.cost(contentOf(built[built.length - 1].parts));
  if (total - newCost + Math.max(newCost, ctx.budgets.messageReserve) > ctx.budget) return undefined;
  return finish({
    ...recordBase(d),
    built,
    sections,
    total,
    mode: 'appended',
    refresh: 'appended',
    scenes: reusedScenes(d, L, moved, focus),
    lore: [...constantLoreInfo(d), ...L.lore, ...notes.map((m) => loreInfo(m, 'note'))],
    loreLeftOut: d.lore.leftOut,
    history: { kept: history.prior.length - L.dropped, dropped: L.dropped },
    layout: appendedLayout(d, L, notes, delta),
    truncated: { system: false, message: false },
    // The block as sent earlier: a summary rewritten since waits for the next fresh build.
    memory: memoryRecord(ctx, d.memory, { inBlock: memoryInBlock(previous.prompt.messages[L.contextIndex]?.content, L.contextParts), recalled: recall.items, noteSent: true }),
  });
}

/** The previous layout, now covering the new turns and what rode on the new message. */
function appendedLayout(d: RoleDraft, L: PromptLayout, notes: readonly LoreMatch[], delta: readonly ChosenScene[]): PromptLayout {
  return {
    ...L,
    notedLore: [...L.notedLore, ...notes.map((m) => m.entry.id)],
    notedScenes: [...L.notedScenes, ...delta.map(publicScene)],
    turns: d.history.prior.length + 1,
    turnsHash: d.history.turnsHash,
  };
}

/**
 * After a topic move, the best new scenes for the new message: the top unseen scene whenever it fits
 * a whole block's scene room (the one most likely to hold the answer; when the append then does not
 * fit, the prompt is rebuilt), then more, up to a third of a block's worth, to carry the new
 * subject until the next rebuild.
 */
function topicDelta(d: RoleDraft, L: PromptLayout, knownScenes: ReadonlySet<string>): { scenes: ChosenScene[]; room: number } {
  const blockLore = L.lore.reduce((sum, l) => sum + l.tokens, 0);
  // Knowledge passages wait for the next rebuild: a topic move carries dialogue scenes only.
  const unseen = d.ranked.filter((x) => !knownScenes.has(x.id) && x.kind !== 'knowledge');
  const [top, ...rest] = unseen;
  const wholeRoom = Math.max(blockRoom(d) - blockLore, roomForScene(d, top));
  const deltaRoom = Math.floor(wholeRoom / DELTA_SHARE);
  if (!top) return { scenes: [], room: wholeRoom };
  if (pickScenes(d.ctx, [top], wholeRoom).length === 0) return { scenes: pickScenes(d.ctx, rest, deltaRoom), room: wholeRoom };
  return { scenes: [top, ...pickScenes(d.ctx, rest, deltaRoom - top.tokens)], room: wholeRoom };
}

/**
 * The scenes of a reused prompt: its block's and those added since (already in it), and any added
 * now. Left out: on a topic move, too large for a whole block's scene room or behind better-ranked
 * ones; otherwise not refreshed (the topic had not moved; the message's focus scene, `focus`, may
 * have come in alone).
 */
function reusedScenes(d: RoleDraft, L: PromptLayout, added?: { scenes: readonly ChosenScene[]; room: number }, focus: readonly ChosenScene[] = []): RolePromptInspector['scenes'] {
  const earlier = [...L.scenes, ...L.notedScenes];
  const now = [...(added?.scenes ?? []), ...focus];
  const seen = new Set([...earlier, ...now].map((s) => s.id));
  return {
    chosen: [...earlier.map((s) => ({ ...s, placed: 'earlier' as const })), ...now.map((s) => ({ ...publicScene(s), placed: 'new' as const }))],
    leftOut: d.ranked
      .filter((s) => !seen.has(s.id))
      .map((s) => ({ ...publicScene(s), reason: added ? leftOutReason(d.ctx, s, added.room) : ('not-refreshed' as const) })),
    reused: true,
  };
}
