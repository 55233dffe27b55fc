import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../../src/core/sse';

const STREAM = [
  ': keep-alive',
  '',
  'data: {"choices":[{"delta":{"content":"Hel"}}]}',
  '',
  'event: message',
  'data: {"choices":[{"delta":{"content":"lo"}}]}',
  '',
  'data: first line',
  'data: second line',
  '',
  'event: error',
  'data: {"error":{"message":"boom"}}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"choices":[{"delta":{"content":"Hel"}}]}' },
  { event: 'message', data: '{"choices":[{"delta":{"content":"lo"}}]}' },
  { event: 'message', data: 'first line\nsecond line' },
  { event: 'error', data: '{"error":{"message":"boom"}}' },
  { event: 'message', data: '[DONE]' },
];

function parseInPieces(text: string, cuts: number[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    events.push(...parser.push(text.slice(from, cut)));
    from = cut;
  }
  return events;
}

describe('SseParser', () => {
  it('reads data events, named error events and [DONE], and skips keep-alive comments', () => {
    expect(parseInPieces(STREAM, [])).toEqual(EXPECTED);
  });

  it('gives the same events however the stream is split into chunks', () => {
    for (let cut = 1; cut < STREAM.length; cut++) expect(parseInPieces(STREAM, [cut])).toEqual(EXPECTED);
    expect(parseInPieces(STREAM, Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1))).toEqual(EXPECTED);
  });

  it('takes \\r\\n and \\r line breaks, even a \\r\\n split between two chunks', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    for (let cut = 1; cut < crlf.length; cut++) expect(parseInPieces(crlf, [cut])).toEqual(EXPECTED);
    expect(parseInPieces(STREAM.replace(/\n/g, '\r'), [7, 40])).toEqual(EXPECTED);
  });

  it('keeps a partial event until its blank line arrives, and drops it if the stream ends first', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a":1}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: '{"a":1}' }]);
    expect(parser.push('data: cut off')).toEqual([]);
    parser.end();
    expect(parser.push('\n\n')).toEqual([]);
  });

  it('keeps a value with no space after the colon, and a colon inside the value', () => {
    expect(new SseParser().push('data:{"t":"a: b"}\n\n')).toEqual([{ event: 'message', data: '{"t":"a: b"}' }]);
  });
});
