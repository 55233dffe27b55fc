// The conversation aggregate: a conversation and its message tree.

import Dexie from 'dexie';
import { AppError } from '../core/errors';
import { MessageTree } from '../core/message-tree';
import type { Conversation, ListedConversation, Message, SamplingOverride } from '../core/types';
import type { AppDatabase } from './db';
import { guard, notFound } from './errors';
import { watch, type Watchable } from './live';
import type { ReplaceOutcome } from './replace';

export interface AddMessageOptions {
  /** Make the new message the end of the visible branch (default true). */
  setLeaf?: boolean;
}

export class ConversationRepository {
  constructor(private readonly db: AppDatabase) {}

  /** A character's conversations, most recently active first. */
  listForCharacter(characterId: string): Promise<Conversation[]> {
    return guard(() =>
      this.db.conversations
        .where('[characterId+updatedAt]')
        .between([characterId, Dexie.minKey], [characterId, Dexie.maxKey], true, true)
        .reverse()
        .toArray(),
    );
  }

  /**
   * listForCharacter(), each with the number of messages its visible branch shows (swiped-away
   * greetings and replies and deleted messages are stored but not shown, so not counted), again
   * after every change to that character's conversations or their messages.
   */
  watchForCharacter(characterId: string): Watchable<ListedConversation[]> {
    return watch(async () => {
      const conversations = await this.listForCharacter(characterId);
      const messages = await guard(() => this.db.messages.where('conversationId').anyOf(conversations.map((c) => c.id)).toArray());
      const byConversation = new Map<string, Message[]>();
      for (const message of messages) {
        const list = byConversation.get(message.conversationId);
        if (list) list.push(message);
        else byConversation.set(message.conversationId, [message]);
      }
      return conversations.map((conversation) => {
        const tree = new MessageTree(byConversation.get(conversation.id) ?? []);
        const leaf = conversation.leafId && tree.get(conversation.leafId) ? conversation.leafId : tree.defaultLeaf();
        return { ...conversation, shownCount: tree.path(leaf).length };
      });
    });
  }

  /**
   * Each character's most recently active conversation (id and when), again after every change to
   * the conversations: what the gallery's Continue opens. One read of the small conversation rows.
   */
  watchLatestByCharacter(): Watchable<Map<string, Conversation>> {
    return watch(async () => {
      const latest = new Map<string, Conversation>();
      // Ordered by [characterId+updatedAt]: the last row of each character is its newest.
      const rows = await guard(() => this.db.conversations.orderBy('[characterId+updatedAt]').toArray());
      for (const row of rows) latest.set(row.characterId, row);
      return latest;
    });
  }

  /** Every conversation (all characters), most recently active first: the scope of a search in all chats. */
  listAll(): Promise<Conversation[]> {
    return guard(async () => (await this.db.conversations.toArray()).sort((a, b) => b.updatedAt - a.updatedAt));
  }

  /**
   * The ids of a conversation's messages, oldest first, without reading the messages: long work
   * over a chat (search) then reads them a page at a time with messagesById().
   */
  messageIds(conversationId: string): Promise<string[]> {
    return guard(() =>
      this.db.messages
        .where('[conversationId+createdAt]')
        .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey], true, true)
        .primaryKeys(),
    );
  }

  /** The messages with these ids that still exist, in the order asked. */
  async messagesById(ids: readonly string[]): Promise<Message[]> {
    const found = await guard(() => this.db.messages.bulkGet([...ids]));
    return found.filter((message): message is Message => message !== undefined);
  }

  get(id: string): Promise<Conversation | undefined> {
    return guard(() => this.db.conversations.get(id));
  }

  /**
   * Store a new conversation with its first messages (greeting, imported history), all or nothing.
   * messageCount is set from `messages`; every message must belong to the conversation.
   */
  create(conversation: Conversation, messages: readonly Message[] = []): Promise<void> {
    const { db } = this;
    return guard(async () => {
      const stranger = messages.find((m) => m.conversationId !== conversation.id);
      if (stranger) {
        throw new AppError('unknown', `Message ${stranger.id} belongs to another conversation.`, {
          id: stranger.id,
        });
      }
      await db.transaction('rw', [db.conversations, db.messages], async () => {
        await db.conversations.add({ ...conversation, messageCount: messages.length });
        await db.messages.bulkAdd(messages);
      });
    });
  }

  /**
   * Change the title, unless it is no longer `expectedTitle` (the title the rename started from):
   * 'changed' (nothing written) when another tab renamed it meanwhile, 'gone' when it was deleted.
   * A title is not activity, so updatedAt (the list order) stays.
   */
  rename(id: string, title: string, expectedTitle: string): Promise<ReplaceOutcome> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.conversations, async () => {
        const stored = await db.conversations.get(id);
        if (stored === undefined) return 'gone' as const;
        if (stored.title !== expectedTitle) return 'changed' as const;
        await db.conversations.update(id, { title });
        return 'saved' as const;
      }),
    );
  }

  /** Sets (or with undefined, clears) the chat's own sampling override. Like a title, not activity. */
  setSampling(id: string, sampling: SamplingOverride | undefined): Promise<void> {
    const { db } = this;
    return guard(async () => {
      if ((await db.conversations.update(id, { sampling })) === 0 && !(await db.conversations.get(id))) throw notFound('conversation', id);
    });
  }

  /**
   * Set the chat's own settings (author's note, scenario); a field given as undefined is removed.
   * Not activity: updatedAt (the list order) stays. Fails with not-found when the chat is gone.
   */
  updateSettings(id: string, patch: Pick<Conversation, 'authorsNote' | 'scenario'>): Promise<void> {
    return guard(async () => {
      const changed = await this.db.conversations.update(id, patch);
      if (!changed && !(await this.db.conversations.get(id))) throw notFound('conversation', id);
    });
  }

  /** Remove a conversation with all its messages and memories, all or nothing. */
  remove(id: string): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.conversations, db.messages, db.memories], async () => {
        await db.messages.where('conversationId').equals(id).delete();
        await db.memories.where('conversationId').equals(id).delete();
        await db.conversations.delete(id);
      }),
    );
  }

  /**
   * Every message of a conversation (soft-deleted ones too; callers filter), oldest first.
   * One index range read: no per-row work, so thousands of messages come back at once.
   */
  messages(conversationId: string): Promise<Message[]> {
    return guard(() =>
      this.db.messages
        .where('[conversationId+createdAt]')
        .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey], true, true)
        .toArray(),
    );
  }

  /**
   * The conversation and all its messages, again after every write to either (this tab or another).
   * The conversation is undefined once it is deleted.
   */
  watchConversation(id: string): Watchable<{ conversation: Conversation | undefined; messages: Message[] }> {
    return watch(async () => ({ conversation: await this.get(id), messages: await this.messages(id) }));
  }

  getMessage(id: string): Promise<Message | undefined> {
    return guard(() => this.db.messages.get(id));
  }

  /**
   * Add a message and, in the same transaction, count it, mark the conversation active and
   * (unless setLeaf is false) make it the leaf. Fails with not-found if the conversation is gone.
   */
  addMessage(message: Message, options: AddMessageOptions = {}): Promise<void> {
    const { db } = this;
    const setLeaf = options.setLeaf ?? true;
    return guard(() =>
      db.transaction('rw', [db.conversations, db.messages], async () => {
        const conversation = await db.conversations.get(message.conversationId);
        if (!conversation) throw notFound('conversation', message.conversationId);
        await db.messages.add(message);
        await db.conversations.put({
          ...conversation,
          messageCount: conversation.messageCount + 1,
          updatedAt: Math.max(Date.now(), conversation.updatedAt),
          leafId: setLeaf ? message.id : conversation.leafId,
        });
      }),
    );
  }

  /**
   * Change fields of a message and set its updatedAt to now. A field given as undefined is
   * removed (e.g. `{ deletedAt: undefined }` undoes a soft delete). id and conversationId stay.
   */
  updateMessage(id: string, patch: Partial<Message>): Promise<void> {
    return guard(async () => {
      const changes: Partial<Message> = { ...patch, updatedAt: Date.now() };
      delete changes.id;
      delete changes.conversationId;
      // update() counts only rows it actually changed, so 0 can also mean "already like that".
      const changed = await this.db.messages.update(id, changes);
      if (!changed && !(await this.db.messages.get(id))) throw notFound('message', id);
    });
  }

  /**
   * Replace a message's text, keeping the old text as a revision, unless the stored text is no
   * longer `expectedContent` (the text the edit started from) or a reply is still being written
   * into it: 'changed' (nothing written) when another tab edited or is streaming into it (its last
   * write would undo the edit), 'gone' when its conversation was deleted.
   * Returns the message as stored.
   */
  editMessage(id: string, content: string, expectedContent: string, updatedAt: number): Promise<Message | 'gone' | 'changed'> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', db.messages, async () => {
        const stored = await db.messages.get(id);
        if (stored === undefined) return 'gone' as const;
        if (stored.content !== expectedContent || stored.status === 'streaming') return 'changed' as const;
        // Stars were given to the text before the edit; the edited text has none yet.
        const { rating: _rating, ...unrated } = stored;
        const edited: Message = { ...unrated, content, revisions: [...stored.revisions, stored.content], updatedAt };
        await db.messages.put(edited);
        return edited;
      }),
    );
  }

  /**
   * The streaming hot path: replace the content only (no updatedAt, no conversation write).
   * Returns false, rather than throwing, when the message no longer exists (the conversation
   * was deleted mid-reply), so the stream can simply stop.
   */
  saveStreamingText(id: string, content: string): Promise<boolean> {
    return guard(async () => {
      if ((await this.db.messages.update(id, { content })) > 0) return true;
      // 0 also means the content was already this text; only a missing row is "gone".
      return (await this.db.messages.get(id)) !== undefined;
    });
  }

  /** The persona the chat is written as. Not activity: updatedAt (the list order) stays. */
  setPersona(conversationId: string, personaId: string): Promise<void> {
    return guard(async () => {
      if (!(await this.db.conversations.update(conversationId, { personaId })) && !(await this.db.conversations.get(conversationId))) {
        throw notFound('conversation', conversationId);
      }
    });
  }

  /** Point the visible branch at another message of the same conversation (or at nothing). */
  setLeaf(conversationId: string, leafId: string | null): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.conversations, db.messages], async () => {
        const conversation = await db.conversations.get(conversationId);
        if (!conversation) throw notFound('conversation', conversationId);
        if (leafId !== null) {
          const leaf = await db.messages.get(leafId);
          if (!leaf || leaf.conversationId !== conversationId) throw notFound('message', leafId);
        }
        await db.conversations.update(conversationId, { leafId });
      }),
    );
  }

  /**
   * At startup: a message still 'streaming' was cut off by a reload or closed tab. Mark it
   * 'interrupted' (its partial text stays) and return how many there were; `live` are replies
   * another tab is still writing, left as they are.
   */
  recoverInterrupted(live: ReadonlySet<string> = new Set()): Promise<number> {
    return guard(() =>
      this.db.messages.where('status').equals('streaming').and((message) => !live.has(message.id)).modify({ status: 'interrupted' }),
    );
  }
}
