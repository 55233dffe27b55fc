import { describe, expect, it } from 'vitest';
import { truncateTokens } from '../../../src/core/token-fit';
import { estimateTokens } from '../../../src/core/tokens';

describe('truncateTokens', () => {
  it('keeps the start or the end and never splits a surrogate pair', () => {
    const text = '🎉'.repeat(50);
    const start = truncateTokens(text, 10, estimateTokens, 'keep-start');
    const end = truncateTokens(text, 10, estimateTokens, 'keep-end');
    expect(estimateTokens(start)).toBeLessThanOrEqual(10);
    expect(start.endsWith('…')).toBe(true);
    expect(end.startsWith('…')).toBe(true);
    expect(start).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(end).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(truncateTokens('short', 100, estimateTokens, 'keep-end')).toBe('short');
    expect(truncateTokens('short text here', 0, estimateTokens, 'keep-end')).toBe('');
  });
});
