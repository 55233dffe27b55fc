import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { ChatTemplate, MAX_TEMPLATE_RANGE, TemplateTooCostly } from '../../../../src/engines/wllama/chat-template';
import { ggufTokenCounter } from '../../../../src/engines/wllama/gguf-prompt-count';
import { GgufTokenizer } from '../../../../src/core/gguf-tokenizer';
import { buildTinyVocab, CHATML_TEMPLATE } from '../../../fixtures/gguf';

const chat = {
  messages: [
    { role: 'system', content: 'You are Haruhi.' },
    { role: 'user', content: 'Hello' },
    { role: 'assistant', content: 'Hi!' },
    { role: 'user', content: 'What day is it?' },
  ],
  add_generation_prompt: true,
  bos_token: '<s>',
  eos_token: '</s>',
};

// Shapes real chat templates use: loop variables, namespaces, slicing, raise_exception, range, strftime_now.
const REAL_SHAPES = [
  CHATML_TEMPLATE,
  "{{ bos_token }}{% for message in messages %}{% if loop.index0 == 0 and message['role'] == 'system' %}{% set ns = namespace(sys=message['content']) %}{% else %}{{ '[' + message['role'] | upper + '] ' + message['content'] | trim + eos_token }}{% endif %}{% endfor %}",
  "{% for m in messages[1:] %}{% if m.role == 'system' %}{{ raise_exception('no system') }}{% endif %}{{ m.content }}{% endfor %}",
  "{% for i in range(messages | length) %}{{ i }}:{{ messages[i].role }};{% endfor %}",
  "Today Date: {{ strftime_now('%d %b %Y')[-4:] }}",
];

describe('ChatTemplate: a GGUF chat template rendered with a work budget', () => {
  it.each(REAL_SHAPES.map((source, i) => [i, source]))('renders real template shape %i exactly as @huggingface/jinja does', (_, source) => {
    expect(new ChatTemplate(source).render(chat)).toBe(new Template(source).render(chat));
  });

  it('gives up on range() of a huge length before building it, and on loops nested over a message’s words', () => {
    expect(() => new ChatTemplate('{% for i in range(10**9) %}{% endfor %}').render(chat)).toThrow(TemplateTooCostly);
    expect(() => new ChatTemplate(`{{ range(${MAX_TEMPLATE_RANGE + 1}) | length }}`).render(chat)).toThrow(TemplateTooCostly);
    expect(new ChatTemplate(`{{ range(${MAX_TEMPLATE_RANGE}) | length }}`).render(chat)).toBe(String(MAX_TEMPLATE_RANGE));
    const long = { ...chat, messages: [{ role: 'user', content: 'word '.repeat(2000) }] };
    const nested = "{% for a in messages[0].content.split(' ') %}{% for b in messages[0].content.split(' ') %}{% endfor %}{% endfor %}";
    expect(() => new ChatTemplate(nested).render(long)).toThrow(TemplateTooCostly);
  });

  it('a model whose template does too much work is counted with ChatML instead, and the count stays usable', () => {
    const v = buildTinyVocab();
    const tokenizer = GgufTokenizer.from({ model: 'llama', tokens: v.tokens, scores: v.scores, types: v.types, addBos: true, addEos: false, bosId: v.bos, eosId: v.eos })!;
    // ChatML, then a loop over every pair of the first message's words, then one more character.
    const hostile = CHATML_TEMPLATE + "{% for a in messages[0].content.split(' ') %}{% for b in messages[0].content.split(' ') %}{% endfor %}{% endfor %}!";
    const messages = [{ role: 'user' as const, content: 'Hello world '.repeat(400) }];
    const counted = ggufTokenCounter(tokenizer, hostile, {}).countPrompt!(messages);
    expect(counted).toBe(ggufTokenCounter(tokenizer, CHATML_TEMPLATE, {}).countPrompt!(messages));
  });
});

describe('ChatTemplate budget grows with the chat', () => {
  const perMessage = "{% for m in messages %}{% if m.role == 'user' %}{{ '<|user|>' + m.content | trim }}{% else %}{{ '<|assistant|>' + m.content }}{% endif %}{% endfor %}";
  const pairs = '{% for a in messages %}{% for b in messages %}{% endfor %}{% endfor %}';
  const turns = (n: number) => ({ messages: Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `line ${i}` })) });

  it('renders a template that spends a few steps a message over 5,000 messages, and refuses one looping over every pair of 1,000', () => {
    expect(new ChatTemplate(perMessage).render(turns(5000))).toContain('<|assistant|>line 4999');
    expect(() => new ChatTemplate(pairs).render(turns(1000))).toThrow(TemplateTooCostly);
  });
});
