import { describe, expect, it } from 'vitest';
import { lcsLength, rougeL, rougeTokens } from '../../../src/core/rouge-l';

describe('rougeTokens', () => {
  it('splits spaced text into lower-case words and drops punctuation', () => {
    expect(rougeTokens('The CAT, sat!  On the mat.')).toEqual(['the', 'cat', 'sat', 'on', 'the', 'mat']);
  });

  it('makes each Chinese or Japanese character one token, also next to Latin letters', () => {
    expect(rougeTokens('我叫Haruhi，是SOS团的团长。')).toEqual(['我', '叫', 'haruhi', '是', 'sos', '团', '的', '团', '长']);
    expect(rougeTokens('涼宮ハルヒ')).toEqual(['涼', '宮', 'ハ', 'ル', 'ヒ']);
  });

  it('folds full-width Latin into ASCII (NFKC)', () => {
    expect(rougeTokens('ＳＯＳ団')).toEqual(['sos', '団']);
  });
});

describe('rougeL', () => {
  it('scores the textbook pair by hand', () => {
    // candidate: the cat sat on the mat          (6 tokens)
    // reference: the cat was on the mat today    (7 tokens)
    // LCS: the cat on the mat = 5
    // precision = 5/6, recall = 5/7
    // f = 2·(5/6)·(5/7) / (5/6 + 5/7) = (50/42) / (65/42) = 50/65 = 10/13
    const score = rougeL('the cat sat on the mat', 'the cat was on the mat today');
    expect(score.precision).toBeCloseTo(5 / 6, 12);
    expect(score.recall).toBeCloseTo(5 / 7, 12);
    expect(score.f).toBeCloseTo(10 / 13, 12);
  });

  it('counts a subsequence, not a substring: order matters, gaps do not', () => {
    // candidate: a b c d (4), reference: a x b y d (5)
    // LCS: a b d = 3 (c is not in the reference)
    // precision = 3/4, recall = 3/5, f = 2·(3/4)·(3/5) / (3/4 + 3/5) = (18/20) / (27/20) = 2/3
    const score = rougeL('a b c d', 'a x b y d');
    expect(score.f).toBeCloseTo(2 / 3, 12);
    // Reversed order shares only one token in order: candidate d c b a vs reference a b c d,
    // LCS = 1, precision = recall = 1/4, f = 1/4.
    expect(rougeL('d c b a', 'a b c d').f).toBeCloseTo(1 / 4, 12);
  });

  it('scores Chinese by character', () => {
    // candidate: 我 不 知 道 那 是 什 么 (8), reference: 我 不 知 道 (4)
    // LCS = 4 (我不知道); precision = 4/8 = 1/2, recall = 4/4 = 1
    // f = 2·(1/2)·1 / (1/2 + 1) = 1 / (3/2) = 2/3
    const score = rougeL('我不知道那是什么。', '我不知道');
    expect(score.precision).toBeCloseTo(1 / 2, 12);
    expect(score.recall).toBe(1);
    expect(score.f).toBeCloseTo(2 / 3, 12);
  });

  it('gives 1 for the same words whatever the case and punctuation, 0 with nothing shared or nothing at all', () => {
    expect(rougeL('Hello, world!', 'hello world').f).toBe(1);
    expect(rougeL('abc', 'xyz')).toEqual({ precision: 0, recall: 0, f: 0 });
    expect(rougeL('', 'anything').f).toBe(0);
    expect(rougeL('...', '!!!').f).toBe(0);
  });

  it('is symmetric in f and swaps precision and recall', () => {
    const ab = rougeL('the cat sat on the mat', 'the cat was on the mat today');
    const ba = rougeL('the cat was on the mat today', 'the cat sat on the mat');
    expect(ba.f).toBeCloseTo(ab.f, 12);
    expect(ba.precision).toBeCloseTo(ab.recall, 12);
  });
});

describe('lcsLength', () => {
  it('finds the longest common subsequence of token lists', () => {
    // A B C B D A B vs B D C A B A: the classic CLRS example, LCS length 4 (B C B A).
    expect(lcsLength(['A', 'B', 'C', 'B', 'D', 'A', 'B'], ['B', 'D', 'C', 'A', 'B', 'A'])).toBe(4);
    expect(lcsLength([], ['a'])).toBe(0);
  });
});
