// Retrieved scenes (ChatHaruhi): ranked once, picked best first into a room, written as the
// "Classic scenes" block, and the test for whether retrieval moved to another topic.

import { expandMacros } from '../../macros';
import { safeCount } from '../../token-fit';
import type { InspectorScene, Lang } from '../../types';
import type { RoleContext } from '../context';
import { KNOWLEDGE_HEADER, SCENE_SEPARATOR, SCENES_HEADER } from '../texts';
import type { ChosenScene, RetrievedScene } from '../types';

/**
 * Scenes as retrieval ranked them, best first (ties in input order), the message's focus scene
 * before all (the one most likely to hold the answer, see RetrievedScene.focus); duplicates and
 * empty ones dropped.
 */
export function rankScenes(ctx: RoleContext, scenes: readonly RetrievedScene[] | undefined): ChosenScene[] {
  const ranked: ChosenScene[] = [];
  const seen = new Set<string>();
  const focusFirst = (scene: RetrievedScene) => (scene.focus === true ? 0 : 1);
  const sorted = (scenes ?? [])
    .map((scene, index) => ({ scene, index }))
    .filter(({ scene }) => scene && typeof scene.id === 'string' && Number.isFinite(scene.score))
    .sort((a, b) => focusFirst(a.scene) - focusFirst(b.scene) || b.scene.score - a.scene.score || a.index - b.index);
  for (const { scene } of sorted) {
    if (seen.has(scene.id)) continue;
    const text = expandMacros(scene.text ?? '', ctx.macros).trim();
    if (!text) continue;
    seen.add(scene.id);
    const tokens = safeCount(ctx.count, text) + safeCount(ctx.count, SCENE_SEPARATOR);
    ranked.push({
      id: scene.id, ...(scene.title ? { title: scene.title } : {}), score: scene.score, tokens, text,
      ...(scene.kind ? { kind: scene.kind } : {}), ...(scene.focus === true && scene.kind !== 'knowledge' ? { focus: true } : {}),
    });
  }
  return ranked;
}

/** What a scene block of `scenes` costs: the header, then each scene with its separator. */
export function sceneBlockCost(ctx: RoleContext, scenes: readonly ChosenScene[], header = SCENES_HEADER[ctx.lang]): number {
  return scenes.reduce((sum, s) => sum + s.tokens, safeCount(ctx.count, header) + 2);
}

/** The scenes of `pool` that fit in `room` with the header, in pool order; a long one may be skipped for shorter ones after it. */
export function pickScenes(ctx: RoleContext, pool: readonly ChosenScene[], room: number, header = SCENES_HEADER[ctx.lang]): ChosenScene[] {
  const chosen: ChosenScene[] = [];
  let used = sceneBlockCost(ctx, [], header);
  for (const scene of pool) {
    if (used + scene.tokens > room) continue;
    used += scene.tokens;
    chosen.push(scene);
  }
  return chosen;
}

/** Why a scene a build with `room` for scenes did not take is out: larger than the whole room, or the better-ranked ones took it. */
export function leftOutReason(ctx: RoleContext, scene: ChosenScene, room: number): 'no-room' | 'below-others' {
  return pickScenes(ctx, [scene], room).length === 0 ? 'no-room' : 'below-others';
}

/** ChatHaruhi's block: the header, then the scenes with `\n###\n` between and after them; empty without scenes. */
export function sceneBlock(lang: Lang, chosen: readonly ChosenScene[]): string {
  return chosen.length ? `${SCENES_HEADER[lang]}\n${chosen.map((s) => s.text).join(SCENE_SEPARATOR)}${SCENE_SEPARATOR.trimEnd()}` : '';
}

/** The knowledge section: its header, then the passages with the scene separator between them; empty without passages. */
export function knowledgeBlock(lang: Lang, chosen: readonly ChosenScene[]): string {
  return chosen.length ? `${KNOWLEDGE_HEADER[lang]}\n${chosen.map((s) => s.text).join(SCENE_SEPARATOR)}` : '';
}

/** Share of the scene room knowledge passages may take when retrieval found some; dialogue scenes get the rest. */
export const KNOWLEDGE_SHARE = 0.25;

/** The best passage alone may take up to this share of the scene room when it is larger than KNOWLEDGE_SHARE. */
export const KNOWLEDGE_BEST_SHARE = 0.5;

/**
 * Knowledge passages first, within KNOWLEDGE_SHARE of `room`, then dialogue scenes in what is left:
 * each kind best first from its own ranking, so a wiki page never crowds out the character's lines.
 * Passages are cut at import by estimate; under a costlier tokenizer (byte-level, CJK at 3 tokens)
 * one can outgrow the share, so the best passage alone may then take up to KNOWLEDGE_BEST_SHARE.
 */
export function pickSceneSections(ctx: RoleContext, ranked: readonly ChosenScene[], room: number): { scenes: ChosenScene[]; knowledge: ChosenScene[] } {
  const passages = ranked.filter((x) => x.kind === 'knowledge');
  const header = KNOWLEDGE_HEADER[ctx.lang];
  // Their share of the scene budget, never of the extra room history leaves free: that is for scenes.
  const sceneRoom = Math.min(room, ctx.budgets.scenes);
  let knowledge = passages.length ? pickScenes(ctx, passages, Math.floor(sceneRoom * KNOWLEDGE_SHARE), header) : [];
  if (knowledge.length === 0 && passages.length) knowledge = pickScenes(ctx, passages.slice(0, 1), Math.floor(sceneRoom * KNOWLEDGE_BEST_SHARE), header);
  const knowledgeCost = knowledge.length ? sceneBlockCost(ctx, knowledge, header) : 0;
  const scenes = pickScenes(ctx, ranked.filter((x) => x.kind !== 'knowledge'), room - knowledgeCost);
  return { scenes, knowledge };
}

/** A scene as the inspector records it (without its text). */
export function publicScene({ id, title, score, tokens, kind }: ChosenScene): InspectorScene {
  return { id, ...(title ? { title } : {}), score, tokens, ...(kind ? { kind } : {}) };
}

/** How much of a fresh pick's relevance the previous block must keep for the topic to count as unmoved. */
export const TOPIC_KEEP = 0.5;

/**
 * Whether retrieval moved to another topic. The previous block's scenes are scored with the NEW
 * retrieval scores (a scene missing from the new results scores 0) and compared with as many of
 * the best new scenes: the topic moved when the old block keeps less than `TOPIC_KEEP` of their
 * relevance. Scenes shuffling rank within a topic do not count as a move; a new subject, whose
 * scenes the old block lacks, does. No new scenes: not moved (keep what is there). Scores are
 * compared only within one ranking, as retrieval's contract says.
 */
export function sceneTopicMoved(previousIds: readonly string[], ranked: readonly { id: string; score: number }[]): boolean {
  const positive = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && x > 0 ? x : 0);
  const best = [...ranked].sort((a, b) => positive(b.score) - positive(a.score));
  if (best.length === 0 || positive(best[0].score) === 0) return false;
  if (previousIds.length === 0) return true;
  const scores = new Map(ranked.map((s) => [s.id, positive(s.score)]));
  const keptMass = [...new Set(previousIds)].reduce((sum, id) => sum + (scores.get(id) ?? 0), 0);
  const freshMass = best.slice(0, new Set(previousIds).size).reduce((sum, s) => sum + positive(s.score), 0);
  return keptMass < TOPIC_KEEP * freshMass;
}
