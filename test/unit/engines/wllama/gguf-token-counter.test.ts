import { describe, expect, it } from 'vitest';
import { ggufFileTokenCounter } from '../../../../src/engines/wllama/gguf-token-counter';
import { readGgufHeader } from '../../../../src/engines/wllama/wllama-gguf';
import { buildTinyVocab, GgufType, writeGguf, writeTinyLlamaGguf } from '../../../fixtures/gguf';

describe('GGUF token counts from the file itself', () => {
  const file = new Blob([writeTinyLlamaGguf({ contextLength: 1024 })]);

  it('reads the vocabulary arrays asked for and still skips the others', async () => {
    const header = await readGgufHeader(file, { arrays: ['tokenizer.ggml.tokens'] });
    expect(header.arrays.get('tokenizer.ggml.tokens')).toEqual(buildTinyVocab().tokens);
    expect(header.arrays.has('tokenizer.ggml.scores')).toBe(false);
    expect((await readGgufHeader(file)).arrays.size).toBe(0);
  });

  it('counts content and whole ChatML prompts with the file\'s vocabulary and template', async () => {
    const counter = (await ggufFileTokenCounter(file))!;
    expect(counter.count('Hello world')).toBe(6);
    // The same prompt as llama.cpp counts it (see the small-window e2e, which compares with the engine).
    expect(counter.countPrompt!([{ role: 'system', content: 'Hi' }, { role: 'user', content: 'Hello world' }])).toBe(41);
  });

  it('declines a vocabulary of a kind it does not reproduce', async () => {
    const t5 = writeGguf(new Map([
      ['general.architecture', { type: GgufType.STRING, value: 't5' }],
      ['tokenizer.ggml.model', { type: GgufType.STRING, value: 't5' }],
      ['tokenizer.ggml.tokens', { type: GgufType.ARRAY, itemType: GgufType.STRING, value: ['a', 'b'] }],
    ]), []);
    expect(await ggufFileTokenCounter(new Blob([t5]))).toBeNull();
  });
});
