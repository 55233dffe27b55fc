import { describe, expect, it } from 'vitest';
import { filterCharacters, tagsInUse } from '../../../src/core/character-search';
import type { Character } from '../../../src/core/types';

const make = (id: string, name: string, tags: string[], shortDescription = ''): Character => ({
  id, origin: 'user', name, nickname: '', avatar: '', shortDescription, description: '', personality: '', scenario: '',
  firstMessage: '', alternateGreetings: [], exampleDialogue: '', systemPrompt: '', postHistoryInstructions: '',
  creatorNotes: '', tags, creator: '', characterVersion: '', catchphrases: [], language: 'en', extensions: {}, createdAt: 0, updatedAt: 0,
});

const all = [make('a', 'Old Mira', ['fantasy', 'sea'], 'Lighthouse keeper'), make('b', '白露', ['武侠'], '客栈老板娘'), make('c', 'Unit 7', ['sci-fi', 'fantasy'])];

describe('gallery search', () => {
  it('matches names, descriptions and tags, case-insensitively, in any script', () => {
    expect(filterCharacters(all, 'mira', null).map((c) => c.id)).toEqual(['a']);
    expect(filterCharacters(all, 'LIGHTHOUSE', null).map((c) => c.id)).toEqual(['a']);
    expect(filterCharacters(all, '客栈', null).map((c) => c.id)).toEqual(['b']);
    expect(filterCharacters(all, '', 'fantasy').map((c) => c.id)).toEqual(['a', 'c']);
    expect(filterCharacters(all, 'unit', 'sea')).toEqual([]);
  });

  it('lists tags by use', () => {
    expect(tagsInUse(all)[0]).toBe('fantasy');
    expect(tagsInUse(all)).toHaveLength(4);
  });
});
