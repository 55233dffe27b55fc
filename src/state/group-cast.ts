// A group chat's cast as a session reads it (the group's settings and its members that still exist),
// and what one member's reply needs from it: their prompt character, their view of the history and
// the names their reply must not go on into.

import { cutAtOtherSpeaker, type SpeakerCut } from '../core/group/cut';
import { speakerCharacter, speakerTurns } from '../core/group/prompt';
import { chooseSpeaker } from '../core/group/speaker';
import type { Character, ChatTurn, GroupMode, GroupSpec, Message } from '../core/types';

export interface GroupCast {
  /** The group's name (the narrator of a scenario opening, and lines of a member no longer known). */
  name: string;
  spec: GroupSpec;
  /** The members that exist, in list order. */
  members: Character[];
}

export interface SpeakerView {
  speaker: Character;
  /** The speaker's card with the group scenario and the others in the scene. */
  character: Character;
  turns: ChatTurn[];
  /** Cuts the speaker's reply where it starts another member's or the person's line. */
  cut: (text: string) => SpeakerCut;
}

/** What `speakerId`'s reply on `branch` is built from; undefined when they are not a member any more. */
export function speakerView(cast: GroupCast, speakerId: string, branch: readonly Message[], person: string): SpeakerView | undefined {
  const speaker = cast.members.find((m) => m.id === speakerId);
  if (!speaker) return undefined;
  const others = cast.members.filter((m) => m.id !== speakerId);
  const lang = speaker.language === 'zh' ? 'zh' : 'en';
  const otherNames = [...others.map((m) => m.name), ...branchNames(branch, speakerId), person];
  return {
    speaker,
    character: speakerCharacter(speaker, others, person, cast.spec.scenario?.trim() || undefined),
    turns: speakerTurns(branch, speakerId, { person, speaker: speaker.name, fallback: cast.name }, lang),
    cut: (text) => cutAtOtherSpeaker(text, speaker.name, otherNames),
  };
}

/** Names of others who spoke on the branch (a member deleted since still has lines the model may copy). */
function branchNames(branch: readonly Message[], speakerId: string): string[] {
  return [...new Set(branch.filter((m) => m.speakerId && m.speakerId !== speakerId && m.speakerName).map((m) => m.speakerName!))];
}

/** The member who wrote the newest reply on the branch. */
export function lastSpeakerOf(branch: readonly Message[]): string | undefined {
  for (let i = branch.length - 1; i >= 0; i--) if (branch[i].speakerId) return branch[i].speakerId;
  return undefined;
}

/** Who speaks after `branch` in `mode` (manual: nobody). */
export function nextSpeaker(cast: GroupCast, branch: readonly Message[], mode: GroupMode, random: () => number): string | null {
  return chooseSpeaker({
    group: cast.spec,
    members: cast.members.map((m) => ({ id: m.id, name: m.name })),
    mode,
    lastText: branch.at(-1)?.content ?? '',
    lastTextBy: branch.at(-1)?.speakerId,
    lastSpeakerId: lastSpeakerOf(branch),
    random,
  });
}
