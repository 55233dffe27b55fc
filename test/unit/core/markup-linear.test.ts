// The markup parser's look-aheads stay linear on adversarial input (item 7 of the reliability issue).
// Work is counted (measureMarkupWork), never timed: a quadratic parser fails these by its count,
// and the generous timeout only stops a regression from hanging the suite.
import { describe, expect, it } from 'vitest';
import { inlineText, measureMarkupWork, type MarkupBlock, type MarkupInline } from '../../../src/core/markup';

const SIZE = 200_000;
const repeatTo = (unit: string, size = SIZE) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

function blockText(blocks: MarkupBlock[]): string {
  return blocks
    .map((b) => (b.type === 'paragraph' || b.type === 'heading' ? inlineText(b.children) : b.type === 'code-block' ? b.text : b.type === 'list' ? b.items.map(inlineText).join('\n') : ''))
    .join('\n');
}

function countNodes(nodes: MarkupInline[], type: MarkupInline['type']): number {
  let total = 0;
  for (const node of nodes) {
    if (node.type === type) total++;
    if ('children' in node) total += countNodes(node.children, type);
  }
  return total;
}

const ADVERSARIAL: [string, string][] = [
  ['[a]( repeated', repeatTo('[a](')],
  ['[a]( with spaces', repeatTo('[a]( x')],
  ['nested ( after ](', '[a](' + repeatTo('(')],
  ['](( with late closers', repeatTo('[x](((') + ')'.repeat(5000)],
  ['* alternating with letters', repeatTo('*a')],
  ['** _ ~~ mixes', repeatTo('**_~~a*_')],
  ['unclosed quotes', repeatTo('"a “b 「c ')],
  ['backtick runs of mixed lengths', repeatTo('``a`b```c')],
  ['bare URLs that fail', repeatTo('http://?')],
  ['bare URL with many closing parens', repeatTo('http://a' + ')'.repeat(2000) + ' ')],
  ['URL-char runs with dense http starts', repeatTo('http://%' + 'x'.repeat(8))],
  ['brackets never closed', repeatTo('[[a*')],
];

describe('markup parsing is linear on adversarial input', () => {
  for (const [name, input] of ADVERSARIAL) {
    it(`${name}: look-ahead work stays within a constant of the length and no text is lost`, { timeout: 60_000 }, () => {
      const { blocks, work } = measureMarkupWork(input);
      expect(work).toBeLessThanOrEqual(8 * input.length);
      // Nothing is dropped: every letter of the input is still visible (markup only adds structure).
      const letters = (s: string) => s.replace(/[^a-z]/g, '').length;
      expect(letters(blockText(blocks))).toBe(letters(input));
    });
  }

  it('doubling the input doubles the work, not quadruples it', { timeout: 60_000 }, () => {
    for (const unit of ['[a](', '[x](((', 'http://?', 'http://a' + ')'.repeat(2000) + ' ']) {
      const small = measureMarkupWork(repeatTo(unit, 100_000)).work;
      const large = measureMarkupWork(repeatTo(unit, 400_000)).work;
      expect(large, unit.slice(0, 12)).toBeLessThanOrEqual(4 * small + 4 * 2048 + 16);
    }
  });

  it('still links what it linked before, between the adversarial runs', () => {
    const text = '[a](' + '[b](https://example.com/x) and http://example.org/y).';
    const { blocks } = measureMarkupWork(text);
    const para = blocks[0];
    expect(para.type).toBe('paragraph');
    if (para.type !== 'paragraph') return;
    expect(countNodes(para.children, 'link')).toBe(2);
    expect(inlineText(para.children)).toBe('[a](b and http://example.org/y).');
  });

  it('a destination ends at the balancing paren on the same line, without inner whitespace', () => {
    const hrefs = (text: string) => {
      const para = measureMarkupWork(text).blocks[0];
      const out: string[] = [];
      const visit = (nodes: MarkupInline[]) => nodes.forEach((n) => (n.type === 'link' ? out.push(n.href) : 'children' in n && visit(n.children)));
      if (para && para.type === 'paragraph') visit(para.children);
      return out;
    };
    expect(hrefs('[w](https://en.wikipedia.org/wiki/Foo_(bar)) tail')).toEqual(['https://en.wikipedia.org/wiki/Foo_(bar)']);
    expect(hrefs('[w]( https://a.example/ )')).toEqual(['https://a.example/']);
    // Not destinations: the bracket stays text and the address inside links as a bare URL.
    expect(hrefs('[w](https://a.example/ x)')).toEqual(['https://a.example/']);
    expect(hrefs('[w](https://a.example/\n)')).toEqual(['https://a.example/']);
    expect(hrefs('[w](https://a.example/(x)')).toEqual(['https://a.example/(x)']);
    expect(hrefs('[a](x [b](https://b.example/)')).toEqual(['https://b.example/']);
    // Too long for a destination: at most the first 2 KB link as a bare URL.
    expect(hrefs('[a](https://a.example/' + 'x'.repeat(3000) + ')').every((href) => href.length <= 2048)).toBe(true);
    expect(hrefs('[a](https://a.example/) [b](https://b.example/)')).toEqual(['https://a.example/', 'https://b.example/']);
  });
});
