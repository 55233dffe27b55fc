import { describe, expect, it } from 'vitest';
import { TAGLINE_MAX, taglineOf } from '../../../src/core/tagline';

const card = (description: string, shortDescription = '') => ({ name: 'Mira', shortDescription, description });

describe('taglineOf: the line under a character’s name', () => {
  it('is the short description when there is one', () => {
    expect(taglineOf(card('A long story. More.', '  A wandering bard.  '))).toBe('A wandering bard.');
  });

  it('is the first sentence of the description otherwise, with macros expanded', () => {
    expect(taglineOf(card('{{char}} is a bard who sings to {{user}}. She travels alone.'))).toBe('Mira is a bard who sings to you.');
    expect(taglineOf(card('Version 2.5 of the card\nSecond line.'))).toBe('Version 2.5 of the card');
    expect(taglineOf(card('凉宫春日是北高的学生。她创立了SOS团。'))).toBe('凉宫春日是北高的学生。');
    expect(taglineOf(card(''))).toBe('');
  });

  it('cuts a sentence longer than the line at a word, with an ellipsis, and never reads the whole description', () => {
    const line = taglineOf(card(`${'word '.repeat(100)}end.`));
    expect([...line].length).toBeLessThanOrEqual(TAGLINE_MAX + 1);
    expect(line.endsWith('word…')).toBe(true);
    expect(taglineOf(card('x'.repeat(1_000_000)))).toHaveLength(TAGLINE_MAX + 1);
  });
});
