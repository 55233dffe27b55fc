import { describe, expect, it } from 'vitest';
import {
  countByConversation,
  migrateConversationV1toV2,
  migrateMessageV1toV2,
  type ConversationV1,
  type MessageV1,
} from '../../../src/storage/migrations';
import type { Message } from '../../../src/core/types';

// Frozen v1 fixtures: what version 1 wrote. Never edit these to match newer code.
const V1_MESSAGE: MessageV1 = {
  id: 'm1', conversationId: 'k1', parentId: null, role: 'assistant', content: 'Hi',
  status: 'stopped', createdAt: 10, model: 'gguf:tiny', usage: { promptTokens: 5, completionTokens: 2 },
};
const V1_MESSAGE_NO_STATUS: MessageV1 = {
  id: 'm2', conversationId: 'k1', parentId: 'm1', role: 'user', content: 'Yo', createdAt: 20,
};
const V1_CONVERSATION: ConversationV1 = {
  id: 'k1', characterId: 'c1', title: 'Chat', leafId: 'm2', createdAt: 10, updatedAt: 20,
};

describe('v1 -> v2 migrations', () => {
  it('messages get revisions and updatedAt, keeping every field', () => {
    expect(migrateMessageV1toV2(V1_MESSAGE)).toEqual({ ...V1_MESSAGE, revisions: [], updatedAt: 10 });
  });

  it('a v1 message without a status is a finished one', () => {
    expect(migrateMessageV1toV2(V1_MESSAGE_NO_STATUS)).toMatchObject({ status: 'done', revisions: [], updatedAt: 20 });
  });

  it('is idempotent on rows already in the v2 shape', () => {
    const v2: Message = { ...V1_MESSAGE, status: 'done', revisions: ['old'], updatedAt: 99 };
    expect(migrateMessageV1toV2(v2)).toEqual(v2);
    expect(migrateMessageV1toV2(migrateMessageV1toV2(V1_MESSAGE))).toEqual(migrateMessageV1toV2(V1_MESSAGE));
  });

  it('does not mutate its input', () => {
    const input = { ...V1_MESSAGE };
    migrateMessageV1toV2(input);
    expect(input).toEqual(V1_MESSAGE);
  });

  it('conversations get their message count', () => {
    expect(migrateConversationV1toV2(V1_CONVERSATION, 2)).toEqual({ ...V1_CONVERSATION, messageCount: 2 });
  });

  it('countByConversation counts keys and skips non-strings', () => {
    const counts = countByConversation(['k1', 'k2', 'k1', 5, null, 'k1']);
    expect([...counts]).toEqual([['k1', 3], ['k2', 1]]);
  });
});
