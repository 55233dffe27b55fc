// The request that turns a reply into the person's own next line (Impersonate): the usual role
// prompt for the visible chat, with this as the newest user turn. The wording is the model's, not UI
// text, so it follows the character's language like the rest of the role prompt.

import type { Lang } from './types';

const INSTRUCTION: Readonly<Record<Lang, string>> = {
  en:
    "[Pause the role-play. Write {{user}}'s next message in this chat, as {{user}} would write it: in {{user}}'s voice " +
    "and persona, answering what {{char}} just said. Write only {{user}}'s message itself, with no name before it, " +
    "no notes and nothing from {{char}}.]",
  zh:
    '[暂停角色扮演。请以{{user}}的口吻和人设，写出{{user}}在这段对话中的下一条消息，回应{{char}}刚才说的话。' +
    '只写{{user}}的消息本身，前面不要加名字，不要附加说明，也不要写{{char}}的话。]',
};

/** The request for the person's next line, with their and the character's names. */
export function impersonationRequest(names: { user: string; char: string }, lang: Lang): string {
  return INSTRUCTION[lang].replaceAll('{{user}}', names.user).replaceAll('{{char}}', names.char);
}

/**
 * The model's draft as the person's message: without a leading "Name:" it may still write, and
 * trimmed. Empty when the model wrote nothing usable.
 */
export function cleanImpersonation(text: string, user: string): string {
  let line = text.trim();
  const prefix = `${user}:`;
  if (user && line.startsWith(prefix)) line = line.slice(prefix.length).trim();
  else if (user && line.startsWith(`${user}：`)) line = line.slice(user.length + 1).trim();
  return line;
}
