// The message tree of one conversation: visible paths, swipes (siblings) and which leaf to show.
//
// Messages point at their parent; siblings are swipes (alternate greetings are sibling roots,
// regenerations are siblings under one user message). A soft-deleted message is invisible and its
// children hang from its nearest visible ancestor, so deleting a middle message never loses what
// came after it and an undo (clearing deletedAt) restores the old shape.
//
// Robust against stored data it did not write: a parentId that names no message makes a root, and
// a parent cycle is cut (one member becomes a root) instead of looping.

import type { Message } from './types';

const NONE = -1;

export class MessageTree {
  /** Unique messages in input order; everything below is indexed by position in this array. */
  readonly #messages: Message[] = [];
  readonly #index = new Map<string, number>();
  readonly #visible: Uint8Array;
  /** For every message (deleted ones too): position of its nearest visible strict ancestor, or NONE. */
  readonly #visibleParent: Int32Array;
  /** Visible children per visible message, oldest first (undefined when none). */
  readonly #children: (Message[] | undefined)[];
  readonly #roots: Message[] = [];

  /** O(n) plus sorting each sibling list (sibling lists are short; sorted input sorts in linear time). */
  constructor(messages: readonly Message[]) {
    for (const message of messages) {
      if (this.#index.has(message.id)) continue;
      this.#index.set(message.id, this.#messages.length);
      this.#messages.push(message);
    }
    const n = this.#messages.length;
    this.#visible = new Uint8Array(n);
    const rawParent = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const message = this.#messages[i];
      this.#visible[i] = isVisible(message) ? 1 : 0;
      const parentId = message.parentId;
      rawParent[i] = parentId === null || parentId === undefined ? NONE : (this.#index.get(parentId) ?? NONE);
    }
    this.#visibleParent = resolveVisibleParents(rawParent, this.#visible);
    this.#children = new Array<Message[] | undefined>(n);
    for (let i = 0; i < n; i++) {
      if (this.#visible[i] === 0) continue;
      const parent = this.#visibleParent[i];
      if (parent === NONE) this.#roots.push(this.#messages[i]);
      else (this.#children[parent] ??= []).push(this.#messages[i]);
    }
    // Ties on createdAt keep input order (Array.prototype.sort is stable): greetings written in
    // one go stay in the order they were given.
    const compare = (a: Message, b: Message) => a.createdAt - b.createdAt;
    this.#roots.sort(compare);
    for (const list of this.#children) if (list !== undefined && list.length > 1) list.sort(compare);
  }

  get size(): number {
    return this.#messages.length;
  }

  get(id: string): Message | undefined {
    const i = this.#index.get(id);
    return i === undefined ? undefined : this.#messages[i];
  }

  /** Whether the message exists and is not soft-deleted. */
  isVisible(id: string): boolean {
    const i = this.#index.get(id);
    return i !== undefined && this.#visible[i] === 1;
  }

  /** The visible parent of a message (skipping deleted ones), or null for a root or an unknown id. */
  parentOf(id: string): string | null {
    const i = this.#index.get(id);
    if (i === undefined) return null;
    const parent = this.#visibleParent[i];
    return parent === NONE ? null : this.#messages[parent].id;
  }

  /** The nearest visible message at or above `id`, or null. */
  visibleSelfOrAncestor(id: string): string | null {
    const i = this.#selfOrAncestor(id);
    return i === NONE ? null : this.#messages[i].id;
  }

  /** Visible roots (greetings and their alternates), oldest first. */
  roots(): Message[] {
    return this.#roots;
  }

  /** Visible children (deleted ones skipped, their children lifted), oldest first. */
  children(id: string): Message[] {
    const i = this.#index.get(id);
    if (i === undefined || this.#visible[i] === 0) return [];
    return this.#children[i] ?? [];
  }

  /**
   * Root → leaf through visible messages only. A deleted leaf ends the path at its nearest visible
   * ancestor; an unknown id or null gives []. O(depth).
   */
  path(leafId: string | null): Message[] {
    if (leafId === null) return [];
    const path: Message[] = [];
    // Cycles were cut in the constructor; the step bound is cheap insurance.
    for (let i = this.#selfOrAncestor(leafId), steps = 0; i !== NONE && steps <= this.#messages.length; steps++) {
      path.push(this.#messages[i]);
      i = this.#visibleParent[i];
    }
    return path.reverse();
  }

  /** The swipes of a message: visible siblings including itself, oldest first ([] if not visible). */
  siblings(id: string): Message[] {
    const i = this.#index.get(id);
    if (i === undefined || this.#visible[i] === 0) return [];
    const parent = this.#visibleParent[i];
    return parent === NONE ? this.#roots : (this.#children[parent] ?? []);
  }

  /** Position among its siblings, or -1 when not visible. */
  siblingIndex(id: string): number {
    return this.siblings(id).findIndex((m) => m.id === id);
  }

  /**
   * Follows the newest visible child down to a leaf: where the view goes when the person switches
   * to this swipe. A deleted id starts from its nearest visible ancestor; an unknown one is returned as is.
   */
  deepestLeaf(id: string): string {
    let current = this.#selfOrAncestor(id);
    if (current === NONE) return id;
    for (let steps = 0; steps <= this.#messages.length; steps++) {
      const kids = this.#children[current];
      if (kids === undefined || kids.length === 0) break;
      current = this.#index.get(kids[kids.length - 1].id) as number;
    }
    return this.#messages[current].id;
  }

  /**
   * The leaf to show when a conversation has no (valid) leaf: the most recently written visible
   * leaf, i.e. where the person last was. Ties go to the earlier one in input order, so a fresh
   * chat whose greetings share a timestamp opens on the first greeting. Null when nothing is visible.
   */
  defaultLeaf(): string | null {
    let best = NONE;
    for (let i = 0; i < this.#messages.length; i++) {
      if (this.#visible[i] === 0 || this.#children[i] !== undefined) continue;
      if (best === NONE || this.#messages[i].createdAt > this.#messages[best].createdAt) best = i;
    }
    return best === NONE ? null : this.#messages[best].id;
  }

  #selfOrAncestor(id: string): number {
    const i = this.#index.get(id);
    if (i === undefined) return NONE;
    return this.#visible[i] === 1 ? i : this.#visibleParent[i];
  }
}

/**
 * For every message, its nearest visible strict ancestor: one walk up per chain of deleted
 * messages, memoised, so O(n) in all. A parent cycle is cut where a walk first meets it (that
 * message becomes a root), first among deleted messages, then among visible ones.
 */
function resolveVisibleParents(rawParent: Int32Array, visible: Uint8Array): Int32Array {
  const n = rawParent.length;
  const result = new Int32Array(n);
  const done = new Uint8Array(n);
  const onWalk = new Int32Array(n).fill(-1); // walk number that last passed here
  const chain: number[] = [];
  for (let i = 0; i < n; i++) {
    if (done[i] === 1) continue;
    chain.length = 0;
    chain.push(i);
    onWalk[i] = i;
    let answer = NONE;
    let current = i;
    for (;;) {
      const parent = rawParent[current];
      if (parent === NONE) break;
      if (onWalk[parent] === i) {
        rawParent[parent] = NONE; // a cycle through deleted messages: cut it
        break;
      }
      if (visible[parent] === 1) {
        answer = parent;
        break;
      }
      if (done[parent] === 1) {
        answer = result[parent];
        break;
      }
      chain.push(parent);
      onWalk[parent] = i;
      current = parent;
    }
    for (const member of chain) {
      result[member] = answer;
      done[member] = 1;
    }
  }
  // Cycles among visible messages (A → B → A): walk up the visible-parent links.
  const state = new Uint8Array(n); // 1: on the current walk, 2: reaches a root
  const walk: number[] = [];
  for (let i = 0; i < n; i++) {
    if (visible[i] === 0 || state[i] !== 0) continue;
    walk.length = 0;
    let current = i;
    while (current !== NONE && state[current] === 0) {
      state[current] = 1;
      walk.push(current);
      current = result[current];
    }
    if (current !== NONE && state[current] === 1) result[current] = NONE;
    for (const member of walk) state[member] = 2;
  }
  // A deleted message whose visible ancestor was just made a root keeps pointing at it: still correct.
  return result;
}

function isVisible(message: Message): boolean {
  return message.deletedAt === undefined || message.deletedAt === null;
}
