// A conversation's visible branch as a transcript to read or share: Markdown or plain text.

import { MessageTree } from '../message-tree';
import type { Conversation, Message } from '../types';
import { shownLeaf, type ChatNames } from './sillytavern';

export type TranscriptFormat = 'markdown' | 'text';

/** The messages the person sees in the chat, oldest first. */
export function visibleBranch(conversation: Conversation, messages: readonly Message[]): Message[] {
  const tree = new MessageTree(messages);
  return tree.path(shownLeaf(tree, conversation));
}

/** Markdown metacharacters at the start of a speaker's name would turn the label into markup. */
function markdownName(name: string): string {
  return name.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`);
}

/**
 * Markdown: the title as a heading, then each message as a bold speaker line and its text as
 * written (role-play markup like *actions* is Markdown already). Plain text: "Name: text" blocks.
 */
export function toTranscript(format: TranscriptFormat, conversation: Conversation, messages: readonly Message[], names: ChatNames): string {
  const speaker = (message: Message) =>
    message.role === 'user' ? names.userName : message.role === 'system' ? 'System' : (names.group && message.speakerName) || names.characterName;
  const branch = visibleBranch(conversation, messages);
  if (format === 'text') {
    return [conversation.title, '', ...branch.map((message) => `${speaker(message)}: ${message.content}\n`)].join('\n');
  }
  const blocks = branch.map((message) => `**${markdownName(speaker(message))}:**\n\n${message.content}`);
  return `# ${markdownName(conversation.title)}\n\n${blocks.join('\n\n---\n\n')}\n`;
}
