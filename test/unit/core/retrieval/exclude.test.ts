import { describe, expect, it } from 'vitest';
import { KeywordIndex, hybridSearch } from '../../../../src/core/retrieval';

const scenes = Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, text: `The lamp and the tide, scene ${i}. ${'lamp '.repeat(6 - i)}` }));

describe('hybrid search with scenes left out (an evaluation run\'s held-out scenes)', () => {
  it('never returns a left-out scene, not even as the message\'s focus, and still fills k with the others in their order', () => {
    const keyword = KeywordIndex.build(scenes);
    const all = hybridSearch({ keyword, query: 'lamp', message: 'lamp' }, 3).map((h) => h.sceneId);
    expect(all).toEqual(['s0', 's1', 's2']);
    const kept = hybridSearch({ keyword, query: 'lamp', message: 'lamp', exclude: new Set(['s0', 's2']) }, 3).map((h) => h.sceneId);
    expect(kept).toEqual(['s1', 's3', 's4']);
  });
});
