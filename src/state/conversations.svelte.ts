// The conversations: a character's chat list (kept live from storage), starting a chat on the
// greeting, renaming, and deleting one with undo. Opening one as a chat session is AppState's.

import { branchConversation, copyHistory } from '../core/chat-branch';
import { AppError } from '../core/errors';
import { ratedReplies, type RatedReply } from '../core/ratings';
import { MessageTree } from '../core/message-tree';
import type { Character, Conversation, ListedConversation, Message } from '../core/types';
import type { ConversationRepository } from '../storage';
import { LiveValue } from './live.svelte';
import type { Locale } from './locale.svelte';
import { settledMessages } from './stop-session';
import type { Toasts } from './toasts.svelte';

export interface ConversationsDeps {
  repo: () => ConversationRepository;
  character: (id: string) => Character | undefined;
  locale: Locale;
  toasts: Toasts;
  /** Stops a reply streaming into this conversation and waits for its last write. */
  settle: (conversationId: string) => Promise<void>;
  /** The conversation is gone: close its chat if it is open. */
  closed: (conversationId: string) => void;
}

/** One character's conversations, most recently active first; null until first read. */
export class ConversationList {
  readonly #live = new LiveValue<ListedConversation[] | null>(null);

  constructor(repo: ConversationRepository, characterId: string) {
    this.#live.follow(repo.watchForCharacter(characterId));
  }

  get items(): ListedConversation[] | null {
    return this.#live.value;
  }

  /** Why the list could not be read, if it could not. */
  get error(): unknown {
    return this.#live.error;
  }

  dispose(): void {
    this.#live.dispose();
  }
}

/** A chat started but not yet saved: its greetings, shown, until the person first changes something. */
export interface DraftChat {
  conversation: Conversation;
  messages: Message[];
}

export class Conversations {
  #deps: ConversationsDeps;
  /** New chats not saved yet, by id: "New chat" alone leaves nothing behind in storage. */
  readonly #drafts = new Map<string, DraftChat>();

  constructor(deps: ConversationsDeps) {
    this.#deps = deps;
  }

  /** A live list of one character's conversations; dispose() it when the page goes. */
  watchFor(characterId: string): ConversationList {
    return new ConversationList(this.#deps.repo(), characterId);
  }

  /** Each character's most recently active chat, kept live (the gallery's Continue); dispose() it when the page goes. */
  watchLatest(): LiveValue<Map<string, Conversation>> {
    return new LiveValue(new Map<string, Conversation>()).follow(this.#deps.repo().watchLatestByCharacter());
  }

  list(characterId: string): Promise<Conversation[]> {
    return this.#deps.repo().listForCharacter(characterId);
  }

  get(id: string): Promise<Conversation | undefined> {
    return this.#deps.repo().get(id);
  }

  /**
   * What a new chat opens with: the character's greetings; in a group, the chosen member's (spoken
   * by them), or the group's scenario when no member is chosen to greet.
   */
  #opening(character: Character): { greetings: string[]; speaker?: Pick<Message, 'speakerId' | 'speakerName'> } {
    const own = (c: Character) => [c.firstMessage, ...c.alternateGreetings].filter((g) => g.trim() !== '');
    const group = character.group;
    if (!group) return { greetings: own(character) };
    const scenario = group.scenario?.trim();
    if (!group.greetingFrom && scenario) return { greetings: [scenario] };
    const greeter = this.#deps.character(group.greetingFrom ?? group.members[0] ?? '');
    if (!greeter) return { greetings: scenario ? [scenario] : [] };
    return { greetings: own(greeter), speaker: { speakerId: greeter.id, speakerName: greeter.name } };
  }

  /**
   * Starts a conversation with the greeting (alternate greetings are its swipes), kept here unsaved:
   * the chat session saves it on the first message or change. Returns its id.
   */
  draft(characterId: string): string {
    const draft = this.#build(characterId);
    this.#drafts.set(draft.conversation.id, draft);
    return draft.conversation.id;
  }

  /** The unsaved chat with this id, if there is one. */
  draftOf(id: string): DraftChat | undefined {
    return this.#drafts.get(id);
  }

  #build(characterId: string): DraftChat {
    const { locale } = this.#deps;
    const character = this.#deps.character(characterId);
    if (!character) throw new AppError('unknown', `No character ${characterId}`);
    const now = Date.now();
    const id = crypto.randomUUID();
    const opening = this.#opening(character);
    const messages: Message[] = opening.greetings.map((content, index) => ({
      id: crypto.randomUUID(),
      conversationId: id,
      parentId: null,
      role: 'assistant',
      content,
      revisions: [],
      status: 'done',
      // Later greetings are slightly newer so their order as swipes is stable.
      createdAt: now + index,
      updatedAt: now + index,
      ...opening.speaker,
    }));
    const title = locale.t('chat.conversationWith', { name: character.name });
    const conversation: Conversation = {
      id,
      characterId,
      title: `${title} · ${new Date(now).toLocaleString(locale.lang === 'zh' ? 'zh-CN' : 'en')}`,
      // The character's default persona, when it has one; the chat can switch later.
      ...(character.personaId ? { personaId: character.personaId } : {}),
      leafId: messages[0]?.id ?? null,
      createdAt: now,
      updatedAt: now,
      messageCount: messages.length,
    };
    return { conversation, messages };
  }

  /**
   * Renames a chat whose title was `from` when the rename began; refuses (AppError
   * 'chat-title-conflict' or 'chat-gone') when another tab renamed or deleted it meanwhile.
   */
  async rename(id: string, title: string, from: string): Promise<void> {
    const outcome = await this.#deps.repo().rename(id, title, from);
    if (outcome === 'gone') throw new AppError('chat-gone', `Conversation ${id} was deleted while it was being renamed.`);
    if (outcome === 'changed') {
      const stored = (await this.#deps.repo().get(id))?.title ?? '';
      throw new AppError('chat-title-conflict', `Conversation ${id} was renamed elsewhere while it was being renamed.`, { title, stored });
    }
  }

  /** Every rated reply in a character's chats (every swipe, shown or not), oldest rating first. */
  async ratedReplies(characterId: string): Promise<RatedReply[]> {
    const repo = this.#deps.repo();
    const name = this.#deps.character(characterId)?.name ?? '';
    const chats = await repo.listForCharacter(characterId);
    const perChat = await Promise.all(chats.map(async (chat) => ratedReplies(name, await repo.messages(chat.id))));
    return perChat.flat().sort((a, b) => a.ratedAt - b.ratedAt);
  }

  /**
   * Starts a new conversation with a copy of `conversation`'s history up to `messageId` (the
   * visible line through it), saved at once and listed under its origin. Returns its id.
   * The origin is untouched, and deleting it later leaves the branch.
   */
  async branch(conversation: Conversation, messages: readonly Message[], messageId: string): Promise<string> {
    const path = new MessageTree(messages).path(messageId);
    if (path.at(-1)?.id !== messageId) throw new AppError('unknown', `Message ${messageId} is not shown in conversation ${conversation.id}.`);
    const ids = { conversationId: crypto.randomUUID(), newId: () => crypto.randomUUID(), now: Date.now() };
    const history = copyHistory(path, ids);
    const title = this.#deps.locale.t('chatFiles.branchTitle', { title: conversation.title });
    await this.#deps.repo().create(branchConversation(conversation, messageId, title, history, ids), history);
    return ids.conversationId;
  }

  /** Deletes a conversation (stopping a reply still streaming into it) and offers Undo. */
  async remove(id: string): Promise<void> {
    const { locale, toasts } = this.#deps;
    this.#drafts.delete(id);
    // A reply streaming into this chat would go on writing after it is gone: stop it first.
    await this.#deps.settle(id);
    const repo = this.#deps.repo();
    const conversation = await repo.get(id);
    if (!conversation) return;
    const messages = await repo.messages(id);
    await repo.remove(id);
    this.#deps.closed(id);
    toasts.show(locale.t('character.chatDeleted'), {
      label: locale.t('common.undo'),
      run: () => repo.create(conversation, settledMessages(messages)),
    });
  }
}
