import { describe, expect, it } from 'vitest';
import { LINE_CHUNK, nextCut, TEXT_CHUNK, visibleLines, visiblePart } from '../../../src/core/text-chunks';

describe('text chunks for lazy rendering', () => {
  it('shows short text whole', () => {
    expect(visiblePart('hello', 0)).toEqual({ text: 'hello', end: 5, more: false });
    expect(nextCut('', 0)).toBe(0);
  });

  it('cuts a 10 MB field into chunks of at most TEXT_CHUNK characters, at paragraph breaks when it can', () => {
    const para = 'word '.repeat(300).trim() + '\n\n';
    const huge = para.repeat(Math.ceil(10_000_000 / para.length));
    const first = visiblePart(huge, 0);
    expect(first.more).toBe(true);
    expect(first.text.length).toBeLessThanOrEqual(TEXT_CHUNK);
    expect(first.text.endsWith('\n\n')).toBe(true);
    let shown = first.end;
    let steps = 1;
    while (shown < huge.length) {
      const next = nextCut(huge, shown);
      expect(next - shown).toBeGreaterThan(0);
      expect(next - shown).toBeLessThanOrEqual(TEXT_CHUNK);
      shown = next;
      steps++;
    }
    expect(steps).toBeGreaterThanOrEqual(10_000_000 / TEXT_CHUNK);
  });

  it('falls back to a line break, then a space, then the limit, never splitting a surrogate pair', () => {
    expect(nextCut('a'.repeat(90) + '\n' + 'b'.repeat(100), 0, 100)).toBe(91);
    expect(nextCut('a'.repeat(90) + ' ' + 'b'.repeat(100), 0, 100)).toBe(91);
    expect(nextCut('a'.repeat(300), 0, 100)).toBe(100);
    expect(nextCut('a'.repeat(99) + '😀' + 'a'.repeat(100), 0, 100)).toBe(99);
    // A break too early in the chunk is not used: the chunk would be tiny.
    expect(nextCut('a\n\n' + 'b'.repeat(300), 0, 100)).toBe(100);
  });

  it('keeps what is shown when the text grows (a streaming reply)', () => {
    const long = 'x '.repeat(TEXT_CHUNK);
    const { end } = visiblePart(long, 0);
    expect(visiblePart(long + 'more', end).end).toBe(end);
  });
});

describe('Markup renders long text lazily', () => {
  it('renders only the first chunk of a 10 MB field, with a Show more button', async () => {
    const { render } = await import('svelte/server');
    const { default: Markup } = await import('../../../src/ui/shared/Markup.svelte');
    const huge = ('*She smiles.* "Hello, [friend](https://example.com)!" <b>x</b>\n\n').repeat(160_000); // ~10 MB
    const html = render(Markup, { props: { text: huge } }).body;
    // About 200 KB of HTML for the first 20 KB; all of it would be ~100 MB.
    expect(html.length).toBeLessThan(huge.length / 20);
    expect(html).toContain('>Show more</button>');
    expect(html).toContain('type="button"');
    expect(html).not.toContain('<b>');
    const short = render(Markup, { props: { text: 'Just a line.' } }).body;
    expect(short).not.toContain('Show more');
  });
});

describe('visibleLines: a scene shown a chunk of lines at a time', () => {
  const line = (text: string) => ({ speaker: 'A', text });

  it('shows a short scene whole', () => {
    const lines = [line('hi'), line('there')];
    expect(visibleLines(lines, 0)).toEqual({ lines: lines.map((l) => ({ line: l, text: l.text })), more: false });
  });

  it('shows 500,000 lines LINE_CHUNK at a time, one more chunk per press', () => {
    const lines = Array.from({ length: 500_000 }, (_, i) => line(`line ${i}`));
    const first = visibleLines(lines, 0);
    expect(first.lines).toHaveLength(LINE_CHUNK);
    expect(first.more).toBe(true);
    expect(visibleLines(lines, 2).lines).toHaveLength(3 * LINE_CHUNK);
    expect(visibleLines(lines, 2).lines[3 * LINE_CHUNK - 1].text).toBe(`line ${3 * LINE_CHUNK - 1}`);
  });

  it('cuts one 50 MB line to the character budget, and shows more of it per press', () => {
    const huge = 'word '.repeat(10_000_000);
    const first = visibleLines([line(huge), line('after')], 0);
    expect(first.lines).toHaveLength(1);
    expect(first.lines[0].text.length).toBeLessThanOrEqual(TEXT_CHUNK);
    expect(first.lines[0].text.length).toBeGreaterThan(TEXT_CHUNK / 2);
    expect(huge.startsWith(first.lines[0].text)).toBe(true);
    expect(first.more).toBe(true);
    const second = visibleLines([line(huge), line('after')], 1);
    expect(second.lines[0].text.length).toBeGreaterThan(first.lines[0].text.length);
    expect(second.lines[0].text.length).toBeLessThanOrEqual(2 * TEXT_CHUNK);
  });

  it('stops at the character budget even when the lines are few', () => {
    const lines = Array.from({ length: 10 }, () => line('x'.repeat(TEXT_CHUNK / 4)));
    const first = visibleLines(lines, 0);
    expect(first.lines).toHaveLength(4);
    expect(first.more).toBe(true);
  });
});
