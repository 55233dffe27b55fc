// Making and changing a group: the create/edit form (name, members and their order, who speaks
// next, who greets, a scenario) and the quick changes a group chat makes (mode, mute, talkativeness).

import { AppError } from '../core/errors';
import { DEFAULT_TALKATIVENESS } from '../core/group/speaker';
import type { Character, GroupMode, GroupSpec, Lang } from '../core/types';
import { emptyFields } from './character-editor.svelte';

/** What the form and the group actions need from the characters (CharacterShelf fits). */
export interface GroupShelf {
  readonly list: Character[];
  byId(id: string): Character | undefined;
  get(id: string): Promise<Character | undefined>;
  create(character: Character): Promise<void>;
  update(character: Character, base: Character): Promise<void>;
}

/** Why the form cannot be saved yet. */
export type GroupFormProblem = 'name' | 'members';

/** A group needs at least this many members. */
export const MIN_GROUP_MEMBERS = 2;

export class GroupForm {
  name = $state('');
  /** Member ids in list order. */
  members = $state<string[]>([]);
  mode = $state<GroupMode>('natural');
  /** The member who greets in a new chat; '' for the scenario (or the first member when there is none). */
  greetingFrom = $state('');
  scenario = $state('');
  /** Per member, 0..1: how readily they speak up in natural order (absent: the default). */
  talkativeness = $state<Record<string, number>>({});
  readonly #shelf: GroupShelf;
  readonly #base: Character | undefined;
  readonly #lang: Lang;

  /** `base`: the group being edited; absent for a new one. */
  constructor(shelf: GroupShelf, lang: Lang, base?: Character) {
    this.#shelf = shelf;
    this.#lang = lang;
    this.#base = base;
    if (base?.group) {
      this.name = base.name;
      this.members = [...base.group.members];
      this.mode = base.group.mode;
      this.greetingFrom = base.group.greetingFrom ?? '';
      this.scenario = base.group.scenario ?? '';
      this.talkativeness = { ...base.group.talkativeness };
    }
  }

  get editing(): boolean {
    return this.#base !== undefined;
  }

  /** Characters that can join: every character but groups. */
  get candidates(): Character[] {
    return this.#shelf.list.filter((c) => !c.group);
  }

  /** The members in order, as characters (one deleted since is left out). */
  get chosen(): Character[] {
    return this.members.map((id) => this.#shelf.byId(id)).filter((c): c is Character => c !== undefined);
  }

  get problem(): GroupFormProblem | null {
    if (!this.name.trim()) return 'name';
    if (this.chosen.length < MIN_GROUP_MEMBERS) return 'members';
    return null;
  }

  toggle(id: string): void {
    this.members = this.members.includes(id) ? this.members.filter((m) => m !== id) : [...this.members, id];
    if (!this.members.includes(this.greetingFrom)) this.greetingFrom = '';
  }

  /** A member's talkativeness as natural order uses it. */
  talkativenessOf(id: string): number {
    return this.talkativeness[id] ?? DEFAULT_TALKATIVENESS;
  }

  setTalkativeness(id: string, value: number): void {
    this.talkativeness = { ...this.talkativeness, [id]: Math.min(1, Math.max(0, value)) };
  }

  /** Moves a member one place up (-1) or down (+1) in the list. */
  move(id: string, step: -1 | 1): void {
    const from = this.members.indexOf(id);
    const to = from + step;
    if (from < 0 || to < 0 || to >= this.members.length) return;
    const next = [...this.members];
    [next[from], next[to]] = [next[to], next[from]];
    this.members = next;
  }

  /** Saves the group and returns its id; throws when the form has a problem. */
  async save(now = Date.now()): Promise<string> {
    const problem = this.problem;
    if (problem) throw new AppError('unknown', `The group form is not complete: ${problem}`);
    const kept = this.#base?.group;
    const members = this.chosen.map((c) => c.id);
    const talkativeness = Object.fromEntries(Object.entries(this.talkativeness).filter(([id]) => members.includes(id)));
    const group: GroupSpec = {
      members,
      mode: this.mode,
      ...(kept?.muted?.length ? { muted: kept.muted.filter((id) => members.includes(id)) } : {}),
      ...(Object.keys(talkativeness).length > 0 ? { talkativeness } : {}),
      ...(this.greetingFrom ? { greetingFrom: this.greetingFrom } : {}),
      ...(this.scenario.trim() ? { scenario: this.scenario.trim() } : {}),
    };
    const base = this.#base;
    if (base) {
      await this.#shelf.update({ ...base, name: this.name.trim(), group, updatedAt: now }, base);
      return base.id;
    }
    const character: Character = {
      ...emptyFields(this.#lang), name: this.name.trim(), id: crypto.randomUUID(), origin: 'user', extensions: {}, group, createdAt: now, updatedAt: now,
    };
    await this.#shelf.create(character);
    return character.id;
  }
}

/**
 * Changes one group's settings from its chat, one change at a time, each on the row as stored now
 * (a quick second click must not be refused as a conflict with the first, nor undo it).
 */
export class GroupChanges {
  readonly #shelf: GroupShelf;
  readonly #groupId: string;
  #queue: Promise<void> = Promise.resolve();

  constructor(shelf: GroupShelf, groupId: string) {
    this.#shelf = shelf;
    this.#groupId = groupId;
  }

  change(update: (group: GroupSpec) => GroupSpec): Promise<void> {
    const run = this.#queue.then(async () => {
      const base = await this.#shelf.get(this.#groupId);
      if (!base?.group) return;
      await this.#shelf.update({ ...base, group: update(base.group), updatedAt: Math.max(Date.now(), base.updatedAt + 1) }, base);
    });
    this.#queue = run.catch(() => {});
    return run;
  }
}

export const setGroupMode = (mode: GroupMode) => (group: GroupSpec): GroupSpec => ({ ...group, mode });

export const toggleMuted = (memberId: string) => (group: GroupSpec): GroupSpec => {
  const muted = group.muted ?? [];
  return { ...group, muted: muted.includes(memberId) ? muted.filter((id) => id !== memberId) : [...muted, memberId] };
};
