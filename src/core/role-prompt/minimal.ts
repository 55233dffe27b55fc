// The minimal prompt, for a window with no room for the context block: the system prompt, as much
// recent history as fits, and the message (as a plain builder does). When even the system prompt and
// the message do not fit, the start of the message is cut, then the end of the system prompt (the
// message keeps at least half).

import { AppError } from '../errors';
import { safeCount, truncateTokens } from '../token-fit';
import { MESSAGE_OVERHEAD_TOKENS } from '../tokens';
import type { PromptLayout, PromptSection } from '../types';
import type { RoleDraft } from './draft';
import { LAYOUT_VERSION } from './layout';
import { assemble, contentOf, measure, partsLayout } from './parts';
import { constantLoreInfo, finish, recordBase } from './record';
import { newestFitting } from './sections/history';
import { memoryRecord } from './sections/memory';
import { loreRef, noRoom } from './sections/lorebook';
import { messageTurn } from './sections/message';
import { publicScene } from './sections/scenes';
import { systemParts } from './sections/system';
import type { Built, Part, RolePrompt } from './types';

interface MinimalState {
  systemParts: Part[];
  systemText: string;
  messageText: string;
  withPhi: boolean;
  /** How many of the newest history turns are kept. */
  keep: number;
  truncatedSystem: boolean;
  truncatedMessage: boolean;
}

export function buildMinimal(d: RoleDraft): RolePrompt {
  const { ctx } = d;
  const { prior } = d.history;
  const s = startMinimal(d);
  for (let attempt = 0; ; attempt++) {
    const system: Part[] = s.truncatedSystem ? [{ section: 'system', text: s.systemText }] : s.systemParts;
    const turns = [...prior.slice(prior.length - s.keep).map((p) => p.turn), messageTurn(ctx, d.message, { withPhi: s.withPhi, text: s.messageText })];
    const built = assemble(system, turns);
    const { sections, total } = measure(built, ctx.count);
    if (total <= ctx.budget) return minimalPrompt(d, s, built, system, sections, total);
    giveBack(d, s, total, attempt);
  }
}

function startMinimal(d: RoleDraft): MinimalState {
  const { ctx } = d;
  const parts = systemParts(d.system, false);
  const s: MinimalState = {
    systemParts: parts,
    systemText: contentOf(parts),
    messageText: d.message.text,
    withPhi: d.message.phi !== '',
    keep: 0,
    truncatedSystem: false,
    truncatedMessage: false,
  };
  const systemCost = ctx.cost(s.systemText);
  if (systemCost + d.messageCost <= ctx.available) s.keep = newestFitting(ctx, d.history.prior, ctx.available - systemCost - d.messageCost);
  else {
    s.withPhi = false;
    if (systemCost + ctx.cost(s.messageText) > ctx.available) cutBoth(d, s, systemCost);
  }
  return s;
}

/** The message keeps at least half the room (or what the system prompt leaves); the system prompt gets the rest. */
function cutBoth(d: RoleDraft, s: MinimalState, systemCost: number): void {
  const { count, cost, available } = d.ctx;
  const userCost = cost(s.messageText);
  const userTarget = Math.min(userCost, Math.max(available - systemCost, Math.floor(available / 2)));
  const cut = truncateTokens(s.messageText, userTarget - MESSAGE_OVERHEAD_TOKENS, count, 'keep-end');
  s.truncatedMessage = cut !== s.messageText;
  s.messageText = cut;
  const cutSystem = truncateTokens(s.systemText, available - cost(s.messageText) - MESSAGE_OVERHEAD_TOKENS, count, 'keep-start');
  s.truncatedSystem = cutSystem !== s.systemText;
  s.systemText = cutSystem;
}

/** Gives back the oldest history turn, then the post-history note; then cuts the longer of message and system prompt. */
function giveBack(d: RoleDraft, s: MinimalState, total: number, attempt: number): void {
  const { count, budget } = d.ctx;
  const over = total - budget;
  if (s.keep > 0) s.keep--;
  else if (s.withPhi) s.withPhi = false;
  else if (attempt < 60) {
    if (safeCount(count, s.messageText) > safeCount(count, s.systemText)) {
      s.messageText = truncateTokens(s.messageText, safeCount(count, s.messageText) - over, count, 'keep-end');
      s.truncatedMessage = true;
    } else {
      s.systemText = truncateTokens(s.systemText, safeCount(count, s.systemText) - over, count, 'keep-start');
      s.truncatedSystem = true;
    }
  } else {
    throw new AppError('context-exceeded', 'The prompt does not fit in the context window', { budget, total });
  }
}

function minimalPrompt(d: RoleDraft, s: MinimalState, built: Built[], system: Part[], sections: PromptSection[], total: number): RolePrompt {
  const dropped = d.history.prior.length - s.keep;
  return finish({
    ...recordBase(d),
    examples: { available: d.exchanges.length, used: 0 },
    built,
    sections,
    total,
    mode: s.truncatedMessage || s.truncatedSystem ? 'truncated' : 'minimal',
    refresh: 'no-room',
    scenes: { chosen: [], leftOut: d.ranked.map((x) => ({ ...publicScene(x), reason: 'no-room' as const })), reused: false },
    lore: constantLoreInfo(d),
    loreLeftOut: [...d.lore.leftOut, ...[...d.lore.triggered, ...d.lore.atDepth.map((a) => a.match)].map((m) => noRoom(loreRef(m)))],
    history: { kept: s.keep, dropped },
    layout: minimalLayout(d, system, dropped),
    truncated: { system: s.truncatedSystem, message: s.truncatedMessage },
    memory: memoryRecord(d.ctx, d.memory, { inBlock: 'none', recalled: [], noteSent: false }),
  });
}

/** A layout with no context block, never appended to: the next turn builds afresh. */
function minimalLayout(d: RoleDraft, system: readonly Part[], dropped: number): PromptLayout {
  return {
    version: LAYOUT_VERSION,
    configHash: d.configHash,
    appendable: false,
    prefixMessages: 1,
    contextIndex: -1,
    prefixParts: [partsLayout(system)],
    contextParts: [],
    scenes: [],
    lore: [],
    notedLore: [],
    notedScenes: [],
    turns: d.history.prior.length + 1,
    turnsHash: d.history.turnsHash,
    dropped,
  };
}
