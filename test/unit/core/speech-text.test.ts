import { describe, expect, it } from 'vitest';
import { SentenceStream, sentencesOf, speakableText } from '../../../src/core/speech-text';

describe('text read aloud', () => {
  it('leaves out actions, code and markup signs, keeping speech and narration', () => {
    expect(speakableText('*waves* **Hello**, _friend_. `rm -rf` "Come in."')).toBe('  Hello, friend.   "Come in."');
    expect(sentencesOf('# Night\n\n*lights the lamp* The lamp is lit.\n\n```\ncode\n```')).toEqual(['Night', 'The lamp is lit.']);
  });

  it('splits English sentences at . ! ? followed by a space, not inside numbers, an ellipsis kept whole', () => {
    expect(sentencesOf('Is it 3.5 miles? "Yes," she said. Wait... no! Go')).toEqual(['Is it 3.5 miles?', '"Yes," she said.', 'Wait...', 'no!', 'Go']);
  });

  it('splits Chinese sentences at full-width ends, closing quotes included', () => {
    expect(sentencesOf('「你好。」*笑*我是胡不归！你要喝茶吗？好的')).toEqual(['「你好。」', '我是胡不归！', '你要喝茶吗？', '好的']);
  });

  it('gives each sentence of a streaming reply once, as soon as it is complete, and the rest at the end', () => {
    const stream = new SentenceStream();
    // "lit." at the very end may yet become "lit..." or "lit.5": it waits for what follows.
    const heard = ['Hel', 'Hello. Th', 'Hello. The lamp is lit.', 'Hello. The lamp is lit. *looks out* Go'].map((text) => stream.next(text));
    expect(heard).toEqual([[], ['Hello.'], [], ['The lamp is lit.']]);
    expect(stream.finish('Hello. The lamp is lit. *looks out* Go now')).toEqual(['Go now']);
  });
});
