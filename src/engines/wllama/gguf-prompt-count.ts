// The size of a whole chat prompt as llama-server will see it: the GGUF's chat template rendered
// over the messages, then tokenized with the GGUF's own vocabulary (core/gguf-tokenizer.ts).

import { ChatTemplate, TemplateTooCostly } from './chat-template';
import type { GgufTokenizer } from '../../core/gguf-tokenizer';
import type { ModelTokenCounter } from '../../core/tokens';
import type { ChatTurn } from '../../core/types';

/** llama.cpp's template when a GGUF has none (and ours when the model's cannot be rendered here). */
const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Texts counted recently; a prompt build counts the same card and history texts again and again. */
const MEMO_LIMIT = 4000;

function parseTemplate(source: string | undefined): ChatTemplate {
  if (source) {
    try {
      return new ChatTemplate(source);
    } catch {
      // A template our Jinja cannot read: ChatML's markers cost about what most templates' do.
    }
  }
  return new ChatTemplate(CHATML_TEMPLATE);
}

/** Counters over a GGUF tokenizer and chat template. */
export function ggufTokenCounter(tokenizer: GgufTokenizer, chatTemplate: string | undefined, special: { bos?: string; eos?: string }): ModelTokenCounter {
  const memo = new Map<string, number>();
  const count = (text: string): number => {
    if (!text) return 0;
    let n = memo.get(text);
    if (n === undefined) {
      n = tokenizer.count(text);
      if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
      memo.set(text, n);
    }
    return n;
  };
  let template = parseTemplate(chatTemplate);
  const render = (messages: readonly ChatTurn[]): string => {
    const items = (list: readonly ChatTurn[]) => ({
      messages: list.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: true,
      bos_token: special.bos ?? '',
      eos_token: special.eos ?? '',
    });
    try {
      return template.render(items(messages));
    } catch (error) {
      // Templates that refuse a system message (Gemma's): llama.cpp then puts it at the start of the
      // first user message. One that ran out of its work budget is not tried again.
      if (!(error instanceof TemplateTooCostly)) {
        try {
          return template.render(items(withoutSystemRole(messages)));
        } catch {
          // Neither form renders here: count with ChatML from now on.
        }
      }
    }
    template = parseTemplate(undefined);
    return template.render(items(messages));
  };
  const countPrompt = (messages: readonly ChatTurn[]): number => {
    let text = render(messages);
    // llama-server drops a BOS the template wrote when the tokenizer adds one itself.
    if (tokenizer.addsBos && special.bos && text.startsWith(special.bos)) text = text.slice(special.bos.length);
    return tokenizer.countPrompt(text);
  };
  return { count, countPrompt };
}

/** The system messages' text moved to the start of the first user message, as llama.cpp does for templates without a system role. */
function withoutSystemRole(messages: readonly ChatTurn[]): ChatTurn[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const rest = messages.filter((m) => m.role !== 'system');
  const first = rest.findIndex((m) => m.role === 'user');
  if (system === '' || first < 0) return rest;
  return rest.map((m, i) => (i === first ? { ...m, content: `${system}\n\n${m.content}` } : m));
}
