import { describe, expect, it } from 'vitest';
import { findInText, foldQuery } from '../../../src/core/chat-search';

const find = (text: string, query: string, context?: number) => findInText(text, foldQuery(query), context);

describe('findInText', () => {
  it('ignores case and accents, and shows the match as written', () => {
    expect(find('The ferry from Élancourt was cancelled', 'elancourt')).toMatchObject({ before: 'The ferry from ', match: 'Élancourt', after: ' was cancelled' });
    expect(find('CAFÉ au lait', 'café')?.match).toBe('CAFÉ');
    // A decomposed accent (e + combining mark) matches as well.
    expect(find('cafe\u0301 noir', 'café')?.match).toBe('cafe\u0301');
    expect(find('ＡＢＣ full width', 'abc')?.match).toBe('ＡＢＣ');
  });

  it('finds Chinese inside a sentence (no word breaks needed)', () => {
    expect(find('我说：灯塔的光一直在。', '光一直')).toMatchObject({ before: '我说：灯塔的', match: '光一直', after: '在。' });
  });

  it('cuts long text to context on both sides and says so', () => {
    const snippet = find(`${'a'.repeat(100)} needle ${'b'.repeat(100)}`, 'needle', 10)!;
    expect(snippet).toMatchObject({ before: 'aaaaaaaaa ', match: 'needle', after: ' bbbbbbbbb', cutBefore: true, cutAfter: true });
  });

  it('finds nothing for no match or an empty query, and never splits an emoji', () => {
    expect(find('hello', 'bye')).toBeNull();
    expect(find('hello', '   ')).toBeNull();
    const snippet = find('😀😀 x', 'x', 3)!;
    expect(snippet.before).toBe('😀 ');
  });
});
