import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import {
  createMarkupParser,
  inlineText,
  MAX_INLINE_DEPTH,
  measureMarkupWork,
  parseInline,
  parseMarkup,
  sanitizeHref,
  type MarkupBlock,
  type MarkupInline,
} from '../../../src/core/markup';
import Markup from '../../../src/ui/shared/Markup.svelte';

/** Every inline node in the tree, depth first. */
function allInlines(blocks: MarkupBlock[]): MarkupInline[] {
  const out: MarkupInline[] = [];
  const visit = (nodes: MarkupInline[]) => {
    for (const node of nodes) {
      out.push(node);
      if ('children' in node) visit(node.children);
    }
  };
  for (const block of blocks) {
    if (block.type === 'paragraph' || block.type === 'heading') visit(block.children);
    else if (block.type === 'quote') out.push(...allInlines(block.children));
    else if (block.type === 'list') block.items.forEach(visit);
  }
  return out;
}

function links(text: string): string[] {
  return allInlines(parseMarkup(text)).flatMap((n) => (n.type === 'link' ? [n.href] : []));
}

/** All text a person would see, in order (quote marks included). */
function visibleText(blocks: MarkupBlock[]): string {
  return blocks
    .map((b) => {
      switch (b.type) {
        case 'paragraph':
        case 'heading':
          return inlineText(b.children);
        case 'quote':
          return visibleText(b.children);
        case 'list':
          return b.items.map(inlineText).join('\n');
        case 'code-block':
          return b.text;
        default:
          return '';
      }
    })
    .join('\n');
}

function depthOf(nodes: MarkupInline[]): number {
  let max = 0;
  for (const node of nodes) if ('children' in node) max = Math.max(max, 1 + depthOf(node.children));
  return max;
}

const SAFE_SCHEMES = /^(https?:\/\/|mailto:)/;

describe('parseMarkup: hostile input stays text', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">click</a>',
    '<svg/onload=alert(1)>',
    '&lt;script&gt;alert(1)&lt;/script&gt; &#106;avascript:alert(1) &amp;',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  ];
  for (const input of hostile) {
    it(`keeps ${JSON.stringify(input)} as literal text`, () => {
      const blocks = parseMarkup(input);
      expect(visibleText(blocks)).toBe(input);
      expect(links(input)).toEqual([]);
    });
  }

  const badLinks = [
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](  javascript:alert(1))',
    '[x](java\tscript:alert(1))',
    '[x](java%09script:alert(1))',
    '[x](javascript&#58;alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[x](vbscript:msgbox(1))',
    '[x](file:///etc/passwd)',
    '[x](/relative/path)',
    '[x](//evil.example.com)',
    '[x](\u0000javascript:alert(1))',
    '[x](https:evil)',
    '[x](https:/\\evil.com)',
    '[x](\u200bjavascript:alert(1))',
  ];
  for (const input of badLinks) {
    it(`makes no link of ${JSON.stringify(input)}`, () => {
      expect(links(input)).toEqual([]);
      // The characters are still shown, as text.
      expect(visibleText(parseMarkup(input))).toContain('x](');
    });
  }

  it('turns an HTML anchor into text; only a bare https URL inside it may link', () => {
    const input = '<a href=https://example.com onclick=alert(1)>x</a>';
    expect(visibleText(parseMarkup(input))).toBe(input);
    expect(links(input)).toEqual(['https://example.com/']);
  });

  it('links only http, https and mailto, normalised', () => {
    expect(links('[site](https://example.com/a?b=c#d)')).toEqual(['https://example.com/a?b=c#d']);
    expect(links('[site](HTTP://Example.com)')).toEqual(['http://example.com/']);
    expect(links('[mail](mailto:someone@example.com)')).toEqual(['mailto:someone@example.com']);
    expect(links('see https://example.com/wiki/Foo_(bar).')).toEqual(['https://example.com/wiki/Foo_(bar)']);
    expect(links('*go to https://example.com/x*')).toEqual(['https://example.com/x']);
    expect(links('ftp://example.com javascript://x')).toEqual([]);
  });

  it('sanitizeHref rejects everything but the allow-list', () => {
    for (const bad of ['javascript:alert(1)', ' JAVASCRIPT:alert(1)', 'data:,x', 'blob:https://a/b', 'about:blank', '', 'https://', 'http://exa mple.com', 'https://a.com/\nx']) {
      expect(sanitizeHref(bad), bad).toBeNull();
    }
    expect(sanitizeHref('  https://example.com  ')).toBe('https://example.com/');
  });

  it('every link in random junk has a safe scheme', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const atoms = ['[', ']', '(', ')', 'javascript:', 'https://a.b', 'data:', '*', '**', '_', '"', '“', '」', '`', '\n', '<', '>', '&#58;', ' ', 'x', '\\', '~~', 'h'];
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let k = 0; k < 60; k++) text += atoms[Math.floor(rand() * atoms.length)];
      for (const href of links(text)) expect(href, text).toMatch(SAFE_SCHEMES);
    }
  });

  it('survives unterminated markup of every kind', () => {
    for (const input of ['*open', '**open', '_open', '~~open', '`open', '"open', '“open', '「open', '[open', '[x](https://a', '```js\ncode', '#', '\\', '*"nested `code']) {
      expect(() => parseMarkup(input)).not.toThrow();
      expect(visibleText(parseMarkup(input)).length, input).toBeGreaterThan(0);
    }
    // Empty containers are fine too.
    for (const input of ['> ', '- ', '1. ', '```', '* ', '[](', '](']) expect(() => parseMarkup(input)).not.toThrow();
  });

  it('caps nesting and stays fast on thousands of delimiters', () => {
    for (const input of [
      '*'.repeat(5000) + 'x' + '*'.repeat(5000),
      '*a '.repeat(5000),
      '"a '.repeat(5000),
      '「'.repeat(5000),
      '[' .repeat(5000) + ']('.repeat(3000),
      '`'.repeat(5000),
      '>'.repeat(5000) + ' deep',
      '_a '.repeat(5000) + '_'.repeat(3),
      '~~a '.repeat(5000),
      '# a' + ' '.repeat(20000) + '#x',
      '```' + 'a'.repeat(20000) + '`',
      '- ' + ' '.repeat(20000) + 'x',
      '[a](' + '('.repeat(20000),
      'https://' + 'a'.repeat(20000) + ')'.repeat(5000),
      '{{'.repeat(10000),
    ]) {
      const blocks = parseMarkup(input);
      expect(measureMarkupWork(input).work).toBeLessThanOrEqual(8 * input.length);
      for (const block of blocks) {
        if (block.type === 'paragraph') expect(depthOf(block.children)).toBeLessThanOrEqual(MAX_INLINE_DEPTH);
      }
    }
  });

  it('parses huge input without throwing', () => {
    const chunk = '*She smiles.* "Hello, [friend](https://example.com)!" **bold** `x` <b>hi</b>\n';
    const huge = chunk.repeat(20000); // ~1.6 MB
    const blocks = parseMarkup(huge);
    expect(blocks.length).toBeGreaterThan(0);
    // Speed is the benchmark's business (bench/markup.bench.ts); here: look-ahead work stays linear.
    expect(measureMarkupWork(huge).work).toBeLessThanOrEqual(8 * huge.length);
  }, 30_000); // two passes over 1.6 MB: seconds on a loaded 2-core machine

  it('parses a 20 KB reply quickly enough to re-parse every frame', () => {
    const line = '*She leans closer, eyes narrowing.* "You really think **that** will work?" she whispers, tapping the `map`. ';
    const reply = (line.repeat(Math.ceil(20000 / line.length)) + '\n\n').repeat(1).slice(0, 20000);
    // Re-parsed on every drawn frame of a stream: no look-ahead may re-read the text (timings: npm run bench).
    expect(parseMarkup(reply).length).toBeGreaterThan(0);
    expect(measureMarkupWork(reply).work).toBeLessThanOrEqual(8 * reply.length);
  });

  it('never throws on odd values', () => {
    expect(parseMarkup(undefined as unknown as string)).toEqual([]);
    expect(parseMarkup(null as unknown as string)).toEqual([]);
    expect(parseMarkup(42 as unknown as string)).toEqual([{ type: 'paragraph', children: [{ type: 'text', text: '42' }] }]);
    expect(parseMarkup('')).toEqual([]);
  });
});

describe('parseMarkup: role-play lines', () => {
  it('reads actions, speech and emphasis as a reader expects', () => {
    expect(parseInline('*She smiles.* "Hello there!" **Really.** _softly_ ~~no~~')).toEqual([
      { type: 'action', children: [{ type: 'text', text: 'She smiles.' }] },
      { type: 'text', text: ' ' },
      { type: 'speech', openMark: '"', closeMark: '"', children: [{ type: 'text', text: 'Hello there!' }] },
      { type: 'text', text: ' ' },
      { type: 'strong', children: [{ type: 'text', text: 'Really.' }] },
      { type: 'text', text: ' ' },
      { type: 'em', children: [{ type: 'text', text: 'softly' }] },
      { type: 'text', text: ' ' },
      { type: 'del', children: [{ type: 'text', text: 'no' }] },
    ]);
  });

  it('nests speech in actions and actions in speech', () => {
    expect(parseInline('*she whispers "run"*')).toEqual([
      {
        type: 'action',
        children: [
          { type: 'text', text: 'she whispers ' },
          { type: 'speech', openMark: '"', closeMark: '"', children: [{ type: 'text', text: 'run' }] },
        ],
      },
    ]);
    const inner = parseInline('"Wait *grabs your arm* please."')[0];
    expect(inner.type).toBe('speech');
    expect(inner.type === 'speech' && inner.children.map((c) => c.type)).toEqual(['text', 'action', 'text']);
    expect(parseInline('***Stop!***')).toEqual([{ type: 'strong', children: [{ type: 'action', children: [{ type: 'text', text: 'Stop!' }] }] }]);
  });

  it('knows curly and CJK quotes and keeps the marks', () => {
    const zh = parseInline('他笑了笑，*点头*说：「你好『朋友』」“再见”');
    expect(zh.map((n) => n.type)).toEqual(['text', 'action', 'text', 'speech', 'speech']);
    const corner = zh[3];
    expect(corner).toMatchObject({ openMark: '「', closeMark: '」' });
    expect(corner.type === 'speech' && corner.children[1]).toMatchObject({ type: 'speech', openMark: '『', closeMark: '』' });
    expect(parseInline('他说"你好"')[1]).toMatchObject({ type: 'speech', openMark: '"', closeMark: '"' });
  });

  it('leaves ordinary asterisks, underscores, inches and tildes alone', () => {
    for (const plain of ['f*ck this', '2*3 = 6', 'a * b', 'snake_case_name', 'He is 6\'2" tall', 'Nya~ hello~~ there', 'price: 5*']) {
      expect(parseInline(plain), plain).toEqual([{ type: 'text', text: plain }]);
    }
  });

  it('renders half-written markup as open, not as flickering text', () => {
    expect(parseInline('*She walks to the')).toEqual([{ type: 'action', unclosed: true, children: [{ type: 'text', text: 'She walks to the' }] }]);
    expect(parseInline('"I never')).toEqual([{ type: 'speech', openMark: '"', closeMark: '', children: [{ type: 'text', text: 'I never' }] }]);
    expect(parseInline('「你')).toEqual([{ type: 'speech', openMark: '「', closeMark: '', children: [{ type: 'text', text: '你' }] }]);
    // Growing one character at a time, the action never turns back into plain text.
    const full = '*She laughs.* "Fine."';
    for (let k = 2; k <= full.length; k++) {
      const first = parseInline(full.slice(0, k))[0];
      expect(first.type, full.slice(0, k)).toBe('action');
    }
  });

  it('parses blocks', () => {
    expect(parseMarkup('## Title ##')).toEqual([{ type: 'heading', level: 2, children: [{ type: 'text', text: 'Title' }] }]);
    expect(parseMarkup('#### C# #')[0]).toMatchObject({ level: 3, children: [{ type: 'text', text: 'C#' }] });
    expect(parseMarkup('```ts title\nx\n```')[0]).toEqual({ type: 'code-block', lang: 'ts', text: 'x' });
    const blocks = parseMarkup('# Title\n\nLine one\nline two\n\n> quoted *x*\n\n- a\n- b\n\n3. c\n4. d\n\n```js\nlet a = "<b>";\n```\n\n***\n\n* waves *');
    expect(blocks.map((b) => b.type)).toEqual(['heading', 'paragraph', 'quote', 'list', 'list', 'code-block', 'hr', 'paragraph']);
    expect(blocks[1]).toEqual({
      type: 'paragraph',
      children: [{ type: 'text', text: 'Line one' }, { type: 'break' }, { type: 'text', text: 'line two' }],
    });
    expect(blocks[4]).toMatchObject({ ordered: true, start: 3 });
    expect(blocks[5]).toEqual({ type: 'code-block', lang: 'js', text: 'let a = "<b>";' });
    // "* waves *" is a spaced-out action line, not a bullet.
    expect(blocks[7].type).toBe('paragraph');
  });

  it('keeps unchanged blocks identical across streaming re-parses', () => {
    const parse = createMarkupParser();
    const a = parse('First paragraph.\n\n*Second is streaming');
    const b = parse('First paragraph.\n\n*Second is streaming in*');
    expect(b[0]).toBe(a[0]);
    expect(b[1]).not.toBe(a[1]);
    expect(b[1]).toEqual(parseMarkup('*Second is streaming in*')[0]);
  });
});

describe('Markup.svelte', () => {
  const renderText = (text: string) => render(Markup, { props: { text } }).body;

  it('escapes hostile HTML and never emits a dangerous attribute', () => {
    const html = renderText(
      '<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](data:text/html,<script>alert(2)</script>)\n<a href="javascript:alert(3)">a</a>',
    );
    expect(html).toContain('&lt;script');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    // The words are there, as text; no real tag carries them as attributes.
    expect(html).toContain('onerror=alert(1)');
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) {
      expect(tag).toMatch(/^<(div|p|br|span)[\s/>]/); // only the renderer's own elements
      expect(tag).not.toMatch(/\son\w+=/i);
      expect(tag).not.toMatch(/(javascript|data|vbscript):/i);
    }
    expect(html).not.toMatch(/<a[\s>]/); // none of those links was safe
  });

  it('renders role-play markup with semantic elements', () => {
    const html = renderText('*She smiles.* "Hello!" **now** [site](https://example.com)');
    expect(html).toMatch(/<em class="action[^"]*">[^<]*(<!--[^>]*-->)*She smiles\./);
    expect(html).toMatch(/<span class="speech[^"]*">/);
    expect(html).toMatch(/<strong[^>]*>(<!--[^>]*-->)*now/);
    expect(html).toContain('href="https://example.com/"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('target="_blank"');
  });
});
