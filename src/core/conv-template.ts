// An MLC model's conversation template (the `conv_template` of its mlc-chat-config.json), rendered
// as web-llm 0.2.86 renders it (Conversation.getPromptArray in lib/index.js), but with the last
// assistant turn left open: the prompt for Continue, which web-llm's chat API refuses (its last
// message must be the user's). The open turn is the reply header web-llm writes before it
// generates (the role and its empty separator, no role template, no end separator), so the model
// sees its unfinished reply exactly where it stopped writing it.
//
// web-llm encodes each turn apart and joins the tokens; every template here has a special token
// at each turn boundary, so encoding the joined text gives the same tokens.

/** Where the conversation's text goes in web-llm's templates (its MessagePlaceholders). */
const SYSTEM_PLACEHOLDER = '{system_message}';
const FUNCTION_PLACEHOLDER = '{function_string}';
/** web-llm's separator where a template names none. */
const DEFAULT_SEP = ': ';

type TemplateRole = 'user' | 'assistant';

/** The fields of web-llm's ConvTemplateConfig that shape a text-only conversation. */
export interface ConvTemplate {
  system_template: string;
  system_message: string;
  roles: Record<TemplateRole, string> & Record<string, string>;
  role_templates?: Partial<Record<string, string>>;
  seps: string[];
  role_content_sep?: string;
  role_empty_sep?: string;
  /** Token ids web-llm puts before the prompt (a BOS); null or absent: none. */
  system_prefix_token_ids?: number[] | null;
  add_role_after_system_message?: boolean;
  render_empty_system_message?: boolean;
}

/** One turn after web-llm's folding: an optional system turn first, then users and assistants. */
export interface TemplateTurn {
  role: 'system' | TemplateRole;
  content: string;
}

export interface OpenReplyOptions {
  /** The text of the template's system_prefix_token_ids (web-llm prefills them as ids; a raw completion gets none). */
  prefix?: string;
  /** What web-llm writes into the reply before the model does (Qwen3 with thinking off: an empty think block). */
  replyOpening?: string;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The conversation template of a parsed mlc-chat-config.json, with the config's `conv_config` and
 * the model record's overrides laid over it as web-llm does; null where it is not one this module
 * renders (an old config that names its template, a malformed one).
 */
export function convTemplateOf(chatConfig: unknown, overrides: Record<string, unknown> = {}): ConvTemplate | null {
  if (!isRecord(chatConfig)) return null;
  const config = { ...chatConfig, ...overrides };
  if (!isRecord(config.conv_template)) return null;
  const merged: Record<string, unknown> = { ...config.conv_template, ...(isRecord(config.conv_config) ? config.conv_config : {}) };
  const { system_template, system_message, roles, seps, role_templates, role_content_sep, role_empty_sep, system_prefix_token_ids } = merged;
  if (!isString(system_template) || !isString(system_message)) return null;
  if (!isRecord(roles) || !isString(roles.user) || !isString(roles.assistant)) return null;
  if (!Array.isArray(seps) || seps.length === 0 || !seps.every(isString)) return null;
  if (role_templates != null && (!isRecord(role_templates) || !Object.values(role_templates).every((t) => t == null || isString(t)))) return null;
  if ((role_content_sep != null && !isString(role_content_sep)) || (role_empty_sep != null && !isString(role_empty_sep))) return null;
  if (system_prefix_token_ids != null && !(Array.isArray(system_prefix_token_ids) && system_prefix_token_ids.every(Number.isInteger))) return null;
  const template: ConvTemplate = {
    system_template,
    system_message,
    roles: roles as ConvTemplate['roles'],
    seps: seps as string[],
  };
  if (role_templates != null) template.role_templates = role_templates as ConvTemplate['role_templates'];
  if (role_content_sep != null) template.role_content_sep = role_content_sep;
  if (role_empty_sep != null) template.role_empty_sep = role_empty_sep;
  if (system_prefix_token_ids != null) template.system_prefix_token_ids = system_prefix_token_ids as number[];
  if (typeof merged.add_role_after_system_message === 'boolean') template.add_role_after_system_message = merged.add_role_after_system_message;
  if (typeof merged.render_empty_system_message === 'boolean') template.render_empty_system_message = merged.render_empty_system_message;
  return template;
}

/**
 * The whole prompt for continuing the last turn, an assistant's: the turns before it closed as
 * web-llm renders them, then that turn opened and its text so far, to be completed as raw text.
 * A first system turn stands in for the template's default system message, as in web-llm.
 */
export function renderOpenReply(template: ConvTemplate, turns: readonly TemplateTurn[], options: OpenReplyOptions = {}): string {
  const last = turns.at(-1);
  if (last?.role !== 'assistant') throw new Error('The last turn to continue must be the assistant’s');
  const hasSystem = turns[0]?.role === 'system';
  const history = turns.slice(hasSystem ? 1 : 0, -1);
  if (history.some((turn) => turn.role === 'system')) throw new Error('Only the first turn may be a system turn');

  const systemMessage = hasSystem ? turns[0]!.content : template.system_message;
  // The same String.replace web-llm calls, so a "$&" in the text turns out as it does there.
  const systemPrompt = systemMessage === '' && template.render_empty_system_message === false
    ? ''
    : template.system_template.replace(SYSTEM_PLACEHOLDER, systemMessage);
  const contentSep = template.role_content_sep ?? DEFAULT_SEP;
  const emptySep = template.role_empty_sep ?? DEFAULT_SEP;

  let prompt = (options.prefix ?? '') + systemPrompt;
  history.forEach((turn, i) => {
    const role = turn.role as TemplateRole;
    const roleTemplate = template.role_templates?.[role];
    const message = roleTemplate == null
      ? turn.content
      : roleTemplate.replace(`{${role}_message}`, turn.content).replace(FUNCTION_PLACEHOLDER, '');
    const rolePrefix = template.add_role_after_system_message === false && systemPrompt !== '' && i === 0
      ? ''
      : template.roles[role] + contentSep;
    prompt += rolePrefix + message + template.seps[i % template.seps.length];
  });
  // web-llm's reply header: with an opening written for the model it joins with the content
  // separator, otherwise with the empty one.
  const opening = options.replyOpening ?? '';
  prompt += template.roles.assistant + (opening === '' ? emptySep : contentSep + opening);
  return prompt + last.content;
}
