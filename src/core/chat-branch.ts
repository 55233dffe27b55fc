// Branches: a new conversation that starts with a copy of another's history up to one message, and
// the chat list's nesting of branches under the conversation they came from.

import type { Conversation, Message } from './types';

export interface BranchIds {
  conversationId: string;
  newId: () => string;
  now: number;
}

/**
 * Copies of `path` (root → the message branched from) under new ids in conversation
 * `conversationId`, each the parent of the next. Texts, edit history, statuses and the prompts
 * replies were written from are kept; only the visible line is copied, so the branch starts clean.
 * A reply cut off mid-stream is copied as interrupted: nothing streams into a copy.
 */
export function copyHistory(path: readonly Message[], { conversationId, newId }: BranchIds): Message[] {
  let parentId: string | null = null;
  return path.map((message) => {
    const copy: Message = {
      ...structuredClone(message),
      id: newId(),
      conversationId,
      parentId,
      status: message.status === 'streaming' ? 'interrupted' : message.status,
    };
    delete copy.deletedAt;
    parentId = copy.id;
    return copy;
  });
}

/** A new conversation holding `history` (copied by copyHistory), marked as a branch of `origin` at `messageId`. */
export function branchConversation(origin: Conversation, messageId: string, title: string, history: readonly Message[], { conversationId, now }: BranchIds): Conversation {
  return {
    id: conversationId,
    characterId: origin.characterId,
    title,
    ...(origin.personaId === undefined ? {} : { personaId: origin.personaId }),
    leafId: history.at(-1)?.id ?? null,
    createdAt: now,
    updatedAt: now,
    messageCount: history.length,
    originConversationId: origin.id,
    originMessageId: messageId,
  };
}

/** A conversation in the nested chat list, with its branches (each nested the same way). */
export interface ConversationNode<T extends Conversation> {
  conversation: T;
  branches: ConversationNode<T>[];
}

/**
 * Nests each branch under its origin, keeping the given order among siblings (most recent first,
 * as the list comes). A branch whose origin is gone (deleted, or another character's) stands at the
 * top level, and so does any member of an origin loop a hand-edited backup could hold. O(n).
 */
export function nestBranches<T extends Conversation>(conversations: readonly T[]): ConversationNode<T>[] {
  const nodes = new Map<string, ConversationNode<T>>();
  for (const conversation of conversations) nodes.set(conversation.id, { conversation, branches: [] });
  const roots: ConversationNode<T>[] = [];
  const placed = new Set<string>();
  const place = (node: ConversationNode<T>, list: ConversationNode<T>[]) => {
    // Depth first from each top-level conversation: a loop is never entered from outside it.
    const stack: [ConversationNode<T>, ConversationNode<T>[]][] = [[node, list]];
    while (stack.length > 0) {
      const [current, into] = stack.pop()!;
      if (placed.has(current.conversation.id)) continue;
      placed.add(current.conversation.id);
      into.push(current);
      const children = childrenOf.get(current.conversation.id) ?? [];
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], current.branches]);
    }
  };
  const childrenOf = new Map<string, ConversationNode<T>[]>();
  for (const node of nodes.values()) {
    const origin = node.conversation.originConversationId;
    if (origin === undefined || origin === node.conversation.id || !nodes.has(origin)) continue;
    const list = childrenOf.get(origin);
    if (list) list.push(node);
    else childrenOf.set(origin, [node]);
  }
  for (const node of nodes.values()) {
    const origin = node.conversation.originConversationId;
    if (origin === undefined || origin === node.conversation.id || !nodes.has(origin)) place(node, roots);
  }
  // Whatever is left sits on an origin loop: its members stand at the top level, in list order.
  for (const node of nodes.values()) if (!placed.has(node.conversation.id)) place(node, roots);
  return roots;
}
