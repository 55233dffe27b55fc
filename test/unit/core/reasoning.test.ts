import { describe, expect, it } from 'vitest';
import { withoutReasoning } from '../../../src/core/reasoning';

describe('withoutReasoning', () => {
  it('drops the empty think block web-llm writes into a Qwen3 reply with thinking off', () => {
    expect(withoutReasoning('<think>\n\n</think>\n\nThe lamp is lit.')).toBe('The lamp is lit.');
  });

  it('drops a written reasoning block, and hides one still being written', () => {
    expect(withoutReasoning('  <think>They asked about the lamp.</think>\nIt is lit.')).toBe('It is lit.');
    expect(withoutReasoning('<think>They asked about')).toBe('');
  });

  it('leaves a reply without one, or with the tag later in the text, as written', () => {
    expect(withoutReasoning('It is lit.')).toBe('It is lit.');
    expect(withoutReasoning('She wrote <think> on the wall.</think>')).toBe('She wrote <think> on the wall.</think>');
    expect(withoutReasoning('')).toBe('');
  });
});

describe('a reply with a reasoning block', () => {
  it('is read aloud without it', async () => {
    const { sentencesOf } = await import('../../../src/core/speech-text');
    expect(sentencesOf('<think>\n\n</think>\n\nThe lamp is lit. Come in.')).toEqual(['The lamp is lit.', 'Come in.']);
  });
});
