// The draft every build reads: the context, each section rendered once, and the stable plan.

import type { Exchange } from '../types';
import type { WindowPlan } from './budgets';
import type { RoleContext } from './context';
import type { PickedExamples } from './sections/examples';
import type { RenderedHistory } from './sections/history';
import type { LoreHits } from './sections/lorebook';
import type { MemoryDraft } from './sections/memory';
import type { NewMessage } from './sections/message';
import type { SystemText } from './sections/system';
import type { ChosenScene, Part } from './types';

export interface RoleDraft {
  ctx: RoleContext;
  history: RenderedHistory;
  message: NewMessage;
  lore: LoreHits;
  exchanges: Exchange[];
  system: SystemText;
  /** The system message, with the examples line only when a few-shot turn fits. */
  systemParts: Part[];
  /** What the plan paid for the system message: with the examples line whenever the card has examples. */
  systemCost: number;
  /** The new message with its post-history note, before any notes ride on it. */
  messageCost: number;
  marker: string;
  markerCost: number;
  /** What history, few-shot and the context block share once the system message, reserve and marker are paid. */
  room: number;
  plan: WindowPlan;
  examples: PickedExamples;
  /** Retrieved scenes, best first. */
  ranked: ChosenScene[];
  /** The chat's memory, fitted to its budgets (its room is reserved out of `room`). */
  memory: MemoryDraft;
  /** Changes with anything that makes the previous prompt's prefix stale. */
  configHash: string;
}
