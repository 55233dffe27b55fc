// Who speaks next in a group chat: natural order (a member named in the last line, else talkativeness
// with some randomness, as SillyTavern does), list order, or nobody (manual: the person picks).

import type { GroupMode, GroupSpec } from '../types';

/** SillyTavern's default talkativeness: half the time a member speaks up when rolled. */
export const DEFAULT_TALKATIVENESS = 0.5;

export interface GroupMember {
  id: string;
  name: string;
}

export interface SpeakerQuery {
  group: Pick<GroupSpec, 'members' | 'muted' | 'talkativeness'>;
  /** The members that still exist, by id (a deleted character no longer speaks). */
  members: readonly GroupMember[];
  mode: GroupMode;
  /** The text of the newest line on the branch (the person's, or the last reply). */
  lastText: string;
  /** The member who wrote `lastText`; absent when the person did. */
  lastTextBy?: string;
  /** Who wrote the newest reply on the branch, if a member did (list order goes on from them). */
  lastSpeakerId?: string;
  /** A random number in [0, 1): pass a seeded one for deterministic choices. */
  random: () => number;
}

/** The members who may speak, in list order: existing and not muted. */
export function activeMembers(query: Pick<SpeakerQuery, 'group' | 'members'>): GroupMember[] {
  const muted = new Set(query.group.muted ?? []);
  const byId = new Map(query.members.map((m) => [m.id, m]));
  return query.group.members.filter((id) => !muted.has(id)).map((id) => byId.get(id)).filter((m): m is GroupMember => m !== undefined);
}

/** The next speaker's id, or null when nobody is to speak (manual mode, every member muted). */
export function chooseSpeaker(query: SpeakerQuery): string | null {
  const active = activeMembers(query);
  if (active.length === 0 || query.mode === 'manual') return null;
  if (query.mode === 'list') return nextInList(query.group.members, active, query.lastSpeakerId);
  return naturalOrder(query, active);
}

/** The active member after the last speaker in list order (wrapping), or the first. */
function nextInList(order: readonly string[], active: readonly GroupMember[], lastSpeakerId: string | undefined): string {
  const activeIds = new Set(active.map((m) => m.id));
  const from = lastSpeakerId === undefined ? -1 : order.indexOf(lastSpeakerId);
  for (let step = 1; step <= order.length; step++) {
    const id = order[(from + step + order.length) % order.length];
    if (activeIds.has(id)) return id;
  }
  return active[0].id;
}

/**
 * SillyTavern's natural order, one speaker at a time: a member the last line names (the earliest
 * mention) speaks; else members are rolled in a shuffled order and the first whose talkativeness
 * beats the roll speaks; else a random one. A member does not answer their own line while someone
 * else can (SillyTavern without self-responses); after the person's line anyone may speak.
 */
function naturalOrder(query: SpeakerQuery, active: readonly GroupMember[]): string {
  const others = active.length > 1 ? active.filter((m) => m.id !== query.lastTextBy) : active;
  const mentioned = firstMentioned(query.lastText, others);
  if (mentioned) return mentioned.id;
  const talk = query.group.talkativeness ?? {};
  for (const member of shuffled(others, query.random)) {
    const chance = talk[member.id] ?? DEFAULT_TALKATIVENESS;
    if (query.random() < chance) return member.id;
  }
  return others[Math.floor(query.random() * others.length) % others.length].id;
}

/** The member whose name appears first in the text, as a whole word (CJK names: anywhere). */
export function firstMentioned<T extends GroupMember>(text: string, members: readonly T[]): T | undefined {
  let best: { member: T; at: number } | undefined;
  const lower = text.toLowerCase();
  for (const member of members) {
    const at = mentionIndex(lower, member.name.trim().toLowerCase());
    if (at >= 0 && (!best || at < best.at)) best = { member, at };
  }
  return best?.member;
}

function mentionIndex(text: string, name: string): number {
  if (!name) return -1;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (!isWordChar(text[at - 1]) && !isWordChar(text[at + name.length])) return at;
  }
  return -1;
}

/** Letters and digits of scripts that separate words by spaces; CJK characters do not bound a name. */
function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch) && !/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(ch);
}

/** Fisher–Yates with the given random. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1)) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
