import { describe, expect, it } from 'vitest';
import { cleanSummary, pathHash, summaryDue, summaryForBranch, summaryRequest, SUMMARY_STEP } from '../../../../src/core/memory/summary';
import { recallCandidates } from '../../../../src/core/memory/recall';
import { VectorMatrix } from '../../../../src/core/retrieval';
import type { MemoryRecord } from '../../../../src/core/types';

const summaryOf = (branch: string[], covers: number, text = 'They met.', updatedAt = 1): MemoryRecord => ({
  id: `s-${branch[covers - 1]}`,
  conversationId: 'c',
  kind: 'summary',
  text,
  createdAt: updatedAt,
  updatedAt,
  coversId: branch[covers - 1],
  coversHash: pathHash(branch.slice(0, covers)),
  coversCount: covers,
});

describe('rolling summary: which summary belongs to the branch', () => {
  const branch = ['g', 'u1', 'a1', 'u2', 'a2', 'u3', 'a3', 'u4'];

  it('applies a summary to the branch it was written on, and beyond it as the branch grows', () => {
    const s = summaryOf(branch, 5);
    expect(summaryForBranch([s], branch)).toEqual({ record: s, covers: 5 });
    expect(summaryForBranch([s], [...branch, 'a4', 'u5'])?.covers).toBe(5);
  });

  it('a swipe before the summarised range (another version of a1) invalidates it; a swipe after it does not', () => {
    const s = summaryOf(branch, 5);
    const swipedEarly = ['g', 'u1', 'a1-v2', 'u2', 'a2', 'u3'];
    expect(summaryForBranch([s], swipedEarly)).toBeUndefined();
    const swipedLate = [...branch.slice(0, 6), 'a3-v2'];
    expect(summaryForBranch([s], swipedLate)?.record.id).toBe(s.id);
  });

  it('keeps one summary per branch: each branch gets its own, the one covering most wins', () => {
    const other = ['g', 'u1', 'b1', 'v2', 'b2', 'v3'];
    const mine = summaryOf(branch, 5, 'Mine.');
    const longer = summaryOf(branch, 7, 'Mine, longer.', 2);
    const theirs = summaryOf(other, 5, 'Theirs.');
    expect(summaryForBranch([mine, longer, theirs], branch)?.record.text).toBe('Mine, longer.');
    expect(summaryForBranch([mine, longer, theirs], other)?.record.text).toBe('Theirs.');
  });
});

describe('rolling summary: when a pass is due and what it reads', () => {
  it('is due once SUMMARY_STEP messages fell out of the prompt beyond what the summary covers', () => {
    expect(summaryDue(SUMMARY_STEP - 1, 0)).toBeUndefined();
    expect(summaryDue(SUMMARY_STEP, 0)).toEqual({ from: 0, to: SUMMARY_STEP });
    expect(summaryDue(20, 16)).toBeUndefined();
    expect(summaryDue(100, 10)).toEqual({ from: 76, to: 100 });
  });

  it('asks in the character\'s language, with the previous summary and the new messages', () => {
    const zh = summaryRequest('zh', { char: '春日', user: '阿虚' }, '他们在车站见面。', [{ role: 'user', content: '我们去哪？' }, { role: 'assistant', content: '去找外星人！' }]);
    expect(zh[0].content).toContain('中文摘要');
    expect(zh[1].content).toContain('他们在车站见面。');
    expect(zh[1].content).toContain('阿虚: 我们去哪？\n春日: 去找外星人！');
    const en = summaryRequest('en', { char: 'Haruhi', user: 'Kyon' }, undefined, [{ role: 'user', content: 'x'.repeat(5000) }]);
    expect(en[1].content).toContain('(none yet)');
    expect(en[1].content.length).toBeLessThan(1400);
    expect(cleanSummary('en', 'Summary so far: They met.\n')).toBe('They met.');
  });

  it('names each member of a group chat on their own lines', () => {
    const request = summaryRequest('en', { char: 'Night watch', user: 'Wren' }, undefined, [
      { role: 'assistant', content: 'The lamp is lit.', speaker: 'Hester' },
      { role: 'user', content: 'Good.' },
      { role: 'assistant', content: 'Logged.', speaker: 'Ledger' },
    ]);
    expect(request[1].content).toContain('Hester: The lamp is lit.\nWren: Good.\nLedger: Logged.');
  });
});

describe('recall from the chat', () => {
  it('finds the old message the new one refers back to, never the newest turns', () => {
    const history = [
      { role: 'assistant' as const, content: 'Welcome to the club room.' },
      { role: 'user' as const, content: 'I left my red umbrella at the shrine.' },
      ...Array.from({ length: 10 }, (_, i) => ({ role: (i % 2 ? 'assistant' : 'user') as 'user' | 'assistant', content: `We talk about clouds ${i}.` })),
      { role: 'user' as const, content: 'Where did I leave the umbrella?' },
    ];
    const ids = history.map((_, i) => `m${i}`);
    const found = recallCandidates(history, ids);
    expect(found[0]).toMatchObject({ id: 'm1', turn: 1, text: 'I left my red umbrella at the shrine.' });
    expect(found.every((c) => c.turn < history.length - 5)).toBe(true);
    expect(recallCandidates(history.slice(0, 3), ids)).toEqual([]);
  });

  it('recalls nothing when the new message only shares everyday words with many old ones (it does not refer back)', () => {
    const filler = (i: number) => `We walk by the river and talk about the clouds and the weather, day ${i}.`;
    const history = [
      ...Array.from({ length: 30 }, (_, i) => ({ role: (i % 2 ? 'assistant' : 'user') as 'user' | 'assistant', content: filler(i) })),
      { role: 'user' as const, content: 'The clouds over the river look heavy today.' },
    ];
    expect(recallCandidates(history, history.map((_, i) => `m${i}`))).toEqual([]);
  });

  it('recalls by meaning when the messages have vectors: a message sharing no word with the new one', () => {
    const history = [
      { role: 'user' as const, content: 'My grandmother left me a pocket watch.' },
      ...Array.from({ length: 10 }, (_, i) => ({ role: (i % 2 ? 'assistant' : 'user') as 'user' | 'assistant', content: `We talk about clouds ${i}.` })),
      { role: 'user' as const, content: 'What was that heirloom timepiece again?' },
    ];
    const ids = history.map((_, i) => `m${i}`);
    const vectors = new VectorMatrix(2);
    ids.slice(0, -1).forEach((id, i) => vectors.set(id, i === 0 ? [1, 0] : [0, 1]));
    expect(recallCandidates(history, ids)).toEqual([]);
    const found = recallCandidates(history, ids, { vectors, queryVector: [0.96, 0.28] });
    expect(found.map((c) => c.id)).toEqual(['m0']);
  });
});
