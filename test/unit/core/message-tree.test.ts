import { describe, expect, it } from 'vitest';
import { MessageTree } from '../../../src/core/message-tree';
import type { Message, MessageRole } from '../../../src/core/types';

let clock = 1000;
function msg(id: string, parentId: string | null, role: MessageRole = 'assistant', extra: Partial<Message> = {}): Message {
  clock += 10;
  return {
    id,
    conversationId: 'c1',
    parentId,
    role,
    content: id,
    revisions: [],
    status: 'done',
    createdAt: clock,
    updatedAt: clock,
    ...extra,
  };
}

const ids = (messages: Message[]) => messages.map((m) => m.id);

describe('MessageTree', () => {
  it('treats alternate greetings as sibling roots (swipes)', () => {
    const tree = new MessageTree([msg('g1', null), msg('g2', null), msg('g3', null)]);
    expect(ids(tree.roots())).toEqual(['g1', 'g2', 'g3']);
    expect(ids(tree.siblings('g2'))).toEqual(['g1', 'g2', 'g3']);
    expect(tree.siblingIndex('g3')).toBe(2);
    expect(ids(tree.path('g2'))).toEqual(['g2']);
    expect(tree.parentOf('g1')).toBeNull();
  });

  it('opens a fresh chat whose greetings share a timestamp on the first greeting', () => {
    const at = { createdAt: 5, updatedAt: 5 };
    const tree = new MessageTree([msg('g1', null, 'assistant', at), msg('g2', null, 'assistant', at), msg('g3', null, 'assistant', at)]);
    expect(ids(tree.roots())).toEqual(['g1', 'g2', 'g3']);
    expect(tree.defaultLeaf()).toBe('g1');
  });

  it('keeps regenerations as siblings under the user message', () => {
    const tree = new MessageTree([msg('g', null), msg('u1', 'g', 'user'), msg('a1', 'u1'), msg('a2', 'u1'), msg('a3', 'u1')]);
    expect(ids(tree.siblings('a2'))).toEqual(['a1', 'a2', 'a3']);
    expect(tree.siblingIndex('a1')).toBe(0);
    expect(ids(tree.children('u1'))).toEqual(['a1', 'a2', 'a3']);
    expect(ids(tree.path('a2'))).toEqual(['g', 'u1', 'a2']);
    expect(tree.defaultLeaf()).toBe('a3');
  });

  it("switching swipes lands on that sibling's deepest, newest leaf", () => {
    const tree = new MessageTree([
      msg('g', null),
      msg('u1', 'g', 'user'),
      msg('a1', 'u1'),
      msg('u2', 'a1', 'user'),
      msg('a2', 'u2'),
      msg('a1b', 'u1'), // regenerated: a new branch
      msg('u2b', 'a1b', 'user'),
      msg('a2b', 'u2b'),
      msg('u2c', 'a1b', 'user'), // an edit of the user turn: newest branch under a1b
      msg('a2c', 'u2c'),
    ]);
    expect(tree.deepestLeaf('a1')).toBe('a2');
    expect(tree.deepestLeaf('a1b')).toBe('a2c');
    expect(ids(tree.path(tree.deepestLeaf('a1')))).toEqual(['g', 'u1', 'a1', 'u2', 'a2']);
    expect(tree.deepestLeaf('a2')).toBe('a2');
    expect(tree.defaultLeaf()).toBe('a2c');
  });

  it('skips a soft-deleted middle message; its children hang from the nearest visible ancestor', () => {
    const tree = new MessageTree([
      msg('g', null),
      msg('u1', 'g', 'user'),
      msg('a1', 'u1', 'assistant', { deletedAt: 1 }),
      msg('u2', 'a1', 'user', { deletedAt: 1 }),
      msg('a2', 'u2'),
      msg('a1b', 'u1'),
    ]);
    expect(ids(tree.path('a2'))).toEqual(['g', 'u1', 'a2']);
    expect(tree.parentOf('a2')).toBe('u1');
    expect(ids(tree.children('u1'))).toEqual(['a2', 'a1b']);
    expect(ids(tree.siblings('a2'))).toEqual(['a2', 'a1b']);
    expect(tree.siblings('a1')).toEqual([]);
    expect(tree.siblingIndex('a1')).toBe(-1);
    expect(tree.children('a1')).toEqual([]);
    expect(tree.isVisible('a1')).toBe(false);
    expect(tree.get('a1')?.id).toBe('a1');
  });

  it('ends the path of a deleted leaf at its nearest visible ancestor', () => {
    const tree = new MessageTree([msg('g', null), msg('u1', 'g', 'user'), msg('a1', 'u1', 'assistant', { deletedAt: 5 })]);
    expect(ids(tree.path('a1'))).toEqual(['g', 'u1']);
    expect(tree.deepestLeaf('a1')).toBe('u1');
    expect(tree.defaultLeaf()).toBe('u1');
  });

  it('lifts the children of a deleted root to roots', () => {
    const tree = new MessageTree([msg('g1', null, 'assistant', { deletedAt: 1 }), msg('u1', 'g1', 'user'), msg('g2', null)]);
    expect(ids(tree.roots())).toEqual(['u1', 'g2']);
    expect(ids(tree.path('u1'))).toEqual(['u1']);
  });

  it('handles empty trees, unknown ids, dangling parents and cycles', () => {
    const empty = new MessageTree([]);
    expect(empty.defaultLeaf()).toBeNull();
    expect(empty.path(null)).toEqual([]);
    expect(empty.path('nope')).toEqual([]);
    expect(empty.deepestLeaf('nope')).toBe('nope');

    const odd = new MessageTree([
      msg('orphan', 'missing'),
      msg('x', 'y'),
      msg('y', 'x'),
      msg('d1', 'd2', 'assistant', { deletedAt: 1 }),
      msg('d2', 'd1', 'assistant', { deletedAt: 1 }),
      msg('kid', 'd1'),
    ]);
    expect(ids(odd.path('orphan'))).toEqual(['orphan']);
    const xy = odd.path('x');
    expect(xy.length).toBeGreaterThan(0);
    expect(xy.length).toBeLessThanOrEqual(2);
    expect(odd.parentOf(xy[0].id)).toBeNull();
    expect(ids(odd.path('kid'))).toEqual(['kid']);
    expect(odd.defaultLeaf()).not.toBeNull();
  });

  it('orders siblings by createdAt whatever the input order', () => {
    const a = msg('a', 'u');
    const b = msg('b', 'u');
    const u = msg('u', null, 'user', { createdAt: 0 });
    const tree = new MessageTree([b, u, a]);
    expect(ids(tree.siblings('a'))).toEqual(['a', 'b']);
  });

  it('builds 5,000 messages fast', () => {
    const messages: Message[] = [msg('m0', null)];
    for (let k = 1; k < 5000; k++) {
      // A long chat with a regeneration every 7th turn and a deletion every 13th.
      const parent = k % 7 === 0 && k > 1 ? `m${k - 2}` : `m${k - 1}`;
      messages.push(msg(`m${k}`, parent, k % 2 ? 'user' : 'assistant', k % 13 === 0 ? { deletedAt: 1 } : {}));
    }
    messages.reverse(); // worst case for any order-dependent shortcut
    const start = performance.now();
    const tree = new MessageTree(messages);
    const cold = performance.now() - start;
    const leaf = tree.defaultLeaf();
    const path = tree.path(leaf);
    const lookup = performance.now() - start - cold;
    const warm: number[] = [];
    for (let k = 0; k < 5; k++) {
      const again = performance.now();
      new MessageTree(messages);
      warm.push(performance.now() - again);
    }
    warm.sort((a, b) => a - b);
    console.log(
      `message tree, 5,000 messages: built in ${cold.toFixed(2)} ms cold / ${warm[2].toFixed(2)} ms warm (median of 5); ` +
        `default leaf + path ${lookup.toFixed(2)} ms`,
    );
    expect(leaf).toBe('m4999');
    expect(path[0].id).toBe('m0');
    expect(path.every((m) => m.deletedAt === undefined)).toBe(true);
  });
});
