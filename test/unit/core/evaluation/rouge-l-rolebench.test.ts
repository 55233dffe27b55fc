import { describe, expect, it } from 'vitest';
import { rougeL } from '../../../../src/core/rouge-l';

// Expected values worked out by hand from the definition (LCS; P = LCS/|candidate|, R = LCS/|reference|, F = 2PR/(P+R)).
describe('Rouge-L as the evaluation scores a reply against its reference', () => {
  it('matches rouge-score\'s published README example (target "The quick brown fox jumps over the lazy dog")', () => {
    // candidate: the quick brown dog jumps on the log (8 tokens); reference: 9 tokens.
    // LCS = the quick brown jumps the = 5, so P = 5/8, R = 5/9, F = 2·(5/8)(5/9)/((5/8)+(5/9)) = 10/17.
    const score = rougeL('The quick brown dog jumps on the log.', 'The quick brown fox jumps over the lazy dog');
    expect(score.precision).toBeCloseTo(0.625, 10);
    expect(score.recall).toBeCloseTo(5 / 9, 10);
    expect(score.f).toBeCloseTo(0.5882352941176471, 10);
  });

  it('scores Chinese character by character', () => {
    // 我喜欢吃苹果 (6) against 我爱吃苹果 (5): LCS 我吃苹果 = 4, P = 4/6, R = 4/5, F = 8/11.
    const score = rougeL('我喜欢吃苹果', '我爱吃苹果');
    expect(score.precision).toBeCloseTo(2 / 3, 10);
    expect(score.recall).toBeCloseTo(0.8, 10);
    expect(score.f).toBeCloseTo(8 / 11, 10);
  });

  it('gives 1 for the reference itself and 0 for a reply sharing no word', () => {
    expect(rougeL('Elementary, my dear Watson.', 'elementary my dear watson').f).toBe(1);
    expect(rougeL('Good morning', 'Farewell forever').f).toBe(0);
  });
});
