// Rated replies (Character.AI's stars): the list an evaluation reads, and the CSV a person downloads.

import type { Message, Rating } from './types';

/** One rated reply: what the person said (the line it answers), what the character replied, the stars. */
export interface RatedReply {
  character: string;
  conversationId: string;
  messageId: string;
  /** The person's message the reply answers; empty for a greeting. */
  prompt: string;
  reply: string;
  stars: Rating;
  ratedAt: number;
}

/**
 * Every rated, not deleted assistant reply of one chat (every swipe, shown or not), oldest first.
 * `messages` are the chat's rows as stored.
 */
export function ratedReplies(character: string, messages: readonly Message[]): RatedReply[] {
  const byId = new Map(messages.map((message) => [message.id, message]));
  const rows: RatedReply[] = [];
  for (const message of messages) {
    if (message.role !== 'assistant' || message.rating === undefined || message.deletedAt !== undefined) continue;
    const parent = message.parentId === null ? undefined : byId.get(message.parentId);
    rows.push({
      character,
      conversationId: message.conversationId,
      messageId: message.id,
      prompt: parent?.role === 'user' ? parent.content : '',
      reply: message.content,
      stars: message.rating,
      ratedAt: message.updatedAt,
    });
  }
  return rows.sort((a, b) => a.ratedAt - b.ratedAt);
}

const CSV_HEADER = ['character', 'prompt', 'reply', 'stars'] as const;

/**
 * A cell as spreadsheets read it: quoted when it holds a quote, comma or line break; text that a
 * spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe, since replies are
 * model output and cards come from strangers.
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV (RFC 4180, CRLF line ends), with a header line. */
export function ratingsCsv(rows: readonly RatedReply[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const row of rows) lines.push([row.character, row.prompt, row.reply, row.stars].map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** True when stars this low should offer another version of the reply. */
export function offersAnotherTry(rating: Rating | undefined): boolean {
  return rating !== undefined && rating <= 2;
}
