// Chat files: one conversation out as SillyTavern JSONL, Markdown or plain text, and SillyTavern
// chats in, matched to a character by name (the person picks when no name or several match), each
// file with its own result, as card imports have.

import { chatRowsFromSillyTavern, MAX_CHAT_FILE_BYTES, parseSillyTavernChat, toSillyTavernJsonl, type ChatLineProblem, type SillyTavernChat } from '../core/chat-files/sillytavern';
import { toTranscript } from '../core/chat-files/transcript';
import { AppError, toAppError } from '../core/errors';
import { SHORT_FIELD_CAP } from '../core/import/field-caps';
import type { Character } from '../core/types';
import type { ConversationRepository } from '../storage';
import { safeFileBase } from './character-export';
import { emptyFields } from './character-editor.svelte';

export const CHAT_FILE_FORMATS = ['jsonl', 'markdown', 'text'] as const;
export type ChatFileFormat = (typeof CHAT_FILE_FORMATS)[number];

const FILE_TYPES: Record<ChatFileFormat, { extension: string; mime: string }> = {
  jsonl: { extension: '.jsonl', mime: 'application/jsonl' },
  markdown: { extension: '.md', mime: 'text/markdown' },
  text: { extension: '.txt', mime: 'text/plain' },
};

export interface ChatFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

/** A file as the import reads it (a browser File has these). */
export interface ChatFileSource {
  name: string;
  size: number;
  text(): Promise<string>;
}

export type ChatImportResult =
  | {
      status: 'imported';
      file: string;
      conversationId: string;
      characterName: string;
      count: number;
      skipped: { line: number; problem: ChatLineProblem }[];
      warnings: string[];
    }
  /** Waiting for the person to say which character the chat is with. */
  | { status: 'choose'; file: string; name: string; reason: 'none' | 'several'; candidates: Character[]; chat: SillyTavernChat }
  /** A group chat some of whose speakers are not characters here (`missing`), so it has no group to go to. */
  | { status: 'group'; file: string; missing: string[] }
  | { status: 'empty'; file: string }
  | { status: 'too-large'; file: string; size: number }
  | { status: 'failed'; file: string; error: AppError };

export interface ChatFilesDeps {
  repo: () => ConversationRepository;
  characters: () => Character[];
  character: (id: string) => Character | undefined;
  /** The name the person goes by in exported chats. */
  userName: () => string;
  /** Stores a group made for an imported group chat. */
  createGroup: (group: Character) => Promise<void>;
}

const foldName = (name: string) => name.normalize('NFKC').trim().toLocaleLowerCase();

export class ChatFiles {
  /** The last import's results, one per file, in the order given. */
  results = $state.raw<ChatImportResult[]>([]);
  busy = $state(false);
  #deps: ChatFilesDeps;

  constructor(deps: ChatFilesDeps) {
    this.#deps = deps;
  }

  /** One conversation as a file of `format`, named after its title. */
  async exportChat(conversationId: string, format: ChatFileFormat): Promise<ChatFile> {
    const repo = this.#deps.repo();
    const conversation = await repo.get(conversationId);
    if (!conversation) throw new AppError('chat-gone', `Conversation ${conversationId} is gone.`);
    const messages = await repo.messages(conversationId);
    const character = this.#deps.character(conversation.characterId);
    const names = { userName: this.#deps.userName(), characterName: character?.name ?? '', group: character?.group !== undefined };
    const text = format === 'jsonl' ? toSillyTavernJsonl(conversation, messages, names) : toTranscript(format, conversation, messages, names);
    const { extension, mime } = FILE_TYPES[format];
    return { name: `${safeFileBase(conversation.title, 'chat')}${extension}`, mime, bytes: new TextEncoder().encode(text) };
  }

  /** Reads each file and imports the chats whose character is clear; the others wait in `results` for choose(). */
  async importFiles(files: readonly ChatFileSource[]): Promise<ChatImportResult[]> {
    this.busy = true;
    try {
      const results: ChatImportResult[] = [];
      for (const file of files) results.push(await this.#importFile(file));
      this.results = results;
      return results;
    } finally {
      this.busy = false;
    }
  }

  /** Imports a waiting chat (result `index`) into the character the person picked. */
  async choose(index: number, characterId: string): Promise<void> {
    const waiting = this.results[index];
    const character = this.#deps.character(characterId);
    if (waiting?.status !== 'choose' || !character) return;
    this.busy = true;
    try {
      const result = await this.#save(waiting.file, waiting.chat, character);
      this.results = this.results.map((r, i) => (i === index ? result : r));
    } finally {
      this.busy = false;
    }
  }

  dismiss(): void {
    this.results = [];
  }

  async #importFile(file: ChatFileSource): Promise<ChatImportResult> {
    if (file.size > MAX_CHAT_FILE_BYTES) return { status: 'too-large', file: file.name, size: file.size };
    let chat: SillyTavernChat;
    try {
      chat = parseSillyTavernChat(await file.text());
    } catch (error) {
      return { status: 'failed', file: file.name, error: toAppError(error, 'unknown') };
    }
    if (chat.messages.length === 0) return { status: 'empty', file: file.name };
    if (chat.group) return this.#importGroup(file.name, chat);
    const name = chat.characterName ?? chat.speakers[0] ?? '';
    const all = this.#deps.characters();
    const matches = name ? all.filter((character) => foldName(character.name) === foldName(name)) : [];
    if (matches.length === 1) return this.#save(file.name, chat, matches[0]);
    return { status: 'choose', file: file.name, name, reason: matches.length === 0 ? 'none' : 'several', candidates: matches.length === 0 ? all : matches, chat };
  }

  /**
   * A SillyTavern group chat goes to the group of exactly its speakers (made when there is none),
   * when every speaker is one character here; otherwise it is refused, naming who is missing.
   */
  async #importGroup(file: string, chat: SillyTavernChat): Promise<ChatImportResult> {
    const characters = this.#deps.characters().filter((c) => !c.group);
    const members = new Map<string, Character>();
    const missing: string[] = [];
    for (const name of chat.speakers) {
      const matches = characters.filter((c) => foldName(c.name) === foldName(name));
      if (matches.length === 1) members.set(name, matches[0]);
      else missing.push(name);
    }
    if (missing.length > 0 || members.size === 0) return { status: 'group', file, missing };
    const ids = [...members.values()].map((m) => m.id);
    const same = (group: Character) => group.group!.members.length === ids.length && ids.every((id) => group.group!.members.includes(id));
    let group = this.#deps.characters().find((c) => c.group && same(c));
    if (!group) {
      const now = Date.now();
      group = {
        ...emptyFields('en'),
        name: [...members.values()].map((m) => m.name).join(', ').slice(0, SHORT_FIELD_CAP),
        language: [...members.values()][0].language,
        id: crypto.randomUUID(), origin: 'import', extensions: {}, createdAt: now, updatedAt: now,
        group: { members: ids, mode: 'natural', greetingFrom: ids[0] },
      };
      try {
        await this.#deps.createGroup(group);
      } catch (error) {
        return { status: 'failed', file, error: toAppError(error, 'unknown') };
      }
    }
    const byLineName = new Map([...members].map(([name, member]) => [name, { id: member.id, name: member.name }]));
    return this.#save(file, chat, group, byLineName);
  }

  /** One transaction: the chat is there whole, or (on failure) not at all. */
  async #save(file: string, chat: SillyTavernChat, character: Character, members?: ReadonlyMap<string, { id: string; name: string }>): Promise<ChatImportResult> {
    const conversationId = crypto.randomUUID();
    const title = file.replace(/\.jsonl$/i, '').slice(0, SHORT_FIELD_CAP) || character.name;
    const { conversation, messages } = chatRowsFromSillyTavern(chat, {
      conversationId,
      characterId: character.id,
      title,
      newId: () => crypto.randomUUID(),
      now: Date.now(),
      ...(members ? { members } : {}),
    });
    try {
      await this.#deps.repo().create(conversation, messages);
    } catch (error) {
      return { status: 'failed', file, error: toAppError(error, 'unknown') };
    }
    return { status: 'imported', file, conversationId, characterName: character.name, count: messages.length, skipped: chat.problems, warnings: chat.warnings };
  }
}
