// Few-shot turns (RoleGPT): the card's example dialogue as user/character exchanges, in card order,
// as many as the few-shot room holds.

import { parseExampleDialogue } from '../../example-dialogue';
import type { Exchange } from '../../types';
import { expand, type RoleContext } from '../context';
import type { Turn } from '../types';

/** Parsed before expansion, which needs the {{user}}:/{{char}}: tags; a missing user line becomes a nudge. */
export function exampleExchanges(ctx: RoleContext): Exchange[] {
  return parseExampleDialogue(ctx.input.character.exampleDialogue ?? '')
    .map((e) => ({ user: expand(ctx, e.user), char: expand(ctx, e.char) }))
    .filter((e) => e.char !== '')
    .map((e) => ({ user: e.user || ctx.labels.nudge, char: e.char }));
}

export interface PickedExamples {
  /** User and assistant turns, two per exchange. */
  turns: Turn[];
  cost: number;
}

/** The exchanges that fit in `room`, in card order; a long one may be skipped for shorter ones after it. */
export function pickExamples(ctx: RoleContext, exchanges: readonly Exchange[], room: number): PickedExamples {
  const turns: Turn[] = [];
  let cost = 0;
  for (const e of exchanges) {
    const c = ctx.cost(e.user) + ctx.cost(e.char);
    if (cost + c > room) continue;
    cost += c;
    turns.push({ role: 'user', parts: [{ section: 'examples', text: e.user }] }, { role: 'assistant', parts: [{ section: 'examples', text: e.char }] });
  }
  return { turns, cost };
}
