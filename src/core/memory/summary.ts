// The rolling summary: which summary belongs to the visible branch, when a new one is due, and the
// request the loaded model answers to write it (in the character's language).
//
// A summary belongs to the exact path it covers: it records the last message it covers and a hash
// of the ids of the path up to it. A swipe, an edit (a new version is a new branch) or another
// branch before that message gives another path, so the summary no longer applies there, while it
// keeps applying on its own branch.

import { hashText } from '../hash';
import type { ChatTurn, Lang, MemoryRecord } from '../types';

/** A new summary is written once this many messages fell out of the prompt since the last one. */
export const SUMMARY_STEP = 6;
/** Messages one summary pass reads at most (older ones were summarised by earlier passes). */
export const SUMMARY_PASS_MESSAGES = 24;
/** Characters of one message a pass reads at most (a long message's start and end). */
const MESSAGE_CHARS = 900;
/** The length the model is asked to keep the summary under, in words (Chinese: characters). */
export const SUMMARY_WORDS = 180;

/** A hash of the ids of a path's first messages. */
export function pathHash(ids: readonly string[]): string {
  return hashText(ids.join('\u0001'));
}

export interface BranchSummary {
  record: MemoryRecord;
  /** How many messages of the branch it covers (the first `covers`). */
  covers: number;
}

/** The summary that applies to this branch and covers the most of it; none when no summary's path is this one's. */
export function summaryForBranch(records: readonly MemoryRecord[], branchIds: readonly string[]): BranchSummary | undefined {
  const position = new Map(branchIds.map((id, i) => [id, i]));
  let best: BranchSummary | undefined;
  for (const record of records) {
    if (record.kind !== 'summary' || !record.coversId || !record.text.trim()) continue;
    const at = position.get(record.coversId);
    if (at === undefined || record.coversHash !== pathHash(branchIds.slice(0, at + 1))) continue;
    if (!best || at + 1 > best.covers || (at + 1 === best.covers && record.updatedAt > best.record.updatedAt)) best = { record, covers: at + 1 };
  }
  return best;
}

/**
 * The messages a new summary pass should read, when one is due: `outOfPrompt` messages of the
 * branch are no longer in the prompt, and at least SUMMARY_STEP of them are not in the summary yet.
 * The pass reads from what the summary covers (at most SUMMARY_PASS_MESSAGES) up to them.
 */
export function summaryDue(outOfPrompt: number, covered: number): { from: number; to: number } | undefined {
  if (outOfPrompt - covered < SUMMARY_STEP) return undefined;
  return { from: Math.max(covered, outOfPrompt - SUMMARY_PASS_MESSAGES), to: outOfPrompt };
}

const INSTRUCTIONS: Record<Lang, (char: string, user: string) => string> = {
  en: (char, user) =>
    `You keep the memory of a role-play between ${user} and ${char}. Rewrite the summary so far together with the new part of the chat ` +
    `into one summary of at most ${SUMMARY_WORDS} words, in English, in the past tense: who did what, what was decided, facts about ` +
    `${user} and ${char}, and open threads. Write only the summary.`,
  zh: (char, user) =>
    `你负责记录${user}与${char}的角色扮演。请把已有的前情提要和新的对话合并改写成一段不超过${SUMMARY_WORDS}字的中文摘要：` +
    `谁做了什么、做了什么决定、关于${user}和${char}的事实，以及尚未解决的事。只写摘要。`,
};

const LABELS: Record<Lang, { previous: string; chat: string; none: string }> = {
  en: { previous: 'Summary so far:', chat: 'New part of the chat:', none: '(none yet)' },
  zh: { previous: '已有的前情提要：', chat: '新的对话：', none: '（暂无）' },
};

/** A long message's start and end: what a summary needs of it, in bounded room. */
function clip(text: string): string {
  const t = text.trim();
  return t.length <= MESSAGE_CHARS ? t : `${t.slice(0, MESSAGE_CHARS / 2)} … ${t.slice(-MESSAGE_CHARS / 2)}`;
}

/** The messages the loaded model answers with the new summary. */
export function summaryRequest(
  lang: Lang,
  names: { char: string; user: string },
  previous: string | undefined,
  messages: readonly (ChatTurn & { speaker?: string })[],
): ChatTurn[] {
  const labels = LABELS[lang];
  // In a group chat each reply carries its member's name (`speaker`); the group's name stands for none.
  const transcript = messages
    .filter((m) => m.content.trim() !== '')
    .map((m) => `${m.role === 'assistant' ? m.speaker || names.char : m.role === 'user' ? names.user : '*'}: ${clip(m.content)}`)
    .join('\n');
  return [
    { role: 'system', content: INSTRUCTIONS[lang](names.char, names.user) },
    { role: 'user', content: `${labels.previous}\n${previous?.trim() || labels.none}\n\n${labels.chat}\n${transcript}` },
  ];
}

/** The model's answer as a summary: trimmed, a leading label it may echo dropped. */
export function cleanSummary(lang: Lang, text: string): string {
  const label = LABELS[lang].previous;
  let t = text.trim();
  if (t.startsWith(label)) t = t.slice(label.length).trim();
  return t;
}
