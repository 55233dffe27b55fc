import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../src/core/errors';
import type { AppDatabase } from '../../../src/storage/db';
import { ConversationRepository } from '../../../src/storage/conversations';
import { freshDb, makeChain, makeConversation, makeMessage } from './helpers';

let db: AppDatabase;
let repo: ConversationRepository;
beforeEach(async () => {
  db = await freshDb();
  repo = new ConversationRepository(db);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await db.delete();
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
}

describe('ConversationRepository', () => {
  it('create stores the conversation and its messages, counting them', async () => {
    const conversation = makeConversation('c1', { id: 'k1', messageCount: 99 });
    const messages = makeChain('k1', 3);
    await repo.create({ ...conversation, leafId: messages[2].id }, messages);
    expect(await repo.get('k1')).toEqual({ ...conversation, leafId: messages[2].id, messageCount: 3 });
    expect(await repo.messages('k1')).toEqual(messages);
  });

  it('create is all or nothing', async () => {
    await repo.create(makeConversation('c1', { id: 'k0' }), [makeMessage('k0', { id: 'taken' })]);
    const code = await codeOf(repo.create(makeConversation('c1', { id: 'k1' }), [makeMessage('k1', { id: 'taken' })]));
    expect(code).toBeDefined();
    expect(await repo.get('k1')).toBeUndefined();
  });

  it('create refuses messages of another conversation', async () => {
    expect(await codeOf(repo.create(makeConversation('c1', { id: 'k1' }), [makeMessage('other')]))).toBe('unknown');
    expect(await repo.get('k1')).toBeUndefined();
  });

  it('the chat list counts the messages a person sees: not swiped-away greetings or replies, nor deleted ones', async () => {
    const greetings = [0, 1, 2].map((i) => makeMessage('k1', { id: `g${i}`, role: 'assistant', createdAt: 1000 + i }));
    await repo.create({ ...makeConversation('c1', { id: 'k1' }), leafId: 'g0' }, greetings);
    const first = await new Promise<{ id: string; shownCount: number; messageCount: number }[]>((resolve) => {
      const sub = repo.watchForCharacter('c1').subscribe((list) => { sub.unsubscribe(); resolve(list); });
    });
    expect(first).toMatchObject([{ id: 'k1', shownCount: 1, messageCount: 3 }]);

    await repo.addMessage(makeMessage('k1', { id: 'u1', parentId: 'g1', createdAt: 2000 }));
    await repo.addMessage(makeMessage('k1', { id: 'r1', parentId: 'u1', role: 'assistant', createdAt: 2001 }));
    await repo.addMessage(makeMessage('k1', { id: 'r2', parentId: 'u1', role: 'assistant', createdAt: 2002 })); // a regenerated reply
    await repo.addMessage(makeMessage('k1', { id: 'u2', parentId: 'r2', createdAt: 2003, deletedAt: 2004 }));
    await repo.setLeaf('k1', 'r2');
    const later = await new Promise<{ shownCount: number }[]>((resolve) => {
      const sub = repo.watchForCharacter('c1').subscribe((list) => { sub.unsubscribe(); resolve(list); });
    });
    expect(later[0]!.shownCount).toBe(3); // greeting, message, the reply shown
  });

  it('get returns undefined for an unknown id', async () => {
    expect(await repo.get('nope')).toBeUndefined();
  });

  it('listForCharacter returns only that character, newest first', async () => {
    await repo.create(makeConversation('c1', { id: 'old', updatedAt: 10 }), []);
    await repo.create(makeConversation('c1', { id: 'new', updatedAt: 30 }), []);
    await repo.create(makeConversation('c1', { id: 'mid', updatedAt: 20 }), []);
    await repo.create(makeConversation('c2', { id: 'other', updatedAt: 40 }), []);
    expect((await repo.listForCharacter('c1')).map((c) => c.id)).toEqual(['new', 'mid', 'old']);
    expect(await repo.listForCharacter('c3')).toEqual([]);
  });

  it('rename changes the title only, and says gone for unknown ids', async () => {
    await repo.create(makeConversation('c1', { id: 'k1', updatedAt: 10 }), []);
    expect(await repo.rename('k1', 'Tea party', 'Chat')).toBe('saved');
    expect(await repo.get('k1')).toMatchObject({ title: 'Tea party', updatedAt: 10 });
    expect(await repo.rename('k1', 'Tea party', 'Tea party')).toBe('saved'); // unchanged is still fine
    expect(await repo.rename('nope', 'x', 'Chat')).toBe('gone');
  });

  it('rename refuses, writing nothing, when the title is no longer the one the rename began from', async () => {
    await repo.create(makeConversation('c1', { id: 'k1' }), []);
    await repo.rename('k1', 'Renamed elsewhere', 'Chat');
    expect(await repo.rename('k1', 'Mine', 'Chat')).toBe('changed');
    expect((await repo.get('k1'))?.title).toBe('Renamed elsewhere');
  });

  it('editMessage keeps the old text as a revision, and refuses when the text changed since or a reply is still streaming into it', async () => {
    await repo.create(makeConversation('c1', { id: 'k1' }), [makeMessage('k1', { id: 'm', content: 'First' }), makeMessage('k1', { id: 's', content: 'Half a', status: 'streaming' })]);
    expect(await repo.editMessage('m', 'Second', 'First', 50)).toMatchObject({ content: 'Second', revisions: ['First'], updatedAt: 50 });
    expect(await repo.editMessage('m', 'Third', 'First', 60)).toBe('changed');
    expect(await repo.editMessage('s', 'Mine', 'Half a', 60)).toBe('changed');
    expect(await repo.editMessage('nope', 'x', 'y', 60)).toBe('gone');
    expect(await repo.getMessage('m')).toMatchObject({ content: 'Second', revisions: ['First'] });
    expect((await repo.getMessage('s'))?.content).toBe('Half a');
  });

  it('remove deletes the conversation and its messages, nothing else', async () => {
    await repo.create(makeConversation('c1', { id: 'k1' }), makeChain('k1', 4));
    await repo.create(makeConversation('c1', { id: 'k2' }), makeChain('k2', 2));
    await repo.remove('k1');
    expect(await repo.get('k1')).toBeUndefined();
    expect(await repo.messages('k1')).toEqual([]);
    expect(await db.messages.where('conversationId').equals('k1').count()).toBe(0);
    expect(await repo.messages('k2')).toHaveLength(2);
  });

  it('messages returns soft-deleted ones too, ordered by createdAt', async () => {
    await repo.create(makeConversation('c1', { id: 'k1' }), [
      makeMessage('k1', { id: 'b', createdAt: 20 }),
      makeMessage('k1', { id: 'a', createdAt: 10, deletedAt: 15 }),
      makeMessage('k1', { id: 'c', createdAt: 30 }),
    ]);
    await repo.create(makeConversation('c1', { id: 'k2' }), [makeMessage('k2', { id: 'x', createdAt: 15 })]);
    expect((await repo.messages('k1')).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('addMessage adds, sets the leaf, counts and bumps updatedAt together', async () => {
    await repo.create(makeConversation('c1', { id: 'k1', updatedAt: 10 }), []);
    vi.spyOn(Date, 'now').mockReturnValue(5000);
    const first = makeMessage('k1', { id: 'm1' });
    await repo.addMessage(first);
    expect(await repo.get('k1')).toMatchObject({ leafId: 'm1', messageCount: 1, updatedAt: 5000 });
    expect(await repo.getMessage('m1')).toEqual(first);

    await repo.addMessage(makeMessage('k1', { id: 'm2', parentId: 'm1', createdAt: 2000 }), { setLeaf: false });
    expect(await repo.get('k1')).toMatchObject({ leafId: 'm1', messageCount: 2 });
    expect((await repo.messages('k1')).map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('addMessage changes nothing when it fails', async () => {
    await repo.create(makeConversation('c1', { id: 'k1', updatedAt: 10 }), [makeMessage('k1', { id: 'm1' })]);
    const before = await repo.get('k1');
    // Duplicate id: the add fails, so the conversation must not be counted or moved.
    expect(await codeOf(repo.addMessage(makeMessage('k1', { id: 'm1', content: 'again' })))).toBeDefined();
    expect(await repo.get('k1')).toEqual(before);
    expect((await repo.getMessage('m1'))?.content).toBe('Hello');
    // Unknown conversation: not-found, and no orphan message is left behind.
    expect(await codeOf(repo.addMessage(makeMessage('ghost', { id: 'orphan' })))).toBe('not-found');
    expect(await repo.getMessage('orphan')).toBeUndefined();
  });

  it('updateMessage patches fields, bumps updatedAt, can remove a field, keeps ids', async () => {
    await repo.create(makeConversation('c1', { id: 'k1' }), [makeMessage('k1', { id: 'm1', content: 'v1' })]);
    vi.spyOn(Date, 'now').mockReturnValue(7000);
    await repo.updateMessage('m1', { content: 'v2', revisions: ['v1'], deletedAt: 6000, conversationId: 'evil', id: 'evil' });
    expect(await repo.getMessage('m1')).toMatchObject({
      id: 'm1', conversationId: 'k1', content: 'v2', revisions: ['v1'], deletedAt: 6000, updatedAt: 7000,
    });
    await repo.updateMessage('m1', { deletedAt: undefined });
    expect(await repo.getMessage('m1')).not.toHaveProperty('deletedAt');
    await repo.updateMessage('m1', {}); // same updatedAt: nothing changes, still no error
    expect(await codeOf(repo.updateMessage('nope', { content: 'x' }))).toBe('not-found');
  });

  it('saveStreamingText replaces content only', async () => {
    const message = makeMessage('k1', { id: 'm1', role: 'assistant', content: '', status: 'streaming', updatedAt: 1 });
    await repo.create(makeConversation('c1', { id: 'k1', updatedAt: 2 }), [message]);
    expect(await repo.saveStreamingText('m1', 'Once upon')).toBe(true);
    expect(await repo.saveStreamingText('m1', 'Once upon a time')).toBe(true);
    expect(await repo.saveStreamingText('m1', 'Once upon a time')).toBe(true);
    expect(await repo.getMessage('m1')).toEqual({ ...message, content: 'Once upon a time' });
    expect((await repo.get('k1'))?.updatedAt).toBe(2);
    expect(await repo.saveStreamingText('gone', 'x')).toBe(false);
  });

  it('setLeaf moves the visible branch within the conversation only', async () => {
    const chain = makeChain('k1', 3);
    await repo.create(makeConversation('c1', { id: 'k1', leafId: chain[2].id }), chain);
    await repo.create(makeConversation('c1', { id: 'k2' }), [makeMessage('k2', { id: 'foreign' })]);
    await repo.setLeaf('k1', chain[1].id);
    expect((await repo.get('k1'))?.leafId).toBe(chain[1].id);
    await repo.setLeaf('k1', null);
    expect((await repo.get('k1'))?.leafId).toBeNull();
    expect(await codeOf(repo.setLeaf('k1', 'foreign'))).toBe('not-found');
    expect(await codeOf(repo.setLeaf('k1', 'missing'))).toBe('not-found');
    expect(await codeOf(repo.setLeaf('nope', null))).toBe('not-found');
    expect((await repo.get('k1'))?.leafId).toBeNull();
  });

  it('recoverInterrupted marks streaming messages interrupted and keeps their text', async () => {
    await repo.create(makeConversation('c1', { id: 'k1' }), [
      makeMessage('k1', { id: 'a', status: 'streaming', content: 'half a rep' }),
      makeMessage('k1', { id: 'b', status: 'done' }),
      makeMessage('k1', { id: 'c', status: 'stopped' }),
    ]);
    await repo.create(makeConversation('c1', { id: 'k2' }), [makeMessage('k2', { id: 'd', status: 'streaming' })]);
    expect(await repo.recoverInterrupted()).toBe(2);
    expect(await repo.getMessage('a')).toMatchObject({ status: 'interrupted', content: 'half a rep' });
    expect((await repo.getMessage('d'))?.status).toBe('interrupted');
    expect((await repo.getMessage('b'))?.status).toBe('done');
    expect((await repo.getMessage('c'))?.status).toBe('stopped');
    expect(await repo.recoverInterrupted()).toBe(0);
  });

  it('messages() reads 5,000 rows from one index range (timing printed)', async () => {
    const chain = makeChain('big', 5000);
    await repo.create(makeConversation('c1', { id: 'big' }), chain);
    await repo.create(makeConversation('c1', { id: 'small' }), makeChain('small', 10));
    await repo.messages('big'); // warm up
    const start = performance.now();
    const messages = await repo.messages('big');
    const ms = performance.now() - start;
    console.log(`messages(): 5,000 rows in ${ms.toFixed(1)} ms (Node + fake-indexeddb)`);
    expect(messages).toHaveLength(5000);
    expect(messages[0].id).toBe(chain[0].id);
    expect(messages[4999].id).toBe(chain[4999].id);
    expect((await repo.get('big'))?.messageCount).toBe(5000);
  });
});
