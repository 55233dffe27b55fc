// The context block, the user message after the few-shot turns (ChatHaruhi's place for scenes):
// triggered lorebook entries, the scene block, and a one-line chat-start marker. It changes rarely.

import { expandMacros } from '../../macros';
import type { InspectorLore, InspectorScene } from '../../types';
import type { RoleContext } from '../context';
import type { ChosenScene, LoreLeftOut, Part } from '../types';
import { fitLoreBlock, loreInfo, type LoreHits } from './lorebook';
import { knowledgeBlock, pickSceneSections, publicScene, sceneBlock } from './scenes';

export function chatStartMarker(ctx: RoleContext): string {
  return expandMacros(ctx.labels.marker, ctx.macros);
}

export interface ContextBlock {
  parts: Part[];
  scenes: InspectorScene[];
  lore: InspectorLore[];
  /** Kept from the previous prompt rather than built now. */
  reused: boolean;
}

/**
 * A new block within `room`: lorebook first (the author asked for it by key), then knowledge
 * passages and scenes best first in what it leaves, the passages within their share of it.
 */
export function newContextBlock(ctx: RoleContext, lore: LoreHits, ranked: readonly ChosenScene[], marker: string, room: number): ContextBlock & { dropped: LoreLeftOut[]; sceneRoom: number } {
  const fit = fitLoreBlock(ctx, lore.triggered, room);
  const scenesRoom = room - fit.cost;
  const picked = pickSceneSections(ctx, ranked, scenesRoom);
  const parts: Part[] = [
    { section: 'lorebook', text: fit.text },
    { section: 'knowledge', text: knowledgeBlock(ctx.lang, picked.knowledge) },
    { section: 'scenes', text: sceneBlock(ctx.lang, picked.scenes) },
    { section: 'chat-start', text: marker },
  ];
  return {
    parts: parts.filter((p) => p.text !== ''),
    // Passages last: when the prompt is over, the weakest is given back first (fresh.ts drops from the end).
    scenes: [...picked.scenes, ...picked.knowledge].map(publicScene),
    lore: fit.kept.map((m) => loreInfo(m, 'context')),
    reused: false,
    dropped: fit.dropped,
    sceneRoom: scenesRoom,
  };
}

/** The block with its scenes and passages replaced by `scenes` (none of a kind: no part for it), the marker last. */
export function withScenes(ctx: RoleContext, parts: readonly Part[], scenes: readonly ChosenScene[], marker: string): Part[] {
  const knowledge = scenes.filter((x) => x.kind === 'knowledge');
  const dialogue = scenes.filter((x) => x.kind !== 'knowledge');
  return [
    ...parts.filter((p) => p.section !== 'knowledge' && p.section !== 'scenes' && p.section !== 'chat-start'),
    ...(knowledge.length ? [{ section: 'knowledge' as const, text: knowledgeBlock(ctx.lang, knowledge) }] : []),
    ...(dialogue.length ? [{ section: 'scenes' as const, text: sceneBlock(ctx.lang, dialogue) }] : []),
    { section: 'chat-start' as const, text: marker },
  ];
}
