// The context block, the user message after the few-shot turns (ChatHaruhi's place for scenes):
// triggered lorebook entries, the scene block, and a one-line chat-start marker. It changes rarely.

import { expandMacros } from '../../macros';
import type { InspectorLore, InspectorScene } from '../../types';
import type { RoleContext } from '../context';
import type { ChosenScene, LoreLeftOut, Part } from '../types';
import { fitLoreBlock, loreInfo, type LoreHits } from './lorebook';
import { pickScenes, publicScene, sceneBlock } from './scenes';

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

/** A new block within `room`: lorebook first (the author asked for it by key), then scenes best first in what it leaves. */
export function newContextBlock(ctx: RoleContext, lore: LoreHits, ranked: readonly ChosenScene[], marker: string, room: number): ContextBlock & { dropped: LoreLeftOut[]; sceneRoom: number } {
  const fit = fitLoreBlock(ctx, lore.triggered, room);
  const scenesRoom = room - fit.cost;
  const picked = pickScenes(ctx, ranked, scenesRoom);
  const parts: Part[] = [
    { section: 'lorebook', text: fit.text },
    { section: 'scenes', text: sceneBlock(ctx.lang, picked) },
    { section: 'chat-start', text: marker },
  ];
  return {
    parts: parts.filter((p) => p.text !== ''),
    scenes: picked.map(publicScene),
    lore: fit.kept.map((m) => loreInfo(m, 'context')),
    reused: false,
    dropped: fit.dropped,
    sceneRoom: scenesRoom,
  };
}

/** The block with its scenes replaced by `scenes` (none: no scene part), the marker last. */
export function withScenes(ctx: RoleContext, parts: readonly Part[], scenes: readonly ChosenScene[], marker: string): Part[] {
  return [
    ...parts.filter((p) => p.section !== 'scenes' && p.section !== 'chat-start'),
    ...(scenes.length ? [{ section: 'scenes' as const, text: sceneBlock(ctx.lang, scenes) }] : []),
    { section: 'chat-start' as const, text: marker },
  ];
}
