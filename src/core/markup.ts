// Role-play markup: turns untrusted text into a small AST that components render as plain text, never HTML.
//
// Why an AST and not sanitised HTML: character cards, imported chats and model output are hostile
// input. Nothing here ever produces markup strings; a renderer interpolates `text` fields (which
// Svelte escapes) and only ever sets `href` from `sanitizeHref`, an allow-list of http:, https:
// and mailto:. There is no HTML parsing at all: `<script>` is just eight characters of text.
//
// Why hand-written and single-pass: replies are re-parsed on every animation frame while they
// stream, so parsing must be linear (no backtracking regexes over the whole text), must not throw,
// and must treat half-written markup at the end as *open* (an unclosed `*` is an open action, an
// unclosed quote is open speech) so the styling does not flicker as the closing mark arrives.
//
// Linear for every input, not only typical replies (a card field can be megabytes of one line):
// emphasis, quotes and brackets live on one delimiter stack at most MAX_INLINE_DEPTH deep, so an
// unclosed opener is never looked for again; the only look-aheads are backticks (a miss ends the
// parse: the rest is code), link destinations (answered by one forward paren matcher and
// forward-only cursors shared by the whole paragraph, so `[a](` repeated costs O(1) each) and bare
// URLs (a URL-character run is scanned once: after a failed attempt no URL starts inside it).
// `measureMarkupWork` counts the characters those look-aheads visit so tests can check this.

export type MarkupInline =
  | { type: 'text'; text: string }
  | { type: 'break' }
  /** `*x*`: a role-play action (narration). */
  | { type: 'action'; children: MarkupInline[]; unclosed?: true }
  /** `_x_`: plain emphasis. */
  | { type: 'em'; children: MarkupInline[]; unclosed?: true }
  | { type: 'strong'; children: MarkupInline[]; unclosed?: true }
  | { type: 'del'; children: MarkupInline[]; unclosed?: true }
  | { type: 'code'; text: string; unclosed?: true }
  /** Quoted speech; the quote marks are kept (closeMark is '' while the quote is still open). */
  | { type: 'speech'; openMark: string; closeMark: string; children: MarkupInline[] }
  /** href is always the output of `sanitizeHref` (http:, https: or mailto:). */
  | { type: 'link'; href: string; children: MarkupInline[] };

export type MarkupBlock =
  | { type: 'paragraph'; children: MarkupInline[] }
  | { type: 'heading'; level: 1 | 2 | 3; children: MarkupInline[] }
  | { type: 'quote'; children: MarkupBlock[] }
  | { type: 'list'; ordered: boolean; start: number; items: MarkupInline[][] }
  | { type: 'code-block'; lang: string; text: string; unclosed?: true }
  | { type: 'hr' };

/** Open inline containers at once; deeper openers stay literal text (bounds work and DOM depth). */
export const MAX_INLINE_DEPTH = 12;
/** Nested `>` quotes; deeper levels are shown as text. */
export const MAX_QUOTE_DEPTH = 6;
const MAX_HREF = 2048;
const MAX_TICKS = 16;

/** Characters visited by look-aheads (instrumentation for tests and benchmarks, not behaviour). */
let scanWork = 0;

/**
 * Parses `text` and returns how many characters the parser's look-aheads visited beyond the main
 * pass. Linear parsing means this stays within a small constant times `text.length`.
 */
export function measureMarkupWork(text: string): { blocks: MarkupBlock[]; work: number } {
  scanWork = 0;
  const blocks = parseMarkup(text);
  return { blocks, work: scanWork };
}

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * The only way an href reaches the AST. Returns a normalised URL for http:, https: and mailto:,
 * otherwise null. Rejects anything with control characters or whitespace inside (browsers strip
 * tabs and newlines from URLs, which is how `java\tscript:` slips past naive checks), anything
 * that does not literally start with an allowed scheme (so entity-encoded or relative forms fail),
 * and anything the URL parser does not read as an allowed protocol.
 */
export function sanitizeHref(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length > MAX_HREF * 2) return null;
  const trimmed = raw.trim();
  scanWork += raw.length;
  if (trimmed.length === 0 || trimmed.length > MAX_HREF) return null;
  if (/[\u0000-\u0020\u007f-\u009f\u00ad\u2028\u2029\ufeff]/.test(trimmed)) return null;
  if (!/^(?:https?:\/\/|mailto:)/i.test(trimmed)) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol !== 'mailto:' && url.hostname === '') return null;
  return url.href;
}

// ---------------------------------------------------------------------------------------------
// Blocks

/** Parses text into blocks. Pure; never throws (on an internal failure it returns the text as one paragraph). */
export function parseMarkup(text: string): MarkupBlock[] {
  return parseWith(text, null);
}

/**
 * A parser for one live view (a streaming message): blocks whose source did not change since the
 * previous call come back as the *same objects*, so a keyed or index-based `{#each}` leaves their
 * DOM untouched and only the growing tail re-renders.
 */
/**
 * Where the last paragraph of a text still being written begins: after its last blank line (0
 * when it has none). What comes before is closed: its markup no longer changes as text arrives,
 * so a streaming view parses it once and shows the open paragraph as plain text until it closes.
 */
export function openParagraphStart(text: string): number {
  for (let at = text.lastIndexOf('\n'); at > 0; at = text.lastIndexOf('\n', at - 1)) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    if (text.slice(lineStart, at).trim() === '') return at + 1;
  }
  return 0;
}

export function createMarkupParser(): (text: string) => MarkupBlock[] {
  let previous = new Map<string, MarkupBlock>();
  return (text: string) => {
    const next = new Map<string, MarkupBlock>();
    const blocks = parseWith(text, { previous, next });
    previous = next;
    return blocks;
  };
}

interface Memo {
  previous: Map<string, MarkupBlock>;
  next: Map<string, MarkupBlock>;
}

function parseWith(text: string, memo: Memo | null): MarkupBlock[] {
  const source = typeof text === 'string' ? text : text == null ? '' : String(text);
  try {
    return parseBlocks(source.split(/\r\n|\r|\n/), 0, memo);
  } catch {
    return source ? [{ type: 'paragraph', children: [{ type: 'text', text: source }] }] : [];
  }
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})([^`]*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*)$/;
const QUOTE = /^ {0,3}>/;
const QUOTE_STRIP = /^ {0,3}> ?/;
const BULLET = /^ {0,3}([-+*])[ \t]+(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})[.)][ \t]+(.*)$/;

function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

function isHr(line: string): boolean {
  const s = line.replace(/[ \t]/g, '');
  if (s.length < 3 || line.length - line.trimStart().length > 3) return false;
  const c = s[0];
  if (c !== '-' && c !== '*' && c !== '_') return false;
  for (let i = 1; i < s.length; i++) if (s[i] !== c) return false;
  return true;
}

interface ListItemMatch {
  ordered: boolean;
  marker: string;
  number: number;
  content: string;
}

function matchListItem(line: string): ListItemMatch | null {
  const b = BULLET.exec(line);
  // "* smiles *" is a spaced-out action in role-play, not a bullet.
  if (b && !(b[1] === '*' && b[2].trimEnd().endsWith('*'))) {
    return { ordered: false, marker: b[1], number: 0, content: b[2] };
  }
  const o = ORDERED.exec(line);
  if (o) return { ordered: true, marker: '', number: Number(o[1]), content: o[2] };
  return null;
}

/** Whether a line starts a block of its own even right after paragraph text. */
function interruptsParagraph(line: string): boolean {
  if (FENCE_OPEN.test(line) || isHr(line) || HEADING.test(line) || QUOTE.test(line)) return true;
  const item = matchListItem(line);
  // As in CommonMark, only "1." may interrupt a paragraph ("born in\n1990. Then" stays text).
  return item !== null && (!item.ordered || item.number === 1);
}

function parseBlocks(lines: string[], depth: number, memo: Memo | null): MarkupBlock[] {
  const blocks: MarkupBlock[] = [];
  const emit = (kind: string, from: number, to: number, build: () => MarkupBlock) => {
    if (!memo || depth > 0) {
      blocks.push(build());
      return;
    }
    const key = kind + '\u0000' + lines.slice(from, to).join('\n');
    let block = memo.previous.get(key);
    if (block) memo.previous.delete(key); // each old block is reused at most once per call
    else block = build();
    if (!memo.next.has(key)) memo.next.set(key, block);
    blocks.push(block);
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const start = i;

    const fence = FENCE_OPEN.exec(line);
    if (fence) {
      const mark = fence[1];
      let j = i + 1;
      while (j < lines.length) {
        const close = FENCE_CLOSE.exec(lines[j]);
        if (close && close[1][0] === mark[0] && close[1].length >= mark.length) break;
        j++;
      }
      const unclosed = j >= lines.length;
      const lang = (fence[2].trim().split(/\s/, 1)[0] ?? '').replace(/[^\w+#.-]/g, '').slice(0, 32);
      const body = lines.slice(i + 1, j);
      i = unclosed ? j : j + 1;
      emit('code' + (unclosed ? '~' : ''), start, i, () =>
        unclosed ? { type: 'code-block', lang, text: body.join('\n'), unclosed: true } : { type: 'code-block', lang, text: body.join('\n') },
      );
      continue;
    }

    if (isHr(line)) {
      i++;
      emit('hr', start, i, () => ({ type: 'hr' }));
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(3, heading[1].length) as 1 | 2 | 3;
      const content = stripClosingHashes(heading[2]);
      i++;
      emit('h', start, i, () => ({ type: 'heading', level, children: parseInline(content) }));
      continue;
    }

    if (QUOTE.test(line) && depth < MAX_QUOTE_DEPTH) {
      const inner: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) {
        inner.push(lines[i].replace(QUOTE_STRIP, ''));
        i++;
      }
      emit('q', start, i, () => ({ type: 'quote', children: parseBlocks(inner, depth + 1, memo) }));
      continue;
    }

    const first = matchListItem(line);
    if (first) {
      const items: string[][] = [[first.content]];
      i++;
      while (i < lines.length) {
        const next = lines[i];
        if (isBlank(next)) {
          // A blank line continues the list only when another item of the same kind follows.
          let k = i + 1;
          while (k < lines.length && isBlank(lines[k])) k++;
          const after = k < lines.length ? matchListItem(lines[k]) : null;
          if (after && sameList(first, after)) {
            i = k;
            continue;
          }
          break;
        }
        const item = matchListItem(next);
        if (item) {
          if (!sameList(first, item)) break;
          items.push([item.content]);
          i++;
          continue;
        }
        if (FENCE_OPEN.test(next) || isHr(next) || HEADING.test(next) || QUOTE.test(next)) break;
        items[items.length - 1].push(next.trim()); // continuation line of the current item
        i++;
      }
      const ordered = first.ordered;
      const startNumber = first.number;
      emit(ordered ? 'ol' : 'ul', start, i, () => ({
        type: 'list',
        ordered,
        start: ordered ? startNumber : 1,
        items: items.map((item) => parseInline(item.join('\n'))),
      }));
      continue;
    }

    // Paragraph: every newline inside is a line break (chat text, not prose to re-flow).
    const para: string[] = [line.trim()];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !interruptsParagraph(lines[i])) {
      para.push(lines[i].trim());
      i++;
    }
    emit('p', start, i, () => ({ type: 'paragraph', children: parseInline(para.join('\n')) }));
  }
  return blocks;
}

/** "Title ##" -> "Title" (done by hand: a regex for it backtracks quadratically on long lines). */
function stripClosingHashes(text: string): string {
  const content = text.trimEnd();
  let j = content.length;
  while (j > 0 && content[j - 1] === '#') j--;
  if (j < content.length && (j === 0 || content[j - 1] === ' ' || content[j - 1] === '\t')) return content.slice(0, j).trim();
  return content.trim();
}

function sameList(a: ListItemMatch, b: ListItemMatch): boolean {
  return a.ordered === b.ordered && a.marker === b.marker;
}

// ---------------------------------------------------------------------------------------------
// Inline

type FrameKind = 'root' | 'action' | 'em' | 'strong' | 'del' | 'speech' | 'bracket';

interface Frame {
  kind: FrameKind;
  /** The literal opening text, put back if the frame turns out not to be markup. */
  marker: string;
  /** For speech: the mark that closes it. For emphasis: the delimiter character. */
  close: string;
  children: MarkupInline[];
}

const QUOTE_PAIRS: Record<string, string> = { '"': '"', '\u201c': '\u201d', '\u300c': '\u300d', '\u300e': '\u300f' };
const QUOTE_CLOSERS: Record<string, string> = { '\u201d': '\u201c', '\u300d': '\u300c', '\u300f': '\u300e' };

// Characters that may start markup; everything else is copied through in one slice.
const SPECIAL = new Uint8Array(128);
for (const ch of '\\\n`*_~"[]hH') SPECIAL[ch.charCodeAt(0)] = 1;

// Characters a bare URL may contain. `*` is left out on purpose: role-play wraps links in actions.
const URL_CHAR = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#@!$&'()+,;=%") {
  URL_CHAR[ch.charCodeAt(0)] = 1;
}

const ASCII_PUNCT = new Uint8Array(128);
for (const ch of '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~') ASCII_PUNCT[ch.charCodeAt(0)] = 1;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 0xa0 || code === 0x3000 || (code >= 0x2000 && code <= 0x200a);
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/** Letters and digits of any script (only asked at delimiters, so the regex cost is rare). */
function isWordChar(code: number): boolean {
  if (code < 0) return false;
  if (code < 128) return isAsciiAlnum(code);
  return LETTER_OR_NUMBER.test(String.fromCharCode(code));
}

function pushText(list: MarkupInline[], text: string): void {
  if (text.length === 0) return;
  const last = list[list.length - 1];
  if (last !== undefined && last.type === 'text') {
    list[list.length - 1] = { type: 'text', text: last.text + text };
  } else {
    list.push({ type: 'text', text });
  }
}

function pushNode(list: MarkupInline[], node: MarkupInline): void {
  if (node.type === 'text') pushText(list, node.text);
  else list.push(node);
}

/** Parses one paragraph's worth of inline markup. Exported for tests and single-line labels. */
export function parseInline(text: string): MarkupInline[] {
  const n = text.length;
  const root: Frame = { kind: 'root', marker: '', close: '', children: [] };
  const stack: Frame[] = [root];
  let i = 0;
  let textStart = 0;
  let destinations: DestinationScanner | null = null;
  /** No bare URL starts before this index: a failed attempt already scanned the run up to here. */
  let noUrlBefore = 0;

  const top = () => stack[stack.length - 1];
  const flush = (end: number) => {
    if (end > textStart) pushText(top().children, text.slice(textStart, end));
  };
  const canPush = (count: number) => stack.length - 1 + count <= MAX_INLINE_DEPTH;
  const open = (kind: FrameKind, marker: string, close: string) => {
    stack.push({ kind, marker, close, children: [] });
  };
  /** Turns every frame above `index` back into literal text inside its parent. */
  const collapseAbove = (index: number) => {
    while (stack.length - 1 > index) {
      const frame = stack.pop() as Frame;
      const parent = top().children;
      pushText(parent, frame.marker);
      for (const child of frame.children) pushNode(parent, child);
    }
  };
  const findFrame = (match: (frame: Frame) => boolean): number => {
    for (let k = stack.length - 1; k > 0; k--) if (match(stack[k])) return k;
    return -1;
  };
  /** Closes the frame at `index` (collapsing any above it) into a finished node. */
  const closeFrame = (index: number, closeMark: string) => {
    collapseAbove(index);
    const frame = stack.pop() as Frame;
    top().children.push(toNode(frame, closeMark, false));
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 ? SPECIAL[c] === 0 : c !== 0x201c && c !== 0x201d && (c < 0x300c || c > 0x300f)) {
      i++;
      continue;
    }
    const ch = text[i];

    if (ch === '\\') {
      const next = text.charCodeAt(i + 1);
      if (next < 128 && ASCII_PUNCT[next] === 1) {
        flush(i);
        textStart = i + 1; // the escaped character starts the next run of text
        i += 2;
      } else {
        i++;
      }
      continue;
    }

    if (ch === '\n') {
      flush(i);
      top().children.push({ type: 'break' });
      i++;
      textStart = i;
      continue;
    }

    if (ch === '`') {
      let r = 1;
      while (text.charCodeAt(i + r) === 96) r++;
      if (r > MAX_TICKS) {
        i += r;
        continue;
      }
      flush(i);
      const close = findTicks(text, i + r, r);
      if (close < 0) {
        // Unclosed: the rest is code (streaming shows it as code at once instead of flickering).
        top().children.push({ type: 'code', text: text.slice(i + r).replace(/\n/g, ' '), unclosed: true });
        i = n;
        textStart = n;
        break;
      }
      let body = text.slice(i + r, close).replace(/\n/g, ' ');
      if (body.length > 2 && body[0] === ' ' && body[body.length - 1] === ' ' && body.trim() !== '') body = body.slice(1, -1);
      top().children.push({ type: 'code', text: body });
      i = close + r;
      textStart = i;
      continue;
    }

    if (ch === '*' || ch === '_' || ch === '~') {
      let r = 1;
      while (text[i + r] === ch) r++;
      const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
      const next = i + r < n ? text.charCodeAt(i + r) : -1;
      const prevSpace = prev < 0 || isSpace(prev);
      const nextSpace = next < 0 || isSpace(next);
      let canOpen = !nextSpace;
      let canClose = !prevSpace;
      if (ch === '_') {
        // snake_case: an underscore inside a word neither opens nor closes.
        if (isWordChar(prev)) canOpen = false;
        if (isWordChar(next)) canClose = false;
      } else if (isAsciiAlnum(prev) && isAsciiAlnum(next)) {
        // "f*ck", "2*3": inside an ASCII word a star may close an open span but never opens one.
        // (CJK has no spaces, so 他*笑了*说 must still work: only ASCII counts here.)
        canOpen = false;
      }
      const tooLong = ch === '~' ? r !== 2 : r > 3;
      if (tooLong || (!canOpen && !canClose)) {
        i += r;
        continue;
      }
      flush(i);
      let remaining = r;
      if (canClose) {
        while (remaining > 0) {
          const rem = remaining;
          const index = findFrame((f) => f.close === ch && f.kind !== 'speech' && f.marker.length <= rem);
          if (index < 0) break;
          remaining -= stack[index].marker.length;
          closeFrame(index, '');
        }
      }
      if (remaining > 0 && canOpen && canPush(remaining === 3 ? 2 : 1)) {
        if (ch === '~') open('del', '~~', '~');
        else {
          if (remaining >= 2) open('strong', ch + ch, ch);
          if (remaining !== 2) open(ch === '*' ? 'action' : 'em', ch, ch);
        }
        remaining = 0;
      }
      if (remaining > 0) pushText(top().children, ch.repeat(remaining));
      i += r;
      textStart = i;
      continue;
    }

    if (ch === '"' || ch === '\u201c' || ch === '\u300c' || ch === '\u300e' || ch === '\u201d' || ch === '\u300d' || ch === '\u300f') {
      const opener = ch === '"' ? '"' : QUOTE_CLOSERS[ch];
      const index = opener === undefined ? -1 : findFrame((f) => f.kind === 'speech' && f.marker === opener);
      if (index >= 0) {
        flush(i);
        closeFrame(index, ch);
        i++;
        textStart = i;
        continue;
      }
      const pair = QUOTE_PAIRS[ch];
      if (pair !== undefined && canPush(1)) {
        let opens = true;
        if (ch === '"') {
          // A straight quote opens speech unless it sits right after a Latin word or digit (6'2",
          // word") or before a space. After CJK it opens: 他说"你好" is speech.
          const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
          const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
          opens = !isAsciiAlnum(prev) && !(next >= 0 && isSpace(next));
        }
        if (opens) {
          flush(i);
          open('speech', ch, pair);
          i++;
          textStart = i;
          continue;
        }
      }
      i++;
      continue;
    }

    if (ch === '[') {
      if (findFrame((f) => f.kind === 'bracket') < 0 && canPush(1)) {
        flush(i);
        open('bracket', '[', ']');
        i++;
        textStart = i;
      } else {
        i++;
      }
      continue;
    }

    if (ch === ']') {
      const index = findFrame((f) => f.kind === 'bracket');
      if (index < 0) {
        i++;
        continue;
      }
      flush(i);
      let dest = -1;
      if (text[i + 1] === '(') {
        destinations ??= new DestinationScanner(text);
        dest = destinations.destinationEnd(i + 2);
      }
      if (dest < 0) {
        // Not a link: the bracket and everything opened inside it become text again.
        collapseAbove(index - 1);
        pushText(top().children, ']');
        i++;
        textStart = i;
        continue;
      }
      const raw = text.slice(i + 2, dest);
      const href = sanitizeHref(raw);
      collapseAbove(index);
      const frame = stack.pop() as Frame;
      const parent = top().children;
      if (href !== null) {
        parent.push({ type: 'link', href, children: frame.children });
      } else {
        // Unsafe or malformed destination: the whole thing stays visible as plain text.
        pushText(parent, '[');
        for (const child of frame.children) pushNode(parent, child);
        pushText(parent, '](' + raw + ')');
      }
      i = dest + 1;
      textStart = i;
      continue;
    }

    if (ch === 'h' || ch === 'H') {
      const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
      if (i >= noUrlBefore && !isAsciiAlnum(prev) && startsWithHttp(text, i) && findFrame((f) => f.kind === 'bracket') < 0) {
        const [end, skipTo] = tryBareUrl(text, i);
        noUrlBefore = skipTo;
        const href = end > 0 ? sanitizeHref(text.slice(i, end)) : null;
        if (href !== null) {
          flush(i);
          top().children.push({ type: 'link', href, children: [{ type: 'text', text: text.slice(i, end) }] });
          i = end;
          textStart = i;
          continue;
        }
      }
      i++;
      continue;
    }

    i++;
  }

  flush(n);
  // Whatever is still open at the end renders as open (streaming); brackets go back to text.
  while (stack.length > 1) {
    const frame = stack[stack.length - 1];
    if (frame.kind === 'bracket') {
      collapseAbove(stack.length - 2);
    } else {
      stack.pop();
      top().children.push(toNode(frame, '', true));
    }
  }
  return root.children;
}

function toNode(frame: Frame, closeMark: string, unclosed: boolean): MarkupInline {
  const children = frame.children;
  switch (frame.kind) {
    case 'speech':
      return { type: 'speech', openMark: frame.marker, closeMark, children };
    case 'action':
    case 'em':
    case 'strong':
    case 'del':
      return unclosed ? { type: frame.kind, children, unclosed: true } : { type: frame.kind, children };
    default:
      // Not reachable for root/bracket; keep the text rather than throw.
      return { type: 'strong', children };
  }
}

/** Index of a run of exactly `count` backticks at or after `from`, or -1. */
function findTicks(text: string, from: number, count: number): number {
  let i = from;
  for (;;) {
    const at = text.indexOf('`', i);
    scanWork += (at < 0 ? text.length : at) - i;
    if (at < 0) return -1;
    let r = 1;
    while (text.charCodeAt(at + r) === 96) r++;
    if (r === count) return at;
    i = at + r;
  }
}

/**
 * Answers "where does the link destination that starts at `from` (just after `](`) end?" for one
 * text, in increasing `from` order, in linear total time. The rule is the old per-`](` scan's: the
 * `)` that balances the `(` before `from`, on the same line, within MAX_HREF characters, with no
 * whitespace between the first and last non-space characters. The old scan re-read up to
 * MAX_HREF characters for every `](`, so `[a](` repeated cost 2048 steps per four characters.
 * Here one forward paren matcher and forward-only cursors do the reading once.
 */
class DestinationScanner {
  private readonly n: number;
  /** Where the paren matcher has read up to. */
  private scanned = 0;
  /** Unmatched `(` positions on the current line (old ones pruned: they can no longer fit). */
  private open: number[] = [];
  /** Matching `)` for each `(` that follows a `]`, once found. */
  private readonly close = new Map<number, number>();
  private readonly newline: Cursor;
  private readonly nonSpace: Cursor;
  private readonly space: Cursor;
  private readonly nonSpaceAfterSpace: Cursor;

  constructor(private readonly text: string) {
    this.n = text.length;
    this.newline = new Cursor(text, (c) => c === 10);
    this.nonSpace = new Cursor(text, (c) => !isSpace(c));
    this.space = new Cursor(text, isSpace);
    this.nonSpaceAfterSpace = new Cursor(text, (c) => !isSpace(c));
  }

  /** Index of the `)` ending the destination that starts at `from`, or -1. */
  destinationEnd(from: number): number {
    const paren = from - 1;
    const limit = Math.min(this.n, from + MAX_HREF);
    // Read on until this paren is matched or can no longer be matched in time.
    while (this.scanned < limit && !this.close.has(paren)) this.step();
    const end = this.close.get(paren);
    this.close.delete(paren);
    if (end === undefined || end >= limit) return -1;
    if (this.newline.next(from) < end) return -1;
    const first = this.nonSpace.next(from);
    if (first >= end) return end; // only spaces: an empty destination (sanitizeHref refuses it)
    const gap = this.space.next(first);
    if (gap >= end) return end;
    // Whitespace after content is allowed only when nothing but whitespace follows it.
    return this.nonSpaceAfterSpace.next(gap) >= end ? end : -1;
  }

  private step(): void {
    const j = this.scanned++;
    scanWork++;
    const c = this.text.charCodeAt(j);
    if (c === 40 /* ( */) {
      const open = this.open;
      open.push(j);
      // A ( more than MAX_HREF back can never end a destination in time: forget it, so the
      // stack stays small on a megabyte of "(((".
      if (open.length > 2 * MAX_HREF + 4) this.open = open.filter((at) => at + MAX_HREF + 2 >= j);
    } else if (c === 41 /* ) */) {
      const at = this.open.pop();
      if (at !== undefined && at > 0 && this.text.charCodeAt(at - 1) === 93 /* ] */) this.close.set(at, j);
    } else if (c === 10) {
      this.open = []; // a destination never spans lines
    }
  }
}

/** Forward-only "next index at or after `from` whose char satisfies `test`" (amortised linear for rising `from`). */
class Cursor {
  private asked = -1;
  private answer = -1;
  constructor(
    private readonly text: string,
    private readonly test: (code: number) => boolean,
  ) {}

  next(from: number): number {
    if (from >= this.asked && from <= this.answer) return this.answer;
    let k = from;
    const n = this.text.length;
    while (k < n && !this.test(this.text.charCodeAt(k))) k++;
    scanWork += k - from + 1;
    this.asked = from;
    this.answer = k;
    return k;
  }
}

/** "http://" or "https://" at i, any case. Char codes first: most words starting with h are not URLs. */
function startsWithHttp(text: string, i: number): boolean {
  if ((text.charCodeAt(i + 1) | 32) !== 116 || (text.charCodeAt(i + 2) | 32) !== 116 || (text.charCodeAt(i + 3) | 32) !== 112) return false;
  let j = i + 4;
  if ((text.charCodeAt(j) | 32) === 115) j++;
  return text.charCodeAt(j) === 58 && text.charCodeAt(j + 1) === 47 && text.charCodeAt(j + 2) === 47;
}

/**
 * [end, skipTo] for a bare URL at `start`: end as in `scanBareUrl` (-1 for none), and the index
 * before which no other bare URL may start. A URL whose scheme and host alone do not parse cannot
 * parse with a path either, so that short prefix is checked first and a failure skips only to
 * where another scheme could still begin ("http://%a)https://x.y" still links the second). Only a URL whose host parses is
 * scanned whole, and then the next attempt starts after its run: each character is read by a
 * bounded number of attempts, where retrying at every "http" used to re-read up to 2 KB each.
 */
function tryBareUrl(text: string, start: number): [number, number] {
  let k = start + (text.charCodeAt(start + 4) === 58 ? 7 : 8); // past "http://" or "https://"
  const limit = Math.min(text.length, start + MAX_HREF);
  while (k < limit && text.charCodeAt(k) === 47) k++; // "http:///x" parses as http://x/
  while (k < limit) {
    const c = text.charCodeAt(k);
    if (c >= 128 || URL_CHAR[c] === 0 || c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    k++;
  }
  scanWork += k - start;
  const c = text.charCodeAt(k);
  // A later "http" inside this host cannot end its own scheme before k unless its "://" straddles k.
  if (k < limit && (c === 47 || c === 63 || c === 35) && sanitizeHref(text.slice(start, k)) === null) return [-1, Math.max(start + 1, k - 6)];
  const [end, runEnd] = scanBareUrl(text, start);
  return [end, end > 0 && sanitizeHref(text.slice(start, end)) !== null ? end : runEnd];
}

/**
 * [end, runEnd] for a bare URL starting at `start`: `end` leaves trailing punctuation and
 * unbalanced closing parentheses out (-1 when nothing is left past the scheme); `runEnd` is where
 * the scan of URL characters stopped. Parentheses are counted once, not once per stripped `)`
 * (that made "http://a" + 2,000 ")" cost four million steps).
 */
function scanBareUrl(text: string, start: number): [number, number] {
  let j = start;
  let opens = 0;
  let closes = 0;
  const limit = Math.min(text.length, start + MAX_HREF);
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c >= 128 || URL_CHAR[c] === 0) break;
    if (c === 40) opens++;
    else if (c === 41) closes++;
    j++;
  }
  const runEnd = j;
  // Leave sentence punctuation and unbalanced closing parentheses outside the link.
  for (;;) {
    const last = text[j - 1];
    if (last !== undefined && '.,:;!?\'"_~'.includes(last)) {
      j--;
      continue;
    }
    if (last === ')' && opens < closes) {
      closes--;
      j--;
      continue;
    }
    break;
  }
  scanWork += runEnd - start + (runEnd - j);
  const schemeEnd = text.indexOf('//', start) + 2;
  return [j > schemeEnd ? j : -1, runEnd];
}

/** Plain text of inline nodes (for aria labels, previews, tests). */
export function inlineText(nodes: MarkupInline[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
      case 'code':
        out += node.text;
        break;
      case 'break':
        out += '\n';
        break;
      case 'speech':
        out += node.openMark + inlineText(node.children) + node.closeMark;
        break;
      default:
        out += inlineText(node.children);
    }
  }
  return out;
}
