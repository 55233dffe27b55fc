// The role-play prompt (RoleGPT + ChatHaruhi): role system prompt, few-shot turns, lorebook,
// retrieved scenes and history, laid out so the engine's KV cache survives from turn to turn.
//
// Message layout (why: layout.ts):
//
//   0  system     role template (or the card's system prompt with {{original}}), constant lorebook
//                 entries (before or after the character, as their `position` says), description,
//                 personality, scenario, catchphrases, persona, and a line saying the next turns
//                 are examples                                              <- stable for a chat
//   1… user/asst  few-shot exchanges from the card's example dialogue (RoleGPT), in card order,
//                 as many as the few-shot budget holds                      <- stable for a chat
//   c  user       the context block: triggered lorebook entries, ChatHaruhi's "Classic scenes for
//                 the role are as follows:" block (best score first, `\n###\n` between scenes), a
//                 one-line chat-start marker                                <- changes rarely
//   …  user/asst  history, replayed exactly as sent, with the author's note and lorebook entries
//                 "at depth" (SillyTavern's position 4; 2 and 3 next to the author's note) placed
//                 among it at the last fresh build                          <- append-only
//   n  user       [new scenes] [new lorebook hits] the new message [post-history instructions]
//
// Every prompt: exactly one system message, first; roles alternate after it (same-role neighbours
// merged); the last message is the person's; prompt + reply never exceed the window, by the
// conservative count of estimatePromptTokens (core/tokens).

import { planHistoryAndExamples, planWindow } from './budgets';
import { prepareContext } from './context';
import type { RoleDraft } from './draft';
import { buildFresh } from './fresh';
import { configHash, previousPrompt } from './layout';
import { buildMinimal } from './minimal';
import { contentOf } from './parts';
import { reusePrevious } from './reuse';
import { chatStartMarker } from './sections/context-block';
import { exampleExchanges, pickExamples } from './sections/examples';
import { renderHistory } from './sections/history';
import { draftMemory, messageNote } from './sections/memory';
import { matchLore } from './sections/lorebook';
import { messageParts, newMessage } from './sections/message';
import { rankScenes } from './sections/scenes';
import { renderSystem, systemParts } from './sections/system';
import type { RolePrompt, RolePromptInput } from './types';

export { DEFAULT_RETAIN, REFERENCE_BUDGETS, REFERENCE_WINDOW, scaleBudgets } from './budgets';
export { inspectPrompt, splitParts, type InspectorMessage, type InspectorPart, type InspectorSectionView, type InspectorView } from './inspector';
export { sceneTopicMoved, TOPIC_KEEP } from './sections/scenes';
export { ROLE_SYSTEM_TEMPLATE, SCENE_SEPARATOR, SCENES_HEADER } from './texts';
export { MEMORY_REFERENCE } from './sections/memory';
export type { MemoryBudgets, MemoryInput, MemoryText, RetrievedScene, RoleBudgets, RoleCacheRule, RolePrompt, RolePromptInput } from './types';
export type {
  ContextRefresh, InspectorLore, InspectorScene, PromptInspector, PromptLayout, RetrievalHit, RetrievalTrace, RolePromptInspector, SectionName,
} from '../types';

/** Reuse the previous prompt when the cache rule allows, else build afresh; minimal when the window holds no context block. */
export function buildRolePrompt(input: RolePromptInput): RolePrompt {
  const d = draftPrompt(input);
  if (!roomForContextBlock(d)) return buildMinimal(d);
  const previous = previousPrompt(d.ctx, d.configHash);
  const reused = reusePrevious(d, previous);
  return reused.prompt ?? buildFresh(d, previous, reused.refresh);
}

/** Every section rendered once, and the stable plan: history first, then few-shot, then the context block. */
function draftPrompt(input: RolePromptInput): RoleDraft {
  const { ctx, history: turns, last } = prepareContext(input);
  const history = renderHistory(ctx, turns, last);
  const message = newMessage(ctx, history.userText);
  const lore = matchLore(ctx, history.prior, history.userText);
  const exchanges = exampleExchanges(ctx);
  const system = renderSystem(ctx, lore.constant);
  const systemCost = ctx.cost(contentOf(systemParts(system, exchanges.length > 0)));
  const marker = chatStartMarker(ctx);
  const markerCost = ctx.cost(marker);
  const roomBeforeMemory = ctx.available - systemCost - ctx.budgets.messageReserve - markerCost;
  const memory = draftMemory(ctx, roomBeforeMemory);
  const messageCost = ctx.cost(contentOf(messageParts(ctx, message, { authorsNote: messageNote(memory) })));
  const room = roomBeforeMemory - memory.reserve;
  const rooms = planHistoryAndExamples(ctx.budgets, room);
  const examples = pickExamples(ctx, exchanges, rooms.fewShot);
  const plan = planWindow(ctx.budgets, room, rooms, examples.cost);
  // Without a few-shot turn that fits, the line announcing examples goes too (the plan keeps its cost).
  const parts = systemParts(system, examples.turns.length > 0);
  const ranked = rankScenes(ctx, input.scenes);
  // Without memory the hash is what it always was, so prompts stored before memory stay reusable.
  const hash = configHash(ctx, parts, examples.turns, message.phi, marker, memory.configKey === undefined ? plan : { plan, memory: memory.configKey });
  return {
    ctx, history, message, lore, exchanges, system, systemParts: parts, systemCost, messageCost,
    marker, markerCost, room, plan, examples, ranked, memory, configHash: hash,
  };
}

/** The system prompt and the message fit, with room left for the rest. */
function roomForContextBlock(d: RoleDraft): boolean {
  return d.systemCost + d.messageCost <= d.ctx.available && d.room > 0;
}
