// The prompt for Continue on web-llm: the chat rendered from the model's own conv_template with the
// reply left open. Expected strings are written by hand from each catalog family's template, and
// checked against web-llm 0.2.86's own Conversation (the prompt it prefills before writing a reply).

import { MLCEngine, type ChatCompletionMessageParam } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { convTemplateOf, renderOpenReply, type TemplateTurn } from '../../../src/core/conv-template';
import { CONV_TEMPLATES, mlcChatConfig, type ConvTemplateName } from '../helpers/mlc-chat-configs';

const template = (name: ConvTemplateName) => convTemplateOf(mlcChatConfig(name))!;

/** A chat whose last reply stopped at "The door is". */
const CHAT: TemplateTurn[] = [
  { role: 'system', content: 'You are Mira.' },
  { role: 'user', content: 'Is the lamp lit?' },
  { role: 'assistant', content: 'Aye.' },
  { role: 'user', content: 'And the door?' },
  { role: 'assistant', content: 'The door is' },
];
const THINKING_OFF = '<think>\n\n</think>\n\n';

/** The conversation web-llm builds for a chat request (its private Conversation), through the engine's own code. */
function webLlmConversation(config: object, messages: ChatCompletionMessageParam[]) {
  let conversation: {
    appendMessage(role: string, content: string): void;
    appendReplyHeader(role: string): void;
    appendEmptyThinkingReplyHeader(role: string, block: string): void;
    getPromptArray(): string[];
  } | undefined;
  const pipeline = {
    getConversationObject: () => undefined,
    // A reply that ended by a stop is never reused: web-llm builds the conversation afresh.
    getFinishReason: () => 'abort',
    resetChat: () => {},
    setConversation: (built: typeof conversation) => (conversation = built),
  };
  const engine = MLCEngine.prototype as unknown as { preparePrefillInput(input: object, pipeline: object, config: object): { inputStr: string } };
  const { inputStr } = engine.preparePrefillInput({ messages }, pipeline, config);
  // What the pipeline's prefill does next: the person's message, then the reply header.
  conversation!.appendMessage('user', inputStr);
  return conversation!;
}

/** What web-llm prefilled (after its prefix token ids) before writing the last reply of CHAT, plus that reply so far. */
function webLlmReplyPrompt(name: ConvTemplateName, turns: TemplateTurn[], opening?: string): string {
  const conversation = webLlmConversation(mlcChatConfig(name), turns.slice(0, -1) as ChatCompletionMessageParam[]);
  if (opening) conversation.appendEmptyThinkingReplyHeader('assistant', opening);
  else conversation.appendReplyHeader('assistant');
  return conversation.getPromptArray().join('') + turns.at(-1)!.content;
}

describe('renderOpenReply: each catalog family, written out by hand', () => {
  it('Qwen2.5 (qwen2): ChatML turns, the reply opened after "<|im_start|>assistant\\n"', () => {
    expect(renderOpenReply(template('qwen2'), CHAT)).toBe(
      '<|im_start|>system\nYou are Mira.<|im_end|>\n' +
        '<|im_start|>user\nIs the lamp lit?<|im_end|>\n' +
        '<|im_start|>assistant\nAye.<|im_end|>\n' +
        '<|im_start|>user\nAnd the door?<|im_end|>\n' +
        '<|im_start|>assistant\nThe door is',
    );
  });

  it('Qwen3 with thinking off: the empty think block web-llm wrote comes before the reply', () => {
    expect(renderOpenReply(template('qwen3'), CHAT, { replyOpening: THINKING_OFF })).toBe(
      '<|im_start|>system\nYou are Mira.<|im_end|>\n' +
        '<|im_start|>user\nIs the lamp lit?<|im_end|>\n' +
        '<|im_start|>assistant\nAye.<|im_end|>\n' +
        '<|im_start|>user\nAnd the door?<|im_end|>\n' +
        '<|im_start|>assistant\n<think>\n\n</think>\n\nThe door is',
    );
  });

  it('Llama 3.2 (llama-3_1): header turns, <|begin_of_text|> first as the prefix', () => {
    expect(renderOpenReply(template('llama-3_1'), CHAT, { prefix: '<|begin_of_text|>' })).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are Mira.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nIs the lamp lit?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nAye.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nAnd the door?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nThe door is',
    );
  });

  it('SmolLM2 (chatml) and Hermes 3 (hermes3_llama-3_1): ChatML turns', () => {
    const expected =
      '<|im_start|>system\nYou are Mira.<|im_end|>\n' +
      '<|im_start|>user\nIs the lamp lit?<|im_end|>\n' +
      '<|im_start|>assistant\nAye.<|im_end|>\n' +
      '<|im_start|>user\nAnd the door?<|im_end|>\n' +
      '<|im_start|>assistant\nThe door is';
    expect(renderOpenReply(template('chatml'), CHAT)).toBe(expected);
    expect(renderOpenReply(template('hermes3_llama-3_1'), CHAT)).toBe(expected);
  });

  it('Gemma 2 (gemma_instruction): the system text follows <bos>, turns are "user" and "model"', () => {
    expect(renderOpenReply(template('gemma_instruction'), CHAT, { prefix: '<bos>' })).toBe(
      '<bos><bos>You are Mira.' +
        '<start_of_turn>user\nIs the lamp lit?<end_of_turn>\n' +
        '<start_of_turn>model\nAye.<end_of_turn>\n' +
        '<start_of_turn>user\nAnd the door?<end_of_turn>\n' +
        '<start_of_turn>model\nThe door is',
    );
  });

  it('Gorilla (not in the catalog): a role template around the text, alternating separators, ":" before the open reply', () => {
    expect(renderOpenReply(template('gorilla'), CHAT, { prefix: '<s>' })).toBe(
      '<s>You are Mira.' +
        'USER: <<question>> Is the lamp lit? <<function>> \n' +
        'ASSISTANT: Aye.</s>' +
        'USER: <<question>> And the door? <<function>> \n' +
        'ASSISTANT:The door is',
    );
  });

  it('without a system turn the template’s own system message is used, as web-llm does', () => {
    expect(renderOpenReply(template('qwen2'), [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hel' }])).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHel',
    );
  });

  it('refuses turns that do not end with the reply to continue, or a system turn after the first', () => {
    expect(() => renderOpenReply(template('qwen2'), CHAT.slice(0, -1))).toThrow();
    expect(() => renderOpenReply(template('qwen2'), [CHAT[1]!, { role: 'system', content: 'x' }, CHAT[2]!])).toThrow();
  });
});

describe('renderOpenReply matches web-llm 0.2.86’s own rendering', () => {
  const names = Object.keys(CONV_TEMPLATES) as ConvTemplateName[];

  it.each(names)('%s: the prompt web-llm prefilled before the reply, followed by the reply so far', (name) => {
    expect(renderOpenReply(template(name), CHAT)).toBe(webLlmReplyPrompt(name, CHAT));
    // A first reply, and a chat with no system turn.
    expect(renderOpenReply(template(name), CHAT.slice(1, 3))).toBe(webLlmReplyPrompt(name, CHAT.slice(1, 3)));
    expect(renderOpenReply(template(name), CHAT.slice(0, 3))).toBe(webLlmReplyPrompt(name, CHAT.slice(0, 3)));
  });

  it('with thinking off (enable_thinking: false) as web-llm writes the reply header', () => {
    expect(renderOpenReply(template('qwen3'), CHAT, { replyOpening: THINKING_OFF })).toBe(webLlmReplyPrompt('qwen3', CHAT, THINKING_OFF));
  });

  it('an empty system prompt, and text with "$&" in it, come out as web-llm renders them', () => {
    const empty: TemplateTurn[] = [{ role: 'system', content: '' }, { role: 'user', content: 'Costs $& more' }, { role: 'assistant', content: 'No' }];
    const dollars: TemplateTurn[] = [{ role: 'system', content: 'Prices in $$, like $&' }, ...empty.slice(1)];
    for (const name of ['qwen2', 'llama-2', 'gemma_instruction'] as const) {
      expect(renderOpenReply(template(name), empty)).toBe(webLlmReplyPrompt(name, empty));
      expect(renderOpenReply(template(name), dollars)).toBe(webLlmReplyPrompt(name, dollars));
    }
  });
});

describe('convTemplateOf: the template web-llm uses, from mlc-chat-config.json', () => {
  it('lays the config’s conv_config and the record’s overrides over it, as web-llm does', () => {
    const config = mlcChatConfig('qwen2', { conv_config: { system_message: 'Be brief.' } });
    expect(convTemplateOf(config)?.system_message).toBe('Be brief.');
    const overridden = convTemplateOf(config, { conv_template: CONV_TEMPLATES['llama-3_1'], conv_config: undefined });
    expect(overridden?.system_prefix_token_ids).toEqual([128000]);
    expect(overridden?.system_message).toBe('You are a helpful, respectful and honest assistant.');
  });

  it('reads a null prefix as none, and refuses configs it cannot render', () => {
    expect(template('qwen2').system_prefix_token_ids).toBeUndefined();
    expect(convTemplateOf({ conv_template: 'qwen2' })).toBeNull(); // an old config that names its template
    expect(convTemplateOf({ conv_template: { ...CONV_TEMPLATES.qwen2, seps: [] } })).toBeNull();
    expect(convTemplateOf({ conv_template: { ...CONV_TEMPLATES.qwen2, roles: { user: 'u' } } })).toBeNull();
    expect(convTemplateOf({ conv_template: { ...CONV_TEMPLATES.qwen2, system_prefix_token_ids: ['<s>'] } })).toBeNull();
    expect(convTemplateOf(null)).toBeNull();
  });
});
