// The new user message: scenes and lorebook entries that ride on it, the person's text, and the
// post-history instructions as a closing "[System note: …]" (web-llm allows one system message only,
// and small models follow a note there).

import type { LoreMatch } from '../../lorebook';
import { expandMacros } from '../../macros';
import type { RoleContext } from '../context';
import { wrapNote } from '../texts';
import type { ChosenScene, Part, Turn } from '../types';
import { loreNote } from './lorebook';
import { sceneBlock } from './scenes';

export interface NewMessage {
  /** The person's text, macros expanded. */
  text: string;
  /** The post-history note; empty when the card has none. */
  phi: string;
}

export function newMessage(ctx: RoleContext, userText: string): NewMessage {
  const phi = expandMacros(ctx.input.character.postHistoryInstructions ?? '', { ...ctx.macros, original: '' }).trim();
  return { text: userText, phi: phi ? wrapNote(ctx.lang, ctx.labels.note, phi) : '' };
}

export interface MessageOptions {
  /** Lorebook entries that started to trigger since the context block was built. */
  notes?: readonly LoreMatch[];
  withPhi?: boolean;
  /** The person's text, shortened when it does not fit. */
  text?: string;
  /** New scenes after a topic move. */
  scenes?: readonly ChosenScene[];
  /** Earlier messages of the chat recalled for this one (sections/memory.ts). */
  recall?: Part;
  /** The author's note at depth 0. */
  authorsNote?: string;
}

/** The message's parts; the person's text stays even when empty. */
export function messageParts(ctx: RoleContext, m: NewMessage, { notes = [], withPhi = true, text = m.text, scenes = [], recall, authorsNote = '' }: MessageOptions = {}): Part[] {
  const parts: Part[] = [
    { section: 'scenes', text: sceneBlock(ctx.lang, scenes) },
    { section: 'lorebook-note', text: loreNote(ctx, notes) },
    recall ?? { section: 'recall', text: '' },
    { section: 'message', text },
    { section: 'authors-note', text: authorsNote },
    { section: 'post-history', text: withPhi ? m.phi : '' },
  ];
  return parts.filter((p) => p.text !== '' || p.section === 'message');
}

export function messageTurn(ctx: RoleContext, m: NewMessage, options: MessageOptions = {}): Turn {
  return { role: 'user', parts: messageParts(ctx, m, options) };
}
