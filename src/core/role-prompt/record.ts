// The inspector record a built prompt carries: what was chosen, left out and why, and the layout
// the next turn reads to reuse the prompt.

import type { ContextRefresh, InspectorLore, InspectorMemory, Lang, PromptLayout, PromptSection, RolePromptInspector } from '../types';
import type { RoleDraft } from './draft';
import { partsLayout, toMessages } from './parts';
import { loreInfo } from './sections/lorebook';
import type { Built, RolePrompt, RolePromptInput } from './types';

interface RecordBase {
  lang: Lang;
  budget: number;
  input: RolePromptInput;
  plan: RolePromptInspector['budget']['plan'];
  loreWarnings: string[];
  examples: RolePromptInspector['examples'];
}

export interface InspectorArgs extends RecordBase {
  total: number;
  mode: RolePromptInspector['mode'];
  refresh: ContextRefresh;
  scenes: RolePromptInspector['scenes'];
  lore: InspectorLore[];
  loreLeftOut: RolePromptInspector['lorebook']['leftOut'];
  history: RolePromptInspector['history'];
  layout: PromptLayout;
  truncated: RolePromptInspector['truncated'];
  memory?: InspectorMemory;
}

export interface FinishArgs extends InspectorArgs {
  built: Built[];
  sections: PromptSection[];
}

/** What every record shares, whichever way the prompt was built. */
export function recordBase(d: RoleDraft): RecordBase {
  return {
    lang: d.ctx.lang,
    budget: d.ctx.budget,
    input: d.ctx.input,
    plan: d.plan,
    loreWarnings: d.lore.warnings,
    examples: { available: d.exchanges.length, used: d.examples.turns.length / 2 },
  };
}

/** Constant lorebook entries, all in the system message. */
export function constantLoreInfo(d: RoleDraft): InspectorLore[] {
  return d.lore.constant.map((m) => loreInfo(m, 'system'));
}

/** The prompt as sent, with its record; the layout gains the last message's parts for the inspector. */
export function finish(a: FinishArgs): RolePrompt {
  return {
    messages: toMessages(a.built),
    sections: a.sections,
    droppedMessages: a.history.dropped,
    inspector: inspectorOf({ ...a, layout: { ...a.layout, finalParts: partsLayout(a.built[a.built.length - 1]?.parts ?? []) } }),
  };
}

export function inspectorOf(a: InspectorArgs): RolePromptInspector {
  return {
    language: a.lang,
    mode: a.mode,
    refresh: a.refresh,
    budget: {
      contextWindow: a.input.contextWindow,
      replyTokens: a.input.replyTokens,
      prompt: a.budget,
      used: a.total,
      plan: a.plan,
    },
    scenes: a.scenes,
    lorebook: { chosen: a.lore, leftOut: a.loreLeftOut, warnings: a.loreWarnings },
    examples: a.examples,
    history: a.history,
    truncated: a.truncated,
    layout: a.layout,
    ...(a.memory ? { memory: a.memory } : {}),
  };
}
