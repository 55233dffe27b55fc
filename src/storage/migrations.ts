// Pure record-to-record migrations between database versions, called from db.ts upgrades.

import type { Conversation, Message, MessageStatus } from '../core/types';

/** A message as version 1 stored it: no edit history, no updatedAt. */
export interface MessageV1 {
  id: string;
  conversationId: string;
  parentId: string | null;
  role: Message['role'];
  content: string;
  /** v1 rows written before statuses existed have none; they are finished messages. */
  status?: MessageStatus;
  errorCode?: string;
  createdAt: number;
  deletedAt?: number;
  model?: string;
  prompt?: Message['prompt'];
  sampling?: Message['sampling'];
  usage?: Message['usage'];
}

/** A conversation as version 1 stored it: no messageCount (lists had to count messages). */
export type ConversationV1 = Omit<Conversation, 'messageCount'>;

const STATUSES: readonly MessageStatus[] = ['done', 'streaming', 'stopped', 'interrupted', 'error'];

/**
 * v1 -> v2 message: an empty revision history, updatedAt from createdAt, and a known status.
 * Idempotent, so a row that already has the v2 shape comes back unchanged.
 */
export function migrateMessageV1toV2(message: MessageV1 | Message): Message {
  const v = message as Partial<Message> & MessageV1;
  return {
    ...v,
    revisions: Array.isArray(v.revisions) ? v.revisions : [],
    status: v.status !== undefined && STATUSES.includes(v.status) ? v.status : 'done',
    updatedAt: typeof v.updatedAt === 'number' ? v.updatedAt : v.createdAt,
  };
}

/** v1 -> v2 conversation: messageCount is the number of message rows stored for it. */
export function migrateConversationV1toV2(conversation: ConversationV1, messageCount: number): Conversation {
  return { ...conversation, messageCount };
}

/** Count rows per conversation from the conversationId of each message (index keys suffice). */
export function countByConversation(conversationIds: Iterable<unknown>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of conversationIds) {
    if (typeof id !== 'string') continue;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
