// SillyTavern chat files (JSONL) in and out. SillyTavern saves a chat as one JSON object per line:
// first a header {user_name, character_name, create_date, chat_metadata}, then one message per line
// {name, is_user, is_system, send_date, mes, swipes?, swipe_id?, extra?}. A group chat's header has
// no character_name (often only chat_metadata, or no header at all) and its messages come from
// several characters.
//
// Swipes are the app's swipes too: the alternatives of a message are its siblings in the message
// tree (see message-tree.ts), so a swiped-away reply exported from here comes back as a swipe.
//
// The file is untrusted: every text is capped (field-caps.ts sizes), lists and line counts are
// bounded, and a line that is not a message is reported with its number and skipped, never fatal.

import { jsonTooDeep } from '../cards/json-depth';
import { LONG_FIELD_CAP, SHORT_FIELD_CAP } from '../import/field-caps';
import { MessageTree } from '../message-tree';
import { MAX_LONG_LIST } from '../row-schemas';
import { nextCut } from '../text-chunks';
import type { Conversation, Message, MessageRole } from '../types';

/** The largest chat file read: SillyTavern chats of years of role-play stay far below. */
export const MAX_CHAT_FILE_BYTES = 64 * 1024 * 1024;
/** Swipes kept per message: each becomes a stored message. */
export const MAX_SWIPES = 1_000;
/** Messages (swipes included) one chat may bring: what a backup may hold in one list. */
export const MAX_CHAT_MESSAGES = MAX_LONG_LIST;

export type ChatLineProblem = 'not-json' | 'not-a-message' | 'too-deep' | 'too-many';

/** One message line as read: the texts of its swipes and which one is shown. */
export interface SillyTavernMessage {
  line: number;
  name: string;
  role: MessageRole;
  /** When it was sent (ms since 1970), if the line said so in a form that could be read. */
  sentAt?: number;
  /** Every swipe (at least one: the message itself). */
  swipes: string[];
  /** Index of the shown swipe in `swipes`. */
  chosen: number;
  model?: string;
}

export interface SillyTavernChat {
  userName?: string;
  characterName?: string;
  createdAt?: number;
  messages: SillyTavernMessage[];
  /** Lines skipped, by line number (1-based), with why. */
  problems: { line: number; problem: ChatLineProblem }[];
  /** Texts cut to their caps, in words. */
  warnings: string[];
  /** Names of the characters who speak (not the person), in order of first appearance. */
  speakers: string[];
  /** A group chat: no character named in the header and several characters speaking, or a group header. */
  group: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Cut `value` to `cap` characters at a break near it; `warn` hears about a cut. */
function capped(value: string, cap: number, warn: (length: number, kept: number) => void): string {
  if (value.length <= cap) return value;
  const kept = nextCut(value, 0, cap);
  warn(value.length, kept);
  return value.slice(0, kept);
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/**
 * A SillyTavern date as ms since 1970: epoch numbers (ms, or seconds from old exports), ISO text,
 * its "2024-01-15@14h30m22s" file-name form and its "January 15, 2024 2:30pm" display form, read
 * as local time as SillyTavern writes them. Undefined when it cannot be read.
 */
export function parseSillyTavernDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? (value < 1e11 ? value * 1000 : value) : undefined;
  if (typeof value !== 'string' || value.length > 100) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return parseSillyTavernDate(Number(trimmed));
  const fileForm = /^(\d{4})-(\d{1,2})-(\d{1,2})\s*@(\d{1,2})h\s*(\d{1,2})m\s*(\d{1,2})s(?:\s*(\d{1,3})ms)?$/.exec(trimmed);
  if (fileForm) {
    const [, y, mo, d, h, mi, s, ms] = fileForm.map(Number);
    return checked(new Date(y, mo - 1, d, h, mi, s, Number.isNaN(ms) ? 0 : ms).getTime());
  }
  const displayForm = /^([a-z]+)\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}):(\d{2})\s*(am|pm)$/i.exec(trimmed);
  if (displayForm) {
    const month = MONTHS.indexOf(displayForm[1].toLowerCase());
    if (month < 0) return undefined;
    const hour = (Number(displayForm[4]) % 12) + (displayForm[6].toLowerCase() === 'pm' ? 12 : 0);
    return checked(new Date(Number(displayForm[3]), month, Number(displayForm[2]), hour, Number(displayForm[5])).getTime());
  }
  return checked(Date.parse(trimmed));
}

const checked = (ms: number): number | undefined => (Number.isFinite(ms) && ms > 0 ? ms : undefined);

/** Reads a SillyTavern JSONL chat. Never throws: what cannot be read is in `problems`. */
export function parseSillyTavernChat(source: string): SillyTavernChat {
  const chat: SillyTavernChat = { messages: [], problems: [], warnings: [], speakers: [], group: false };
  let headerSeen = false;
  let groupHeader = false;
  let total = 0;
  const lines = source.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index].trim();
    if (raw === '') continue;
    const line = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      chat.problems.push({ line, problem: 'not-json' });
      continue;
    }
    if (jsonTooDeep(value, 64)) {
      chat.problems.push({ line, problem: 'too-deep' });
      continue;
    }
    if (!isRecord(value)) {
      chat.problems.push({ line, problem: 'not-a-message' });
      continue;
    }
    if (!headerSeen && typeof value.mes !== 'string') {
      // The header: the first object that is not a message.
      headerSeen = true;
      const name = (field: unknown) => {
        const found = text(field)?.trim();
        return found ? capped(found, SHORT_FIELD_CAP, () => chat.warnings.push(`A name on line ${line} was cut to ${SHORT_FIELD_CAP} characters.`)) : undefined;
      };
      chat.userName = name(value.user_name);
      chat.characterName = name(value.character_name);
      chat.createdAt = parseSillyTavernDate(value.create_date);
      groupHeader = chat.characterName === undefined && isRecord(value.chat_metadata);
      continue;
    }
    headerSeen = true;
    const message = readMessage(value, line, chat.warnings);
    if (!message) {
      chat.problems.push({ line, problem: 'not-a-message' });
      continue;
    }
    if (total + message.swipes.length > MAX_CHAT_MESSAGES) {
      chat.problems.push({ line, problem: 'too-many' });
      continue;
    }
    total += message.swipes.length;
    chat.messages.push(message);
    if (message.role === 'assistant' && message.name !== '' && !chat.speakers.includes(message.name)) chat.speakers.push(message.name);
  }
  chat.group = chat.characterName === undefined && (groupHeader || chat.speakers.length > 1);
  return chat;
}

function readMessage(value: Record<string, unknown>, line: number, warnings: string[]): SillyTavernMessage | undefined {
  const shown = text(value.mes);
  if (shown === undefined) return undefined;
  const cut = (what: string) => (length: number, kept: number) =>
    warnings.push(`Line ${line}: ${what} is ${length.toLocaleString('en-US')} characters long; the first ${kept.toLocaleString('en-US')} are kept.`);
  const role: MessageRole = value.is_user === true ? 'user' : value.is_system === true ? 'system' : 'assistant';
  const rawSwipes = Array.isArray(value.swipes) ? value.swipes : [];
  let swipes = rawSwipes.every((swipe) => typeof swipe === 'string') ? (rawSwipes as string[]) : [];
  if (swipes.length > MAX_SWIPES) {
    warnings.push(`Line ${line}: the message has ${swipes.length.toLocaleString('en-US')} swipes; the first ${MAX_SWIPES.toLocaleString('en-US')} are kept.`);
    swipes = swipes.slice(0, MAX_SWIPES);
  }
  const swipeId = typeof value.swipe_id === 'number' && Number.isInteger(value.swipe_id) ? value.swipe_id : 0;
  const chosen = swipes.length > 0 ? Math.min(Math.max(0, swipeId), swipes.length - 1) : 0;
  if (swipes.length === 0) swipes = [shown];
  // `mes` is what SillyTavern shows (an edit may not have reached the swipe list): it wins.
  else swipes = swipes.map((swipe, i) => (i === chosen ? shown : swipe));
  const extra = isRecord(value.extra) ? value.extra : {};
  const model = text(extra.model);
  return {
    line,
    name: capped(text(value.name) ?? '', SHORT_FIELD_CAP, cut('the name')),
    role,
    sentAt: parseSillyTavernDate(value.send_date),
    swipes: swipes.map((swipe, i) => capped(swipe, LONG_FIELD_CAP, cut(swipes.length > 1 ? `swipe ${i + 1}` : 'the message'))),
    chosen,
    ...(model ? { model: capped(model, SHORT_FIELD_CAP, cut('the model name')) } : {}),
  };
}

export interface ChatRows {
  conversation: Conversation;
  messages: Message[];
}

export interface ChatRowIds {
  conversationId: string;
  characterId: string;
  title: string;
  newId: () => string;
  /** Import time: the fallback for messages that carry no date. */
  now: number;
  /**
   * A group chat: its members by the name their lines carry. Each reply keeps its speaker's name
   * (and id, when the name is a member's), so it shows under who wrote it.
   */
  members?: ReadonlyMap<string, { id: string; name: string }>;
}

/**
 * The conversation and messages for a read chat: each message the child of the shown swipe before
 * it, swipes siblings, the visible branch ending at the last shown message. A message without a
 * date is placed just after the one before it, so the order is the file's.
 */
export function chatRowsFromSillyTavern(chat: SillyTavernChat, ids: ChatRowIds): ChatRows {
  const messages: Message[] = [];
  let parentId: string | null = null;
  let previous = chat.createdAt ?? ids.now;
  for (const line of chat.messages) {
    const at = line.sentAt ?? previous + 1;
    previous = at;
    let shownId: string | null = null;
    line.swipes.forEach((content, i) => {
      const id = ids.newId();
      if (i === line.chosen) shownId = id;
      // Swipes are ordered by time; the shown one keeps the file's date exactly.
      const createdAt = at + (i - line.chosen);
      messages.push({
        id,
        conversationId: ids.conversationId,
        parentId,
        role: line.role,
        content,
        revisions: [],
        status: 'done',
        createdAt,
        updatedAt: createdAt,
        ...(line.model ? { model: line.model } : {}),
        ...(ids.members && line.role === 'assistant' ? speakerOf(line.name, ids.members) : {}),
      });
    });
    parentId = shownId;
  }
  const conversation: Conversation = {
    id: ids.conversationId,
    characterId: ids.characterId,
    title: ids.title,
    leafId: parentId,
    createdAt: chat.createdAt ?? messages[0]?.createdAt ?? ids.now,
    updatedAt: Math.max(ids.now, previous),
    messageCount: messages.length,
  };
  return { conversation, messages };
}

function speakerOf(name: string, members: ReadonlyMap<string, { id: string; name: string }>): Pick<Message, 'speakerId' | 'speakerName'> {
  const member = members.get(name);
  return member ? { speakerId: member.id, speakerName: member.name } : { speakerName: name };
}

/** "2024-01-15@14h30m22s", SillyTavern's own create_date form (local time). */
function fileDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}@${two(d.getHours())}h${two(d.getMinutes())}m${two(d.getSeconds())}s`;
}

/** Where the chat is shown to end: its leaf, or (none stored, or deleted) where the person last was. */
export function shownLeaf(tree: MessageTree, conversation: Conversation): string | null {
  return conversation.leafId && tree.isVisible(conversation.leafId) ? conversation.leafId : tree.defaultLeaf();
}

export interface ChatNames {
  userName: string;
  characterName: string;
  /** A group chat: the header names no character (as SillyTavern's group chats), each reply its speaker. */
  group?: boolean;
}

/**
 * The visible branch of a conversation as a SillyTavern JSONL chat, each reply's other swipes
 * with it. Dates are ISO text (SillyTavern reads it), so they come back to the millisecond.
 */
export function toSillyTavernJsonl(conversation: Conversation, messages: readonly Message[], names: ChatNames): string {
  const tree = new MessageTree(messages);
  const leaf = shownLeaf(tree, conversation);
  const header = names.group
    ? { user_name: names.userName, create_date: fileDate(conversation.createdAt), chat_metadata: {} }
    : { user_name: names.userName, character_name: names.characterName, create_date: fileDate(conversation.createdAt), chat_metadata: {} };
  const lines: unknown[] = [header];
  for (const message of tree.path(leaf)) {
    const siblings = message.role === 'assistant' ? tree.siblings(message.id) : [];
    lines.push({
      name: message.role === 'user' ? names.userName : (names.group && message.speakerName) || names.characterName,
      is_user: message.role === 'user',
      is_system: message.role === 'system',
      send_date: new Date(message.createdAt).toISOString(),
      mes: message.content,
      ...(siblings.length > 1 ? { swipes: siblings.map((m) => m.content), swipe_id: siblings.indexOf(message) } : {}),
      extra: message.model ? { model: message.model } : {},
    });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
}
