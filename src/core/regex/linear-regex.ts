// A linear-time regex matcher (Thompson NFA run as a Pike VM) for the JavaScript regex subset lorebook keys use.
//
// Why our own matcher and not RegExp: JavaScript's engine backtracks, has no timeout, and runs on
// the thread that paints the page. `/(a|a)*b/` against 33 characters froze a tab for 112 s, and no
// static check catches every slow pattern (`/a*a*a*a*b/` is polynomial without any nesting). A
// worker with a time budget would make prompt building asynchronous and still burn a core per
// runaway key. Simulating the NFA instead visits each (instruction, position) pair at most once,
// so a test costs O(pattern x text) whatever the pattern is, and a step budget turns even that
// bound into a deterministic "too slow" answer instead of a long freeze.
//
// What is supported: literals, escapes (\n \t \xHH \uHHHH \u{...} \cX, \/ and other identity
// escapes), classes `[...]`, `.`, \d \w \s and their negations, \p{...} with u, anchors ^ $
// (m: at line ends), \b \B, groups (capturing, named, non-capturing), alternation, and the
// quantifiers * + ? {n} {n,} {n,m} greedy or lazy (only whether it matches is asked, so
// laziness does not matter). Flags i, m, s, u (d is ignored; g and y are dropped by the caller).
// Refused, with a reason: backreferences, lookahead and lookbehind, the v flag, inline
// modifiers, legacy octal escapes, and programs that expand past MAX_PROGRAM instructions.
//
// Single characters are judged by the platform: each atom (`a`, `[^a-z]`, `\p{L}`, `.`) becomes a
// RegExp `^(?:atom)$` with the key's flags, tested on one character at a time (cached for ASCII).
// A one-character test cannot backtrack, and case folding, Unicode properties and class syntax
// behave exactly as in a native RegExp.

export type RegexProblem = 'invalid-regex' | 'unsafe-regex' | 'unsupported-regex';

export interface RegexRefusal {
  problem: RegexProblem;
  /** What is wrong, in English, for the person who wrote the key. */
  detail: string;
}

/** `true`/`false`, or 'too-slow' when the step budget ran out before an answer. */
export type LinearTestResult = boolean | 'too-slow';

export interface LinearRegex {
  readonly source: string;
  readonly flags: string;
  /** Whether the pattern matches anywhere in `text`; gives up after `budget` steps. */
  test(text: string, budget?: number): LinearTestResult;
  /** Steps the last `test` took (at most a little over its budget). */
  readonly lastSteps: number;
}

/** Instructions a compiled pattern may have (bounds the per-character cost of a test). */
export const MAX_PROGRAM = 4000;
/** Steps one test may take by default: about 50-100 ms of work at worst. */
export const DEFAULT_STEP_BUDGET = 5_000_000;

// ---------------------------------------------------------------------------------------------
// Single characters

class CharMatcher {
  private readonly ascii = new Int8Array(128).fill(-1);
  private readonly wide = new Map<number, boolean>();
  private readonly native: RegExp;
  /** The code point for an exact literal without the i flag (fast path), else -1. */
  readonly literal: number;

  constructor(
    readonly source: string,
    flags: string,
    literal = -1,
  ) {
    this.native = new RegExp(`^(?:${source})$`, flags);
    this.literal = flags.includes('i') ? -1 : literal;
  }

  test(code: number, unicode: boolean): boolean {
    if (this.literal >= 0) return code === this.literal;
    if (code < 128) {
      let known = this.ascii[code];
      if (known < 0) {
        known = this.native.test(String.fromCharCode(code)) ? 1 : 0;
        this.ascii[code] = known;
      }
      return known === 1;
    }
    let known = this.wide.get(code);
    if (known === undefined) {
      known = this.native.test(unicode ? String.fromCodePoint(code) : String.fromCharCode(code));
      if (this.wide.size < 4096) this.wide.set(code, known);
    }
    return known;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing to a small tree

type AssertKind = 'start' | 'end' | 'word' | 'not-word';

type Node =
  | { t: 'char'; m: CharMatcher }
  | { t: 'assert'; kind: AssertKind }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

class Refused extends Error {
  constructor(readonly refusal: RegexRefusal) {
    super(refusal.detail);
  }
}

const refuse = (problem: RegexProblem, detail: string): never => {
  throw new Refused({ problem, detail });
};

class Parser {
  private i = 0;
  private readonly unicode: boolean;
  /** Flags for one-character RegExps: no g/y/m/d, which mean nothing for one character. */
  private readonly charFlags: string;

  constructor(
    private readonly src: string,
    flags: string,
  ) {
    this.unicode = flags.includes('u');
    this.charFlags = [...flags].filter((f) => f === 'i' || f === 's' || f === 'u').join('');
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) refuse('invalid-regex', `unexpected "${this.src[this.i]}"`);
    return node;
  }

  private alternation(): Node {
    const branches = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0] : { t: 'alt', branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      const quantified = this.quantifier(atom);
      items.push(quantified);
    }
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  private quantifier(atom: Node): Node {
    const ch = this.src[this.i];
    let min: number;
    let max: number;
    if (ch === '*' || ch === '+' || ch === '?') {
      this.i++;
      [min, max] = ch === '*' ? [0, Infinity] : ch === '+' ? [1, Infinity] : [0, 1];
    } else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i, this.i + 24));
      if (!m) return atom; // a literal { outside u mode (the atom parser reads it next)
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else {
      return atom;
    }
    if (this.src[this.i] === '?') this.i++; // lazy: irrelevant to whether it matches
    if (atom.t === 'assert') refuse('unsupported-regex', 'a quantified assertion');
    if (min > MAX_PROGRAM || (max !== Infinity && max > MAX_PROGRAM)) refuse('unsafe-regex', `a repeat count over ${MAX_PROGRAM}`);
    return { t: 'rep', node: atom, min, max };
  }

  private char(source: string, literal = -1): Node {
    return { t: 'char', m: new CharMatcher(source, this.charFlags, literal) };
  }

  private atom(): Node {
    const src = this.src;
    const ch = src[this.i];
    if (ch === '(') return this.group();
    if (ch === '[') return this.charClass();
    if (ch === '.') {
      this.i++;
      return this.char('.');
    }
    if (ch === '^') {
      this.i++;
      return { t: 'assert', kind: 'start' };
    }
    if (ch === '$') {
      this.i++;
      return { t: 'assert', kind: 'end' };
    }
    if (ch === '\\') return this.escape();
    if (ch === '*' || ch === '+' || ch === '?') refuse('invalid-regex', 'nothing to repeat');
    // Any other character is itself ({, } and ] included, as in a non-u RegExp).
    const code = this.unicode ? (src.codePointAt(this.i) as number) : src.charCodeAt(this.i);
    const width = code > 0xffff ? 2 : 1;
    const text = src.slice(this.i, this.i + width);
    this.i += width;
    return this.char(/[{}\]]/.test(text) ? `\\${text}` : text, code);
  }

  private group(): Node {
    const src = this.src;
    this.i++; // (
    if (src[this.i] === '?') {
      const next = src[this.i + 1];
      if (next === ':') this.i += 2;
      else if (next === '=' || next === '!') refuse('unsupported-regex', 'lookahead is not supported');
      else if (next === '<' && (src[this.i + 2] === '=' || src[this.i + 2] === '!')) refuse('unsupported-regex', 'lookbehind is not supported');
      else if (next === '<') {
        const close = src.indexOf('>', this.i);
        if (close < 0) refuse('invalid-regex', 'unterminated group name');
        this.i = close + 1;
      } else refuse('unsupported-regex', 'inline modifiers are not supported');
    }
    const inner = this.alternation();
    if (src[this.i] !== ')') refuse('invalid-regex', 'unterminated group');
    this.i++;
    return inner;
  }

  private charClass(): Node {
    const src = this.src;
    const start = this.i;
    let j = this.i + 1;
    if (src[j] === '^') j++;
    for (; j < src.length && src[j] !== ']'; j++) {
      if (src[j] === '\\') {
        const next = src[j + 1];
        if (next !== undefined && /[1-9]/.test(next) && this.unicode) refuse('unsupported-regex', 'backreferences are not supported');
        j++;
      }
    }
    if (j >= src.length) refuse('invalid-regex', 'unterminated character class');
    this.i = j + 1;
    return this.char(src.slice(start, this.i));
  }

  private escape(): Node {
    const src = this.src;
    const start = this.i;
    const e = src[this.i + 1];
    if (e === undefined) refuse('invalid-regex', 'a trailing backslash');
    this.i += 2;
    if (e === 'b') return { t: 'assert', kind: 'word' };
    if (e === 'B') return { t: 'assert', kind: 'not-word' };
    if (/[1-9]/.test(e) || (e === 'k' && src[this.i] === '<')) refuse('unsupported-regex', 'backreferences are not supported');
    if (e === '0' && /[0-9]/.test(src[this.i] ?? '')) refuse('unsupported-regex', 'octal escapes are not supported');
    if ((e === 'p' || e === 'P') && this.unicode) {
      const close = src.indexOf('}', this.i);
      if (src[this.i] !== '{' || close < 0) refuse('invalid-regex', 'a malformed \\p{...}');
      this.i = close + 1;
    } else if (e === 'x' && /^[0-9a-fA-F]{2}/.test(src.slice(this.i, this.i + 2))) {
      this.i += 2;
    } else if (e === 'u' && this.unicode && src[this.i] === '{') {
      const close = src.indexOf('}', this.i);
      if (close < 0) refuse('invalid-regex', 'a malformed \\u{...}');
      this.i = close + 1;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}/.test(src.slice(this.i, this.i + 4))) {
      this.i += 4;
      // A surrogate pair written as two \u escapes is one character in u mode.
      if (this.unicode && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(src.slice(this.i, this.i + 6)) && /^[dD][89abAB]/.test(src.slice(start + 2, start + 4))) this.i += 6;
    } else if (e === 'c' && /^[a-zA-Z]/.test(src[this.i] ?? '')) {
      this.i += 1;
    }
    return this.char(src.slice(start, this.i));
  }
}

// ---------------------------------------------------------------------------------------------
// Safety analysis (what a backtracking engine, such as the one that runs the same card in other
// apps, would choke on; our matcher is linear anyway, so this is about honest feedback)

const WIDE_PROBES = [0xe9, 0x436, 0x4e2d, 0x3042, 0x1f600, 0xa0, 0x2028];

interface FirstSet {
  ascii: Uint8Array;
  wide: Set<number>;
  nullable: boolean;
}

function firstSet(node: Node, unicode: boolean): FirstSet {
  const out: FirstSet = { ascii: new Uint8Array(128), wide: new Set(), nullable: false };
  const addChar = (m: CharMatcher) => {
    for (let c = 0; c < 128; c++) if (m.test(c, unicode)) out.ascii[c] = 1;
    for (const c of m.literal >= 128 ? [m.literal] : WIDE_PROBES) if (m.test(c, unicode)) out.wide.add(c);
  };
  const visit = (n: Node): boolean => {
    // Returns whether n can match the empty string.
    switch (n.t) {
      case 'char':
        addChar(n.m);
        return false;
      case 'assert':
        return true;
      case 'seq':
        for (const item of n.items) if (!visit(item)) return false;
        return true;
      case 'alt': {
        let any = false;
        for (const b of n.branches) if (visit(b)) any = true;
        return any;
      }
      case 'rep':
        return visit(n.node) || n.min === 0;
    }
  };
  out.nullable = visit(node);
  return out;
}

function overlaps(a: FirstSet, b: FirstSet): boolean {
  for (let c = 0; c < 128; c++) if (a.ascii[c] && b.ascii[c]) return true;
  for (const c of a.wide) if (b.wide.has(c)) return true;
  return false;
}

/** A repeated alternation whose branches can begin with the same character: `(a|a)*`, `(a|aa)+`. */
function findAmbiguousRepeat(node: Node, unicode: boolean, underRepeat = false): boolean {
  switch (node.t) {
    case 'char':
    case 'assert':
      return false;
    case 'seq':
      return node.items.some((item) => findAmbiguousRepeat(item, unicode, underRepeat));
    case 'alt':
      if (underRepeat) {
        const sets = node.branches.map((b) => firstSet(b, unicode));
        for (let x = 0; x < sets.length; x++) for (let y = x + 1; y < sets.length; y++) if (overlaps(sets[x], sets[y])) return true;
      }
      return node.branches.some((b) => findAmbiguousRepeat(b, unicode, underRepeat));
    case 'rep':
      return findAmbiguousRepeat(node.node, unicode, underRepeat || node.max > 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Compiling to a program

const OP_CHAR = 0;
const OP_SPLIT = 1;
const OP_JMP = 2;
const OP_ASSERT = 3;
const OP_MATCH = 4;

interface Program {
  op: number[];
  x: number[];
  y: number[];
  matcher: (CharMatcher | null)[];
  assert: (AssertKind | null)[];
}

function compile(root: Node): Program {
  const p: Program = { op: [], x: [], y: [], matcher: [], assert: [] };
  const emit = (op: number, x = -1, y = -1, m: CharMatcher | null = null, a: AssertKind | null = null) => {
    if (p.op.length >= MAX_PROGRAM) refuse('unsafe-regex', `the pattern expands past ${MAX_PROGRAM} steps`);
    p.op.push(op);
    p.x.push(x);
    p.y.push(y);
    p.matcher.push(m);
    p.assert.push(a);
    return p.op.length - 1;
  };
  // Each emitter leaves its last instruction's "next" pointing at the following instruction.
  const gen = (n: Node): void => {
    switch (n.t) {
      case 'char':
        emit(OP_CHAR, p.op.length + 1, -1, n.m);
        return;
      case 'assert':
        emit(OP_ASSERT, p.op.length + 1, -1, null, n.kind);
        return;
      case 'seq':
        for (const item of n.items) gen(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let b = 0; b < n.branches.length; b++) {
          if (b < n.branches.length - 1) {
            const split = emit(OP_SPLIT);
            p.x[split] = split + 1;
            gen(n.branches[b]);
            jumps.push(emit(OP_JMP));
            p.y[split] = p.op.length;
          } else {
            gen(n.branches[b]);
          }
        }
        for (const j of jumps) p.x[j] = p.op.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.node);
        if (n.max === Infinity) {
          const split = emit(OP_SPLIT);
          p.x[split] = split + 1;
          gen(n.node);
          emit(OP_JMP, split);
          p.y[split] = p.op.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = emit(OP_SPLIT);
            p.x[split] = split + 1;
            splits.push(split);
            gen(n.node);
          }
          for (const s of splits) p.y[s] = p.op.length;
        }
        return;
      }
    }
  };
  gen(root);
  emit(OP_MATCH);
  return p;
}

// ---------------------------------------------------------------------------------------------
// The public compiler and the VM

/**
 * Compiles `pattern` with `flags` (g and y must already be gone) into a linear-time matcher, or
 * says why it will not: `invalid-regex` when RegExp itself rejects it, `unsupported-regex` for
 * features outside the subset, `unsafe-regex` for a repeated alternation with overlapping
 * branches (catastrophic in a backtracking engine) or a program too large.
 */
export function compileLinearRegex(pattern: string, flags: string): LinearRegex | RegexRefusal {
  try {
    new RegExp(pattern, flags);
  } catch {
    return { problem: 'invalid-regex', detail: 'the pattern does not compile' };
  }
  if (flags.includes('v')) return { problem: 'unsupported-regex', detail: 'the v flag is not supported' };
  const unicode = flags.includes('u');
  try {
    const tree = new Parser(pattern, flags).parse();
    if (findAmbiguousRepeat(tree, unicode)) {
      return { problem: 'unsafe-regex', detail: 'a repeated group whose alternatives can start with the same character' };
    }
    return new PikeRegex(pattern, flags, compile(tree));
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    return { problem: 'invalid-regex', detail: 'the pattern could not be read' };
  }
}

export function isRegexRefusal(value: LinearRegex | RegexRefusal): value is RegexRefusal {
  return 'problem' in value;
}

const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

class PikeRegex implements LinearRegex {
  private readonly unicode: boolean;
  private readonly multiline: boolean;
  private readonly word: CharMatcher;
  private readonly mark: Int32Array;
  private gen = 0;
  lastSteps = 0;
  /** Which characters can start a match (null when the empty string can match somewhere). */
  private readonly first: ((c: number) => boolean) | null;

  constructor(
    readonly source: string,
    readonly flags: string,
    private readonly prog: Program,
  ) {
    this.unicode = flags.includes('u');
    this.multiline = flags.includes('m');
    this.word = new CharMatcher('\\w', [...flags].filter((f) => f === 'i' || f === 'u').join(''));
    this.mark = new Int32Array(prog.op.length);
    this.first = this.firstChars();
  }

  /** The CHAR instructions reachable without consuming, or null if MATCH is reachable that way. */
  private firstChars(): ((c: number) => boolean) | null {
    const { op, x, y, matcher } = this.prog;
    const seen = new Uint8Array(op.length);
    const chars: CharMatcher[] = [];
    const stack = [0];
    while (stack.length) {
      const pc = stack.pop() as number;
      if (seen[pc]) continue;
      seen[pc] = 1;
      if (op[pc] === OP_MATCH) return null;
      if (op[pc] === OP_CHAR) chars.push(matcher[pc] as CharMatcher);
      else if (op[pc] === OP_SPLIT) stack.push(y[pc], x[pc]);
      else stack.push(x[pc]);
    }
    const ascii = new Uint8Array(128);
    for (let c = 0; c < 128; c++) ascii[c] = chars.some((m) => m.test(c, this.unicode)) ? 1 : 0;
    return (c) => (c < 128 ? ascii[c] === 1 : chars.some((m) => m.test(c, this.unicode)));
  }

  private done(result: LinearTestResult, steps: number): LinearTestResult {
    this.lastSteps = steps;
    return result;
  }

  private isWord(text: string, at: number): boolean {
    if (at < 0 || at >= text.length) return false;
    return this.word.test(this.unicode ? (text.codePointAt(at) as number) : text.charCodeAt(at), this.unicode);
  }

  private holds(kind: AssertKind, text: string, pos: number): boolean {
    const n = text.length;
    switch (kind) {
      case 'start':
        return pos === 0 || (this.multiline && isLineTerminator(text.charCodeAt(pos - 1)));
      case 'end':
        return pos === n || (this.multiline && isLineTerminator(text.charCodeAt(pos)));
      case 'word':
      case 'not-word': {
        const before = this.unicode && pos >= 2 && text.charCodeAt(pos - 1) >= 0xdc00 && text.charCodeAt(pos - 1) <= 0xdfff ? pos - 2 : pos - 1;
        const boundary = this.isWord(text, before) !== this.isWord(text, pos);
        return kind === 'word' ? boundary : !boundary;
      }
    }
  }

  test(text: string, budget = DEFAULT_STEP_BUDGET): LinearTestResult {
    const result = this.run(text, budget);
    return result;
  }

  private run(text: string, budget: number): LinearTestResult {
    const { op, x, y, matcher, assert } = this.prog;
    const n = text.length;
    const mark = this.mark;
    if (this.gen > 1 << 30) {
      mark.fill(0);
      this.gen = 0;
    }
    const stack: number[] = [];
    let steps = 0;
    let matched = false;

    /** Adds pc and everything reachable from it without consuming, at `pos`, to `list`. */
    const add = (list: number[], pc0: number, pos: number) => {
      stack.push(pc0);
      while (stack.length) {
        const pc = stack.pop() as number;
        if (mark[pc] === this.gen) continue;
        mark[pc] = this.gen;
        steps++;
        switch (op[pc]) {
          case OP_CHAR:
            list.push(pc);
            break;
          case OP_MATCH:
            matched = true;
            break;
          case OP_JMP:
            stack.push(x[pc]);
            break;
          case OP_SPLIT:
            stack.push(y[pc], x[pc]);
            break;
          case OP_ASSERT:
            if (this.holds(assert[pc] as AssertKind, text, pos)) stack.push(x[pc]);
            break;
        }
      }
    };

    const codeAt = (pos: number) => (this.unicode ? (text.codePointAt(pos) as number) : text.charCodeAt(pos));
    let pos = 0;
    let clist: number[] = [];
    let nlist: number[] = [];
    for (;;) {
      if (clist.length === 0 && this.first) {
        // Nothing in flight: jump to the next character that can start a match.
        while (pos < n && !this.first(codeAt(pos))) pos += this.unicode && codeAt(pos) > 0xffff ? 2 : 1;
        if (pos >= n) return this.done(false, steps);
      }
      this.gen++;
      // Mark what is already in the list so the start thread does not duplicate it.
      for (const pc of clist) mark[pc] = this.gen;
      add(clist, 0, pos);
      if (matched) return this.done(true, steps);
      if (steps > budget) return this.done('too-slow', steps);
      if (pos >= n) return this.done(false, steps);
      const c = codeAt(pos);
      const width = this.unicode && c > 0xffff ? 2 : 1;
      this.gen++;
      nlist.length = 0;
      for (const pc of clist) {
        steps++;
        if ((matcher[pc] as CharMatcher).test(c, this.unicode)) add(nlist, x[pc], pos + width);
      }
      if (matched) return this.done(true, steps);
      pos += width;
      [clist, nlist] = [nlist, clist];
    }
  }
}
