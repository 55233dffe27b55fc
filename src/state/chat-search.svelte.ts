// Search in chats: every conversation (or one character's) read a page of messages at a time, the
// page handed back to the browser between reads so a search through a huge chat never freezes the
// tab, and stoppable at any point (a new search stops the one before it).

import { findInText, foldQuery, type Snippet } from '../core/chat-search';
import type { Character, Conversation, MessageRole } from '../core/types';
import type { ConversationRepository } from '../storage';

/** Messages read between two breaks for the browser. */
export const SEARCH_PAGE = 400;
/** Matches shown at most: past this the person narrows the search. */
export const MAX_SEARCH_HITS = 200;

export interface ChatSearchHit {
  conversationId: string;
  conversationTitle: string;
  characterId: string;
  characterName: string;
  messageId: string;
  role: MessageRole;
  snippet: Snippet;
}

export interface ChatSearchDeps {
  repo: () => ConversationRepository;
  character: (id: string) => Character | undefined;
  /** A break for the browser (to draw, take input) between pages; a macrotask by default. */
  pause?: () => Promise<void>;
}

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class ChatSearch {
  hits = $state.raw<ChatSearchHit[]>([]);
  status = $state<'idle' | 'searching' | 'done' | 'stopped'>('idle');
  /** Messages read so far by the current (or last) search. */
  read = $state(0);
  /** More matched than MAX_SEARCH_HITS; the search stopped there. */
  capped = $state(false);
  /** The query of the current (or last) search, as typed. */
  query = $state('');
  #deps: ChatSearchDeps;
  #abort: AbortController | null = null;

  constructor(deps: ChatSearchDeps) {
    this.#deps = deps;
  }

  /** Searches every chat, or `characterId`'s only; stops a search still running first. */
  async run(query: string, characterId: string | null = null): Promise<void> {
    this.stop();
    const folded = foldQuery(query);
    this.query = query;
    this.hits = [];
    this.read = 0;
    this.capped = false;
    if (folded === '') {
      this.status = 'idle';
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.status = 'searching';
    const repo = this.#deps.repo();
    const pause = this.#deps.pause ?? macrotask;
    const conversations = characterId === null ? await repo.listAll() : await repo.listForCharacter(characterId);
    for (const conversation of conversations) {
      if (!(await this.#searchConversation(conversation, folded, abort.signal, pause))) break;
    }
    if (abort.signal.aborted) return;
    this.#abort = null;
    this.status = 'done';
  }

  /** Stops the running search; what it found so far stays. */
  stop(): void {
    if (!this.#abort) return;
    this.#abort.abort();
    this.#abort = null;
    this.status = 'stopped';
  }

  /** False when the search should end (stopped, or enough found). */
  async #searchConversation(conversation: Conversation, folded: string, signal: AbortSignal, pause: () => Promise<void>): Promise<boolean> {
    const repo = this.#deps.repo();
    const characterName = this.#deps.character(conversation.characterId)?.name ?? '';
    const ids = await repo.messageIds(conversation.id);
    for (let offset = 0; offset < ids.length; offset += SEARCH_PAGE) {
      if (offset > 0) {
        await pause();
        if (signal.aborted) return false;
      }
      const page = await repo.messagesById(ids.slice(offset, offset + SEARCH_PAGE));
      if (signal.aborted) return false;
      const found: ChatSearchHit[] = [];
      for (const message of page) {
        if (message.deletedAt !== undefined && message.deletedAt !== null) continue;
        const snippet = findInText(message.content, folded);
        if (!snippet) continue;
        found.push({
          conversationId: conversation.id,
          conversationTitle: conversation.title,
          characterId: conversation.characterId,
          characterName,
          messageId: message.id,
          role: message.role,
          snippet,
        });
      }
      this.read += page.length;
      if (found.length > 0) {
        const room = MAX_SEARCH_HITS - this.hits.length;
        this.hits = [...this.hits, ...found.slice(0, room)];
        if (found.length > room) {
          this.capped = true;
          return false;
        }
      }
    }
    return !signal.aborted;
  }
}
