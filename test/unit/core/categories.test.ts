import { describe, expect, it } from 'vitest';
import { groupByCategory } from '../../../src/core/categories';
import { makeCharacter } from '../storage/helpers';

describe('groupByCategory', () => {
  it('puts each character once under the category of its first tag that names one, in the fixed order', () => {
    const groups = groupByCategory([
      makeCharacter({ id: 'hester', tags: ['Mystery', 'victorian'] }),
      makeCharacter({ id: 'han', tags: ['武侠', '江湖'] }),
      makeCharacter({ id: 'ledger', tags: ['Sci-Fi', 'AI'] }),
      makeCharacter({ id: 'hu', tags: ['古风', '志怪'] }),
      makeCharacter({ id: 'kit', tags: ['slice_of_life'] }),
    ]);
    expect(groups.map((g) => [g.key, g.characters.map((c) => c.id)])).toEqual([
      [{ kind: 'known', id: 'wuxia' }, ['han']],
      [{ kind: 'known', id: 'scifi' }, ['ledger']],
      [{ kind: 'known', id: 'mystery' }, ['hester']],
      [{ kind: 'known', id: 'history' }, ['hu']],
      [{ kind: 'known', id: 'life' }, ['kit']],
    ]);
  });

  it('a tag several uncategorised characters share becomes a category; the rest is Other', () => {
    const groups = groupByCategory([
      makeCharacter({ id: 'a', tags: ['sailing'] }),
      makeCharacter({ id: 'b', tags: ['knitting', 'sailing'] }),
      makeCharacter({ id: 'c', tags: ['knitting'] }),
      makeCharacter({ id: 'd', tags: ['sailing'] }),
      makeCharacter({ id: 'e', tags: [] }),
    ]);
    expect(groups.map((g) => [g.key, g.characters.map((c) => c.id)])).toEqual([
      [{ kind: 'tag', tag: 'sailing' }, ['a', 'b', 'd']],
      [{ kind: 'other' }, ['c', 'e']],
    ]);
  });
});
