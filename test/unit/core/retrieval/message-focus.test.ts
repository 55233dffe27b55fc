// The new message's own clear best match goes first in a chat's ranking (core/retrieval/message-focus.ts).

import { describe, expect, it } from 'vitest';
import { hybridSearch, KeywordIndex, withMessageFocus } from '../../../../src/core/retrieval';
import { FOCUS_MARGIN } from '../../../../src/core/retrieval/message-focus';

const hit = (sceneId: string, score: number) => ({ sceneId, score });
const ranked = [hit('lamp', 9), hit('storm', 7), hit('bell', 5), hit('supper', 2)];

describe('withMessageFocus', () => {
  it('moves the message’s clear best match first, marked, the rest in their order', () => {
    const out = withMessageFocus(ranked, [hit('bell', 6), hit('lamp', 6 / FOCUS_MARGIN)]);
    expect(out.map((h) => h.sceneId)).toEqual(['bell', 'lamp', 'storm', 'supper']);
    expect(out[0]).toEqual({ sceneId: 'bell', score: 5, focus: true });
    expect(out.slice(1).some((h) => 'focus' in h)).toBe(false);
  });

  it('marks the first scene when the message agrees with the exchange, and a lone match is clear', () => {
    expect(withMessageFocus(ranked, [hit('lamp', 3)])[0]).toEqual({ sceneId: 'lamp', score: 9, focus: true });
  });

  it('leaves the ranking as it is when the message points nowhere clearly, or at a scene the exchange did not find', () => {
    // A second match scoring more than half the best: a stray word of a short message, not a subject.
    expect(withMessageFocus(ranked, [hit('bell', 6), hit('storm', 4)])).toEqual(ranked);
    expect(withMessageFocus(ranked, [hit('tide', 8)])).toEqual(ranked);
    expect(withMessageFocus(ranked, [])).toEqual(ranked);
    expect(withMessageFocus(ranked, [hit('bell', 0)])).toEqual(ranked);
  });
});

describe('hybridSearch with a chat’s new message', () => {
  const index = KeywordIndex.build([
    { id: 'lamp', text: 'Hester: The lamp must stay lit. Trim the lamp wick, polish the lamp glass, keep the lamp burning.' },
    { id: 'bell', text: 'Hester: The drowned bell rings under the bay when the tide turns.' },
    { id: 'supper', text: 'Hester: Stew and bread for supper, then the lamp.' },
  ]);
  const query = 'Who keeps the lamp?\nThe lamp must stay lit, the lamp never sleeps.\nWhat of the drowned bell?';

  it('puts the scene the message alone names first, where the exchange still ranks the old topic first', () => {
    expect(hybridSearch({ keyword: index, query }, 3)[0].sceneId).toBe('lamp');
    const hits = hybridSearch({ keyword: index, query, message: 'What of the drowned bell?' }, 3);
    expect(hits.map((h) => h.sceneId)).toEqual(['bell', 'lamp', 'supper']);
    expect(hits[0]).toMatchObject({ focus: true, keywordRank: 2 });
  });

  it('changes nothing for a message whose words match no scene', () => {
    expect(hybridSearch({ keyword: index, query, message: 'Why?' }, 3)).toEqual(hybridSearch({ keyword: index, query }, 3));
  });
});
