// What the prompt inspector shows of a sent prompt: each message split into its sections as sent,
// and every section with its tokens and texts. Pure, for the UI to render.

import type { ChatTurn, PromptInspector, PromptSection, SectionName, SentPrompt } from '../types';

/** Where each message's section parts are, for the last message too (recorded by buildRolePrompt). */
export interface InspectorPart {
  section: SectionName | 'history';
  text: string;
}

export interface InspectorMessage {
  role: ChatTurn['role'];
  parts: InspectorPart[];
}

export interface InspectorSectionView extends PromptSection {
  /** The section's texts as sent, in message order, each with the role of its message. */
  texts: { role: ChatTurn['role']; text: string; message: number }[];
}

export interface InspectorView {
  messages: InspectorMessage[];
  sections: InspectorSectionView[];
  total: number;
  inspector?: PromptInspector;
}

const JOIN = '\n\n';

/** Splits a message's content by recorded part lengths; one `rest` part when they do not match the text. */
export function splitParts(content: string, layout: readonly [string, number][] | undefined, rest: InspectorPart['section']): InspectorPart[] {
  if (!layout || layout.length === 0) return [{ section: rest, text: content }];
  const parts: InspectorPart[] = [];
  let at = 0;
  for (const [section, length] of layout) {
    if (parts.length > 0) {
      if (content.slice(at, at + JOIN.length) !== JOIN) return [{ section: rest, text: content }];
      at += JOIN.length;
    }
    parts.push({ section: section as InspectorPart['section'], text: content.slice(at, at + length) });
    at += length;
  }
  if (at > content.length) return [{ section: rest, text: content }];
  if (at < content.length) {
    // A turn merged after the recorded parts (same-role neighbours are joined).
    if (content.slice(at, at + JOIN.length) !== JOIN) return [{ section: rest, text: content }];
    parts.push({ section: rest, text: content.slice(at + JOIN.length) });
  }
  return parts;
}

/**
 * The inspector's view of a prompt: the messages as sent, split into their sections where the
 * layout recorded them, and every section (in the builder's order) with its tokens and texts.
 * Prompts saved without an inspector (by the plain builder, before the role prompt) show each
 * message whole, as history.
 */
export function inspectPrompt(prompt: SentPrompt): InspectorView {
  const inspector = prompt.inspector as PromptInspector | undefined;
  const layout = inspector?.layout;
  const last = prompt.messages.length - 1;
  const messages: InspectorMessage[] = prompt.messages.map((m, i) => {
    if (!layout) return { role: m.role, parts: [{ section: m.role === 'system' ? 'system' : i === last ? 'message' : 'history', text: m.content }] };
    if (i === last && layout.finalParts) return { role: m.role, parts: splitParts(m.content, layout.finalParts, 'message') };
    if (i === 0) return { role: m.role, parts: splitParts(m.content, layout.prefixParts[0], 'system') };
    if (i < layout.prefixMessages) return { role: m.role, parts: splitParts(m.content, layout.prefixParts[i], 'examples') };
    if (i === layout.contextIndex) return { role: m.role, parts: splitParts(m.content, layout.contextParts, 'history') };
    return { role: m.role, parts: [{ section: i === last ? 'message' : 'history', text: m.content }] };
  });
  const sections: InspectorSectionView[] = prompt.sections.map((s) => ({ ...s, texts: [] }));
  const byName = new Map(sections.map((s) => [s.name, s]));
  messages.forEach((m, index) => {
    for (const part of m.parts) {
      let view = byName.get(part.section);
      if (!view) {
        // A part whose tokens were counted under another section (e.g. an old prompt): still shown.
        view = { name: part.section, tokens: 0, texts: [] };
        byName.set(part.section, view);
        sections.push(view);
      }
      view.texts.push({ role: m.role, text: part.text, message: index });
    }
  });
  const total = prompt.sections.reduce((sum, s) => sum + s.tokens, 0);
  return { messages, sections, total, ...(inspector ? { inspector } : {}) };
}
