import { describe, expect, it } from 'vitest';
import { GgufTokenizer, type GgufVocabulary } from '../../../src/core/gguf-tokenizer';
import { ggufTokenCounter } from '../../../src/engines/wllama/gguf-prompt-count';
import { buildTinyVocab, CHATML_TEMPLATE, TokenType } from '../../fixtures/gguf';

/** The tiny test model's SentencePiece vocabulary: word pieces with byte fallback, ChatML markers as control tokens. */
function tinyVocabulary(): GgufVocabulary {
  const v = buildTinyVocab();
  return { model: 'llama', tokens: v.tokens, scores: v.scores, types: v.types, addBos: true, addEos: false, bosId: v.bos, eosId: v.eos };
}

/** A small byte-level BPE vocabulary: every byte, and merges that build "hello" and " world" (Ġ is GPT-2's mapped space). */
function bpeVocabulary(pre: string): GgufVocabulary {
  const bytes: string[] = [];
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    bytes.push(printable ? String.fromCodePoint(b) : '');
  }
  let extra = 0;
  for (let b = 0; b < 256; b++) if (bytes[b] === '') bytes[b] = String.fromCodePoint(256 + extra++);
  const merges = ['Ġ w', 'o r', 'Ġw or', 'l d', 'Ġwor ld', 'h e', 'l l', 'he ll', 'hell o', '1 2'];
  const tokens = [...bytes, ...merges.map((m) => m.replace(' ', '')), '<|im_start|>', '<|im_end|>'];
  const types = tokens.map((t) => (t.startsWith('<|') ? TokenType.CONTROL : TokenType.NORMAL));
  return { model: 'gpt2', pre, tokens, types, merges, addBos: false };
}

describe('GgufTokenizer, SentencePiece (llama.cpp llm_tokenizer_spm)', () => {
  const tokenizer = GgufTokenizer.from(tinyVocabulary())!;

  it('merges known pieces and spells the rest out one byte token per UTF-8 byte', () => {
    // "Hello" has no piece without the leading space (5 bytes); " world" is the piece "▁world".
    expect(tokenizer.count('Hello world')).toBe(6);
    expect(tokenizer.count(' Hello world')).toBe(2);
    // 你好 and 世界 are pieces; 吗 is not, and is three UTF-8 bytes.
    expect(tokenizer.count('你好世界')).toBe(2);
    expect(tokenizer.count('你好吗')).toBe(4);
    expect(tokenizer.count('')).toBe(0);
  });

  it('reads control tokens written in a prompt as one token each, with BOS and the space after each', () => {
    // Content: "<|im_end|>" is plain text, 10 bytes. Prompt: BOS, the marker, then "▁" before "Hello".
    expect(tokenizer.count('<|im_end|>')).toBe(10);
    expect(tokenizer.countPrompt('<|im_end|>Hello')).toBe(3); // BOS, the marker, then "▁Hello" as one piece
  });

  it('counts a whole ChatML prompt as llama.cpp does', () => {
    const counter = ggufTokenCounter(tokenizer, CHATML_TEMPLATE, { bos: '<s>', eos: '<|im_end|>' });
    // BOS; 5 markers; "▁system\nHi" 9 (▁s y s t e m \n H i); "▁\n" twice 2+2;
    // "▁user\nHello▁world" 12 (▁ u s e r \n H e l l o ▁world); "▁assistant\n" 10 (▁a s s i s t a n t \n).
    expect(counter.countPrompt!([{ role: 'system', content: 'Hi' }, { role: 'user', content: 'Hello world' }])).toBe(1 + 5 + 9 + 2 + 12 + 2 + 10);
    expect(counter.count('Hello world')).toBe(6);
  });

  it('counts a template that refuses system messages with the system text moved into the first user message', () => {
    const noSystem = "{% for message in messages %}{% if message['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}" +
      "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    const counter = ggufTokenCounter(tokenizer, noSystem, {});
    const chatml = ggufTokenCounter(tokenizer, CHATML_TEMPLATE, {});
    const messages = [{ role: 'system' as const, content: 'Hi' }, { role: 'user' as const, content: 'Hello world' }];
    expect(counter.countPrompt!(messages)).toBe(chatml.countPrompt!([{ role: 'user', content: 'Hi\n\nHello world' }]));
  });

  it('falls back to ChatML for a template it cannot read', () => {
    const chatml = ggufTokenCounter(tokenizer, CHATML_TEMPLATE, {});
    const broken = ggufTokenCounter(tokenizer, '{% for message in messages %}{{ message.content', {});
    const messages = [{ role: 'user' as const, content: 'Hello world' }];
    expect(broken.countPrompt!(messages)).toBe(chatml.countPrompt!(messages));
  });
});

describe('GgufTokenizer, byte-level BPE (llama.cpp llm_tokenizer_bpe)', () => {
  it('applies merges lowest rank first within each pre-tokenized word', () => {
    const tokenizer = GgufTokenizer.from(bpeVocabulary('gpt-2'))!;
    expect(tokenizer.count('hello world')).toBe(2);
    expect(tokenizer.count('hello worlds')).toBe(3); // "Ġworld" + "s"
    expect(tokenizer.count('héllo')).toBe(5); // h, é as two bytes, "ll", o: é breaks the other merges
  });

  it('splits numbers the way the vocabulary\'s pre-tokenizer says', () => {
    // GPT-2 keeps "12345" one word ("12" merges, then 3,4,5); Llama 3 splits it 123|45; Qwen 2 digit by digit.
    expect(GgufTokenizer.from(bpeVocabulary('gpt-2'))!.count('12345')).toBe(4);
    expect(GgufTokenizer.from(bpeVocabulary('llama-bpe'))!.count('12345')).toBe(4);
    expect(GgufTokenizer.from(bpeVocabulary('qwen2'))!.count('12345')).toBe(5);
  });

  it('reads control tokens only in a prompt', () => {
    const tokenizer = GgufTokenizer.from(bpeVocabulary('qwen2'))!;
    expect(tokenizer.count('<|im_start|>hello')).toBe(12 + 1);
    expect(tokenizer.countPrompt('<|im_start|>hello')).toBe(2);
  });
});

describe('GgufTokenizer.from', () => {
  it('declines vocabularies it does not reproduce, so the estimate is used', () => {
    expect(GgufTokenizer.from({ model: 't5', tokens: ['a'], scores: [0] })).toBeNull();
    expect(GgufTokenizer.from({ model: 'llama', tokens: ['a', 'b'], scores: [0] })).toBeNull();
    expect(GgufTokenizer.from({ model: 'gpt2', tokens: ['a'] })).toBeNull();
    expect(GgufTokenizer.from({ model: 'llama', tokens: [] })).toBeNull();
  });
});
