// Messages as lists of section parts: joining them, merging same-role neighbours, counting each
// section's tokens, and reading parts back from a stored message.

import { safeCount } from '../token-fit';
import { MESSAGE_OVERHEAD_TOKENS, PROMPT_OVERHEAD_TOKENS } from '../tokens';
import type { ChatTurn, PromptSection, SectionName } from '../types';
import type { Built, Part, Turn } from './types';

/** The order the inspector lists sections in. */
export const SECTION_ORDER: readonly SectionName[] = [
  'system', 'lorebook-constant', 'character', 'persona', 'examples', 'summary', 'pins', 'lorebook', 'knowledge', 'scenes', 'chat-start',
  'history', 'authors-note', 'lorebook-depth', 'recall', 'lorebook-note', 'post-history', 'message',
];

export const JOIN = '\n\n';

export const contentOf = (parts: readonly Part[]) => parts.map((p) => p.text).join(JOIN);

/** Same-role neighbours merged (strict templates reject two user turns in a row); the system message stays alone. */
export function assemble(system: Part[], turns: readonly Turn[]): Built[] {
  const out: Built[] = [{ role: 'system', parts: system }];
  for (const turn of turns) {
    if (turn.parts.length === 0) continue;
    const previous = out[out.length - 1];
    if (out.length > 1 && previous.role === turn.role) previous.parts = [...previous.parts, ...turn.parts];
    else out.push({ role: turn.role, parts: [...turn.parts] });
  }
  return out;
}

/** Token count per section; the sum is exactly estimatePromptTokens(messages) under the same count. */
export function measure(built: readonly Built[], count: (text: string) => number): { sections: PromptSection[]; total: number } {
  const totals = new Map<SectionName, number>();
  const add = (section: SectionName, tokens: number) => totals.set(section, (totals.get(section) ?? 0) + tokens);
  let total = PROMPT_OVERHEAD_TOKENS;
  add('system', PROMPT_OVERHEAD_TOKENS); // BOS and the reply header, counted with the system prompt
  for (const message of built) {
    const messageTokens = safeCount(count, contentOf(message.parts)) + MESSAGE_OVERHEAD_TOKENS;
    total += messageTokens;
    const partTokens = message.parts.map((p) => safeCount(count, p.text));
    // Template tokens, blank lines between parts and rounding go to the message's main part: the
    // person's text, the role template, or else the largest part.
    let main = message.parts.findIndex((p) => p.section === 'message' || p.section === 'system');
    if (main < 0) {
      main = 0;
      for (let i = 1; i < partTokens.length; i++) if (partTokens[i] > partTokens[main]) main = i;
    }
    partTokens[main] = (partTokens[main] ?? 0) + messageTokens - partTokens.reduce((a, b) => a + b, 0);
    message.parts.forEach((p, i) => add(p.section, partTokens[i]));
    if (message.parts.length === 0) add('history', messageTokens);
  }
  const sections = SECTION_ORDER.filter((name) => totals.has(name)).map((name) => ({ name, tokens: totals.get(name) as number }));
  return { sections, total };
}

export function toMessages(built: readonly Built[]): ChatTurn[] {
  return built.map((m) => ({ role: m.role, content: contentOf(m.parts) }));
}

export function partsLayout(parts: readonly Part[]): [SectionName, number][] {
  return parts.map((p) => [p.section, p.text.length]);
}

/** Rebuilds the parts of a stored message from its content and part lengths; one 'history' part when they disagree. */
export function partsFrom(content: string, layout: readonly [SectionName, number][] | undefined, rest: SectionName): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const [section, length] of layout ?? []) {
    if (parts.length > 0) {
      if (content.slice(at, at + JOIN.length) !== JOIN) return [{ section: rest, text: content }];
      at += JOIN.length;
    }
    parts.push({ section, text: content.slice(at, at + length) });
    at += length;
  }
  if (at > content.length) return [{ section: rest, text: content }];
  if (at < content.length) {
    if (parts.length > 0) {
      if (content.slice(at, at + JOIN.length) !== JOIN) return [{ section: rest, text: content }];
      at += JOIN.length;
    }
    parts.push({ section: rest, text: content.slice(at) });
  }
  return parts;
}
