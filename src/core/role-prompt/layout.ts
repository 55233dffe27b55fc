// The cache-aware layout: what a prompt records so the next turn can reuse it, and the engine's
// cache rule for what a fresh build keeps.
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
//   new ones), the best new scene (whenever it fits a whole block's scene room) and more, up to a
//   third of a block's worth, ride on the new user message, as ChatHaruhi puts scenes in a user
//   message before the query. When only the new message's own clear best match is missing (the
//   focus scene: the exchange's scores lag a turn behind a new subject, core/retrieval/
//   message-focus.ts), that scene alone rides there, on every engine: one scene costs less than
//   re-prefilling the block and history. Lorebook entries that start to trigger ride there too, as
//   a "[World info: …]" note. Being in the last message, they break nothing; at the next fresh
//   build they move into the context block. (`onTopicMove: 'rebuild'` rebuilds at once instead: a
//   full prefill on web-llm.) Rebuilding the block every turn, as ChatHaruhi does, would cost a
//   full prefill every turn.
// - The engine's cache rule (`cache`, passed by the app for the loaded engine) sets what a fresh
//   build costs and so what it does. 'exact-messages' (web-llm): every fresh build is a full
//   prefill, so it refreshes scenes and lorebook entries too (free at that point). 'token-prefix'
//   (llama.cpp): a fresh build re-prefills only what follows the first change, so it keeps the
//   context block whenever the topic has not moved (entries that started to trigger ride on the new
//   message as a note), and a topic move the scores see rebuilds the block at once (block plus
//   retained history, about a third of the prompt, not all of it), giving the new subject a full
//   block at once. Unset: the block is kept when neither topic nor lorebook hits changed, and moves append.
// - History's room is whatever the few-shot turns and the context block leave (fixed between fresh
//   builds, since those sections are). A fresh build gives the block what history does not need now
//   (its turns plus room to append, within its room), then keeps the newest turns up to what
//   leaves that room to append (at least `retain` of history's room). When
//   an append would not fit, the prompt is built afresh, keeping the context block if the topic has
//   not moved (llama.cpp then reuses everything up to the history). Dropping one old message per
//   turn instead, as a plain builder does once history is full, breaks the cache on every turn.
//   Retained history keeps whole exchanges, as ChatHaruhi keeps (query, response) pairs: when the
//   retain share cuts between a message and its reply, the orphaned reply goes too (older turns are
//   re-prefilled at every fresh build, and a reply without its question misleads).
// - Regenerating the same turn returns the very same prompt.

import { hashText } from '../hash';
import { historyReserve } from './budgets';
import type { ChatTurn, ContextRefresh, PromptLayout, SceneKind, SentPrompt } from '../types';
import type { RoleContext } from './context';
import type { RoleDraft } from './draft';
import { contentOf, partsFrom } from './parts';
import type { ContextBlock } from './sections/context-block';
import { sameMemory, withoutMemory } from './sections/memory';
import { pickScenes, sceneBlockCost, sceneTopicMoved } from './sections/scenes';
import type { Built, ChosenScene, Part, RolePrompt, Turn } from './types';

export const LAYOUT_VERSION = 1;

/** The previous prompt with its layout, when the layout can be read. */
export interface PreviousPrompt {
  prompt: SentPrompt;
  layout: PromptLayout;
  /** Built from the same card, persona, window and reply length: its prefix is still exact. */
  sameConfig: boolean;
}

/** A hash of everything the prefix depends on; a prompt whose hash differs cannot be reused. */
export function configHash(ctx: RoleContext, system: readonly Part[], fewShot: readonly Turn[], phi: string, marker: string, plan: object): string {
  return hashText(
    JSON.stringify([
      LAYOUT_VERSION, ctx.lang, contentOf(system), fewShot.map((t) => contentOf(t.parts)), phi, marker,
      plan, ctx.budgets.retain, ctx.budget, ctx.cacheAware,
    ]),
  );
}

export function previousPrompt(ctx: RoleContext, hash: string): PreviousPrompt | undefined {
  const previous = ctx.input.previous;
  const layout = ctx.cacheAware ? readLayout(previous) : undefined;
  return previous && layout ? { prompt: previous, layout, sameConfig: layout.configHash === hash } : undefined;
}

/** The stored layout of a previous prompt, when it is one this version wrote and it matches its messages. */
function readLayout(previous: SentPrompt | undefined): PromptLayout | undefined {
  const layout = (previous as Partial<RolePrompt> | undefined)?.inspector?.layout;
  if (!previous || !layout || typeof layout !== 'object' || layout.version !== LAYOUT_VERSION) return undefined;
  if (!Array.isArray(previous.messages) || !Array.isArray(layout.prefixParts) || !Array.isArray(layout.contextParts)) return undefined;
  if (!Array.isArray(layout.scenes) || !Array.isArray(layout.lore) || !Array.isArray(layout.notedLore) || !Array.isArray(layout.notedScenes)) return undefined;
  if (layout.contextIndex >= previous.messages.length || layout.prefixMessages > previous.messages.length) return undefined;
  return layout;
}

/** Why a prompt is built afresh, as far as the previous prompt alone tells. */
export function refreshReason(ctx: RoleContext, previous: PreviousPrompt | undefined): ContextRefresh {
  if (!ctx.cacheAware) return 'rebuild-layout';
  if (!ctx.input.previous) return 'first';
  if (!previous) return 'not-continuation';
  return previous.sameConfig ? 'not-continuation' : 'config-changed';
}

/**
 * The room a fresh block gets now: the plan's, less a message longer than its reserve, less what
 * history needs (its turns and, cache-aware, room to append).
 */
export function blockRoom(d: RoleDraft): number {
  const { ctx } = d;
  const reserve = historyReserve(ctx.budgets, d.plan, d.history.prior.reduce((sum, p) => sum + ctx.cost(contentOf(p.turn.parts)), 0), ctx.cacheAware);
  return Math.max(0, d.plan.context - messageOverflow(d) - reserve);
}

/** A block's room after a topic move: enough for the best dialogue scene whenever it fits the whole scene budget. */
export function blockRoomOnTopicMove(d: RoleDraft): number {
  return Math.max(blockRoom(d), roomForScene(d, d.ranked.find((x) => x.kind !== 'knowledge')));
}

/** A message longer than its reserve takes its extra room from the context block. */
function messageOverflow(d: RoleDraft): number {
  return Math.max(0, d.messageCost - d.ctx.budgets.messageReserve);
}

/**
 * The room a scene block holding `scene` alone takes, when that fits the whole scene budget (history
 * then gives way, down to what is left); else 0. The best scene is what most likely holds the answer.
 */
export function roomForScene(d: RoleDraft, scene: ChosenScene | undefined): number {
  if (!scene) return 0;
  const need = sceneBlockCost(d.ctx, [scene]);
  return need <= Math.min(d.ctx.budgets.scenes, d.plan.context - messageOverflow(d)) ? need : 0;
}

export type TopicMove = 'scenes' | 'focus';

/**
 * How the topic moved away from the `previous` block's scenes, if it did; only when a fresh block
 * could hold a scene now (otherwise a rebuild gains nothing). 'scenes': scored with the new
 * retrieval, the old scenes keep too little relevance (sceneTopicMoved). 'focus': they keep
 * enough, but the message's focus scene is not among them: the exchange's scores lag a turn behind
 * a new subject, which the message alone names (core/retrieval/message-focus.ts). Dialogue scenes
 * alone decide: knowledge passages are ranked on their own, and scores compare only within one
 * ranking.
 */
export function topicMove(d: RoleDraft, previous: readonly { id: string; kind?: SceneKind }[]): TopicMove | undefined {
  const dialogue = d.ranked.filter((x) => x.kind !== 'knowledge');
  if (pickScenes(d.ctx, dialogue, blockRoomOnTopicMove(d)).length === 0) return undefined;
  const previousIds = previous.filter((x) => x.kind !== 'knowledge').map((x) => x.id);
  const override = d.ctx.input.topicMoved;
  if (override !== undefined) return override ? 'scenes' : undefined;
  if (sceneTopicMoved(previousIds, dialogue)) return 'scenes';
  const focus = focusScene(d);
  return focus && !previousIds.includes(focus.id) && roomForScene(d, focus) > 0 ? 'focus' : undefined;
}

/** The message's focus scene among the ranked ones (rankScenes puts it first). */
export function focusScene(d: RoleDraft): ChosenScene | undefined {
  return d.ranked.find((x) => x.focus);
}

/** On a token-prefix engine a rebuild re-prefills the block and the retained history only, so a topic move rebuilds by default. */
export function onTopicMove(ctx: RoleContext): 'append' | 'rebuild' {
  return ctx.input.onTopicMove ?? (ctx.input.cache === 'token-prefix' ? 'rebuild' : 'append');
}

/**
 * The previous context block, when a fresh build may keep it: the topic has not moved, it still
 * fits, and no new lorebook entry triggers. On a token-prefix engine new entries ride on the new
 * message instead (a note costs less than the block); on an exact-messages engine it is never
 * kept (the fresh build is a full prefill anyway).
 */
export function keptContextBlock(d: RoleDraft, previous: PreviousPrompt | undefined, room: number): ContextBlock | undefined {
  if (!previous?.sameConfig || previous.layout.contextIndex < 0) return undefined;
  const L = previous.layout;
  const cache = d.ctx.input.cache;
  const parts = partsFrom(previous.prompt.messages[L.contextIndex].content, L.contextParts, 'history').slice(0, L.contextParts.length);
  const ids = new Set(L.lore.map((l) => l.id));
  const keep =
    parts.length === L.contextParts.length &&
    parts[parts.length - 1]?.section === 'chat-start' &&
    cache !== 'exact-messages' &&
    (cache === 'token-prefix' || d.lore.triggered.every((m) => ids.has(m.entry.id))) &&
    !topicMove(d, L.scenes) &&
    sameMemory(d.memory, parts) &&
    d.ctx.cost(contentOf(withoutMemory(parts))) - d.markerCost <= room;
  return keep ? { parts, scenes: L.scenes, lore: L.lore, reused: true } : undefined;
}

/** Previous messages with the appended turns: parts restored from the layout so sections stay exact. */
export function rebuildFrom(messages: readonly ChatTurn[], layout: PromptLayout, appended: readonly Turn[]): Built[] {
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
