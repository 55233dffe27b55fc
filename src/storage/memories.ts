// A conversation's long-term memory: pinned facts and rolling summaries (core/memory), by conversation.
// Deleted with the conversation (ConversationRepository.remove), carried by backups.

import type { MemoryRecord } from '../core/types';
import type { AppDatabase } from './db';
import { guard, notFound } from './errors';
import { watch, type Watchable } from './live';

export class MemoryRepository {
  constructor(private readonly db: AppDatabase) {}

  /** A conversation's memories, oldest first (pins in the order they were made). */
  list(conversationId: string): Promise<MemoryRecord[]> {
    return guard(async () => (await this.db.memories.where('conversationId').equals(conversationId).toArray()).sort((a, b) => a.createdAt - b.createdAt));
  }

  /** list(), again after every change to them (this tab or another). */
  watch(conversationId: string): Watchable<MemoryRecord[]> {
    return watch(() => this.list(conversationId));
  }

  /** Store a memory of a conversation that exists (not-found when it was deleted meanwhile). */
  put(record: MemoryRecord): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.conversations, db.memories], async () => {
        if (!(await db.conversations.get(record.conversationId))) throw notFound('conversation', record.conversationId);
        await db.memories.put(record);
      }),
    );
  }

  remove(id: string): Promise<void> {
    return guard(() => this.db.memories.delete(id));
  }
}
