import { describe, expect, it } from 'vitest';
import {
  estimatePromptTokens,
  estimateTokens,
  MESSAGE_OVERHEAD_TOKENS,
  messageTokens,
  PROMPT_OVERHEAD_TOKENS,
  TokenEstimator,
} from '../../../src/core/tokens';

describe('estimateTokens', () => {
  it('is zero for empty text and positive otherwise', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a')).toBeGreaterThan(0);
    expect(estimateTokens(' ')).toBe(0);
  });

  // Upper bounds of what byte-level BPE tokenizers of the shipped models (Llama 3, Qwen 2.5, Gemma)
  // spend on these strings, rounded up by hand (no tokenizer is available offline in tests); the
  // estimate must not be lower.
  const known: Array<[string, number]> = [
    ['Hello, world!', 4],
    ['The quick brown fox jumps over the lazy dog.', 10],
    ['*She smiles softly, tilting her head.* "Are you lost, traveler?"', 17],
    ['In 1997, 42 people paid $3,141.59 each.', 19], // Qwen splits digits one by one
    ['Antidisestablishmentarianism', 6],
    ['你好，我是凉宫春日。今天我们去找外星人吧！', 20],
    ['こんにちは、元気ですか？', 10],
    ['Привет, как дела?', 8],
    ['Party time 🎉🎉', 8],
    ['line one\n\nline two\n', 7],
  ];
  for (const [text, atMost] of known) {
    it(`does not under-count ${JSON.stringify(text)}`, () => {
      expect(estimateTokens(text)).toBeGreaterThanOrEqual(atMost);
    });
  }

  it('counts CJK characters at 1.5 each', () => {
    expect(estimateTokens('你'.repeat(100))).toBe(150);
  });

  it('is not wildly over for English prose (about chars / 3.2 at most ~1.6x of chars / 4)', () => {
    const prose = 'She walked along the river in the early morning light, thinking about the letter she had never sent. ';
    const text = prose.repeat(20);
    const estimate = estimateTokens(text);
    expect(estimate).toBeGreaterThan(text.length / 4.5);
    expect(estimate).toBeLessThan(text.length / 2.5);
  });

  it('adds up: a text repeated 5,000 times costs 5,000 times the text (timing: bench/text-speed.bench.ts)', () => {
    const unit = '*She smiles.* "Hello there, 你好!" 123 ';
    expect(estimateTokens(unit.repeat(5000))).toBeCloseTo(5000 * estimateTokens(unit), -2);
  });

  it('adds template overhead per message and per prompt', () => {
    expect(messageTokens({ role: 'user', content: '' })).toBe(MESSAGE_OVERHEAD_TOKENS);
    expect(messageTokens({ role: 'user', content: 'hi' }, () => 10)).toBe(10 + MESSAGE_OVERHEAD_TOKENS);
    const messages = [
      { role: 'system' as const, content: 'abc' },
      { role: 'user' as const, content: 'hello' },
    ];
    expect(estimatePromptTokens(messages, (t) => t.length)).toBe(PROMPT_OVERHEAD_TOKENS + 3 + 5 + 2 * MESSAGE_OVERHEAD_TOKENS);
  });
});

describe('TokenEstimator', () => {
  it('starts at the raw estimate', () => {
    const estimator = new TokenEstimator();
    expect(estimator.ratio).toBe(1);
    expect(estimator.estimate('Hello, world!')).toBe(estimateTokens('Hello, world!'));
    expect(estimator.count('Hello')).toBe(estimator.estimate('Hello'));
  });

  it('jumps up at once when the engine saw more tokens than estimated', () => {
    const estimator = new TokenEstimator();
    estimator.observe(1000, 1800);
    expect(estimator.ratio).toBeCloseTo(1.89, 2);
    expect(estimator.estimate('你'.repeat(100))).toBe(Math.ceil(150 * estimator.ratio));
  });

  it('comes down slowly, and never below the raw estimate on reports of a partial prefill', () => {
    const estimator = new TokenEstimator({ ratio: 2 });
    estimator.observe(1000, 900);
    expect(estimator.ratio).toBeLessThan(2);
    expect(estimator.ratio).toBeGreaterThan(1.7);
    for (let k = 0; k < 100; k++) estimator.observe(1000, 600);
    expect(estimator.ratio).toBe(1);
  });

  it('ignores partial prefills, tiny prompts and nonsense', () => {
    const estimator = new TokenEstimator({ ratio: 1.5 });
    estimator.observe(3000, 40); // web-llm reused its KV cache and reports only the new tokens
    estimator.observe(10, 100);
    estimator.observe(Number.NaN, 100);
    estimator.observe(1000, Number.POSITIVE_INFINITY);
    estimator.observe(1000, 0);
    expect(estimator.ratio).toBe(1.5);
    expect(estimator.samples).toBe(0);
  });

  it('is clamped above', () => {
    const estimator = new TokenEstimator({ maxRatio: 3 });
    estimator.observe(100, 100000);
    expect(estimator.ratio).toBe(3);
    const whole = new TokenEstimator();
    for (let k = 0; k < 200; k++) whole.observe(1000, 450, { whole: true });
    expect(whole.ratio).toBe(0.5); // clamped below too
    expect(new TokenEstimator({ ratio: 0.2 }).ratio).toBe(0.5);
    expect(new TokenEstimator({ ratio: Number.NaN }).ratio).toBe(1);
  });

  it('learns downward from whole-prompt reports, so Chinese is no longer counted 1.8x', () => {
    const chinese = '你好，我是凉宫春日。今天我们去找外星人吧！'.repeat(40);
    const raw = estimatePromptTokens([{ role: 'user', content: chinese }]);
    const real = Math.round(raw / 1.8); // what a Qwen-style vocabulary reports for it
    const estimator = new TokenEstimator();
    estimator.observe(raw, real, { whole: true });
    expect(estimator.ratio).toBeLessThan(1);
    for (let k = 0; k < 30; k++) estimator.observe(raw, real, { whole: true });
    // Settles at the reported size plus the 5% margin: close to the truth, still not under it.
    expect(estimator.estimate(chinese)).toBeGreaterThanOrEqual(real - 10);
    expect(estimator.estimate(chinese)).toBeLessThan(real * 1.1);
    expect(estimator.ratio).toBeGreaterThanOrEqual(0.5);
  });

  it('still rises at once after learning downward, and ignores whole reports too small to be about the prompt', () => {
    const estimator = new TokenEstimator();
    for (let k = 0; k < 30; k++) estimator.observe(1000, 600, { whole: true });
    expect(estimator.ratio).toBeCloseTo(0.63, 2);
    estimator.observe(1000, 300, { whole: true }); // 0.3x: not this prompt
    expect(estimator.ratio).toBeCloseTo(0.63, 2);
    estimator.observe(1000, 1200, { whole: true });
    expect(estimator.ratio).toBeCloseTo(1.26, 5);
  });

  it('does not go below the raw estimate on reports that may be partial prefills (web-llm)', () => {
    const estimator = new TokenEstimator();
    for (let k = 0; k < 30; k++) estimator.observe(1000, 600);
    expect(estimator.ratio).toBe(1);
  });
});
