// The system message: the role template (or the card's system prompt with {{original}}), constant
// lorebook entries around the character, the persona, and a line saying the next turns are examples.

import type { LoreMatch } from '../../lorebook';
import { expandMacros } from '../../macros';
import type { RoleContext } from '../context';
import { ROLE_SYSTEM_TEMPLATE } from '../texts';
import type { Part } from '../types';
import { characterText, personaText } from './character';
import { constantLoreText } from './lorebook';

/** The system message's texts, rendered once; `systemParts` lays them out with or without the examples line. */
export interface SystemText {
  head: string;
  loreBefore: string;
  character: string;
  loreAfter: string;
  persona: string;
  examplesLine: string;
}

export function renderSystem(ctx: RoleContext, constantLore: readonly LoreMatch[]): SystemText {
  return {
    head: roleHead(ctx),
    loreBefore: constantLoreText(ctx, constantLore, 'before'),
    character: characterText(ctx),
    loreAfter: constantLoreText(ctx, constantLore, 'after'),
    persona: personaText(ctx),
    examplesLine: expandMacros(ctx.labels.examples, ctx.macros),
  };
}

/** The card's system prompt replaces the role template, which it can include as {{original}}. */
function roleHead(ctx: RoleContext): string {
  const template = expandMacros(ROLE_SYSTEM_TEMPLATE[ctx.lang], ctx.macros);
  const own = ctx.input.character.systemPrompt;
  return own?.trim() ? expandMacros(own, { ...ctx.macros, original: template }).trim() : template;
}

export function systemParts(s: SystemText, withExamples: boolean): Part[] {
  const parts: Part[] = [
    { section: 'system', text: s.head },
    { section: 'lorebook-constant', text: s.loreBefore },
    { section: 'character', text: s.character },
    { section: 'lorebook-constant', text: s.loreAfter },
    { section: 'persona', text: s.persona },
    { section: 'examples', text: withExamples ? s.examplesLine : '' },
  ];
  return parts.filter((p) => p.text !== '');
}
