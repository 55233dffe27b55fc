// Names the inspector shows for prompt sections, roles and reasons; unknown names (older prompts) pass through as written.

import type { MessageKey } from '../../../core/i18n';

const SECTIONS = new Set([
  'system', 'lorebook-constant', 'character', 'persona', 'examples', 'summary', 'pins', 'lorebook', 'knowledge', 'scenes', 'chat-start',
  'history', 'authors-note', 'lorebook-depth', 'recall', 'lorebook-note', 'post-history', 'message',
]);
const WHY = new Set(['budget', 'no-room', 'secondary', 'disabled', 'probability']);
const SCENE_WHY = new Set(['no-room', 'below-others', 'not-refreshed', 'budget']);

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

export function sectionLabel(t: T, name: string): string {
  return SECTIONS.has(name) ? t(`inspector.section.${name}` as MessageKey) : name;
}

export function roleLabel(t: T, role: string): string {
  return role === 'system' || role === 'user' || role === 'assistant' ? t(`inspector.role.${role}` as MessageKey) : role;
}

export function whyLabel(t: T, reason: string): string {
  return WHY.has(reason) ? t(`inspector.why.${reason}` as MessageKey) : reason;
}

/** Why a retrieved scene is not in the prompt (core/types SceneLeftOutReason). */
export function sceneWhyLabel(t: T, reason: string): string {
  return SCENE_WHY.has(reason) ? t(`inspector.scene.why.${reason}` as MessageKey) : reason;
}

const MEMORY_WHY = new Set(['budget', 'no-room', 'in-history', 'not-refreshed']);

/** Why a memory item is not in the prompt (core/types MemoryLeftOutReason). */
export function memoryWhyLabel(t: T, reason: string): string {
  return MEMORY_WHY.has(reason) ? t(`inspector.memory.why.${reason}` as MessageKey) : reason;
}

/** Scores vary in scale (BM25 around 1-20, RRF around 0.03, cosine -1..1): three significant digits. */
export function formatScore(score: number | undefined): string {
  if (score === undefined || !Number.isFinite(score)) return '–';
  return Math.abs(score) >= 100 ? score.toFixed(0) : score.toPrecision(3);
}
