import { describe, expect, it } from 'vitest';
import { openParagraphStart } from '../../../src/core/markup';

const split = (text: string) => {
  const cut = openParagraphStart(text);
  return [text.slice(0, cut), text.slice(cut)];
};

describe('openParagraphStart: where the paragraph still being written begins', () => {
  it('is after the last blank line, whatever the line endings', () => {
    expect(split('*She bows.*\n\n"Hello," she says')).toEqual(['*She bows.*\n\n', '"Hello," she says']);
    expect(split('One.\n\nTwo.\n \t\nThree *and')).toEqual(['One.\n\nTwo.\n \t\n', 'Three *and']);
    expect(split('One.\r\n\r\nTwo')).toEqual(['One.\r\n\r\n', 'Two']);
  });

  it('keeps a paragraph of several lines open until a blank line closes it', () => {
    expect(split('Line one\nline *two')).toEqual(['', 'Line one\nline *two']);
    expect(split('Done.\n\n')).toEqual(['Done.\n\n', '']);
    expect(split('')).toEqual(['', '']);
  });
});
