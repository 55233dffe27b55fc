// What one member's role prompt is made of in a group chat: the member as the character (their own
// card, with a short "others in this scene" section after the scenario) and the shared history seen
// from their side, a name on every line.
//
// From the speaker's side, their own lines are the assistant's and everyone else's (the person's,
// the other members') are the user's, merged into one user turn by the role prompt. Why: the
// history a member sees then only grows at its end from one of their replies to the next, so their
// next prompt appends to their last (the cache-aware layout reuses it) however many others spoke
// in between. Named assistant turns for the others would put assistant turns of other people
// between, which the model copies, and break the strict user/assistant alternation of templates.

import type { CharacterFields, ChatTurn, Lang } from '../types';

/** A history message as the group prompt reads it (Message fits). */
export interface GroupLine {
  role: ChatTurn['role'];
  content: string;
  speakerId?: string;
  speakerName?: string;
}

/** A member as the others see them: their name and a line on who they are. */
export interface SceneMember {
  name: string;
  shortDescription?: string;
  description?: string;
}

const TEXTS: Readonly<Record<Lang, { others: string; person: string; turn: string }>> = {
  en: { others: 'Others in this scene:', person: '(the person you are talking with)', turn: "[{name}'s turn to speak.]" },
  zh: { others: '本场景中的其他人：', person: '（与你对话的人）', turn: '[轮到{name}说话。]' },
};

/** A brief description is one line of at most this many characters. */
const BRIEF_CHARS = 160;

/** The speaker's card with the group's scenario (if any) and the others in the scene after it. */
export function speakerCharacter<T extends CharacterFields>(speaker: T, others: readonly SceneMember[], person: string, scenario?: string): T {
  const lang = speaker.language === 'zh' ? 'zh' : 'en';
  const texts = TEXTS[lang];
  const lines = [...others.map((o) => `- ${o.name}${briefOf(o) ? `: ${briefOf(o)}` : ''}`), `- ${person} ${texts.person}`];
  const own = (scenario ?? speaker.scenario).trim();
  return { ...speaker, scenario: [own, `${texts.others}\n${lines.join('\n')}`].filter(Boolean).join('\n\n') };
}

function briefOf(member: SceneMember): string {
  const text = (member.shortDescription?.trim() || member.description?.trim() || '').replace(/\s+/g, ' ');
  return text.length <= BRIEF_CHARS ? text : `${text.slice(0, BRIEF_CHARS - 1).trimEnd()}…`;
}

/**
 * The history from `speakerId`'s side, one turn per non-empty line (so memory's turn indices still
 * name the branch's messages), with a turn asking the speaker to go on when the last line is their
 * own (a role prompt ends with a user turn). `nameOf` gives a member's name by id (a deleted
 * member's lines keep the name stored with them).
 */
export function speakerTurns(lines: readonly GroupLine[], speakerId: string, names: { person: string; speaker: string; fallback: string }, lang: Lang): ChatTurn[] {
  const turns: ChatTurn[] = lines
    .filter((line) => line.content.trim() !== '')
    .map((line) => {
      if (line.role === 'system') return { role: 'system', content: line.content };
      if (line.role === 'user') return { role: 'user', content: `${names.person}: ${line.content}` };
      const own = line.speakerId === speakerId;
      const name = own ? names.speaker : line.speakerName?.trim() || names.fallback;
      return { role: own ? 'assistant' : 'user', content: `${name}: ${line.content}` };
    });
  if (turns.at(-1)?.role !== 'user') turns.push({ role: 'user', content: TEXTS[lang].turn.replace('{name}', names.speaker) });
  return turns;
}
