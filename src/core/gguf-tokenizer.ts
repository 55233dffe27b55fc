// Exact token counts for GGUF models, from the vocabulary stored in the GGUF itself.
//
// wllama 3.x exposes no tokenize(), so the page reproduces llama.cpp's own tokenizers (src/llama-vocab.cpp):
// SentencePiece ('llama': score-ordered pair merges with byte fallback) and byte-level BPE ('gpt2':
// a pre-tokenizer regex chosen by tokenizer.ggml.pre, then rank-ordered merges). Special tokens are
// split out first, as llama.cpp does. Vocabularies of other kinds (t5, bert, rwkv) are not handled:
// those models keep the corrected estimate.

/** What a GGUF says about its tokenizer (tokenizer.ggml.* and tokenizer.chat_template). */
export interface GgufVocabulary {
  /** tokenizer.ggml.model: 'llama' (SentencePiece) or 'gpt2' (byte-level BPE); others are not handled. */
  model: string;
  /** tokenizer.ggml.pre: which pre-tokenizer regex a BPE vocabulary was trained with. */
  pre?: string;
  tokens: readonly string[];
  scores?: readonly number[];
  /** llama_token_type per token (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte). */
  types?: readonly number[];
  merges?: readonly string[];
  /** tokenizer.ggml.add_space_prefix (llama.cpp's default is true for SentencePiece). */
  addSpacePrefix?: boolean;
  addBos?: boolean;
  addEos?: boolean;
  bosId?: number;
  eosId?: number;
}

const TOKEN_UNKNOWN = 2;
const TOKEN_CONTROL = 3;
const TOKEN_USER_DEFINED = 4;

/** llama.cpp's pre-tokenizer regexes (llm_tokenizer_bpe), rewritten for JavaScript; applied in order, each splitting the pieces of the last. */
const GPT2_SPLIT = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;
const LLAMA3_SPLIT = String.raw`(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const QWEN2_SPLIT = String.raw`(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

const PRE_TOKENIZERS: Record<string, { splits: string[]; ignoreMerges?: boolean }> = {
  'llama3': { splits: [LLAMA3_SPLIT], ignoreMerges: true },
  'llama-v3': { splits: [LLAMA3_SPLIT], ignoreMerges: true },
  'llama-bpe': { splits: [LLAMA3_SPLIT], ignoreMerges: true },
  'falcon3': { splits: [LLAMA3_SPLIT], ignoreMerges: true },
  'qwen2': { splits: [QWEN2_SPLIT] },
  'deepseek-r1-qwen': { splits: [QWEN2_SPLIT] },
  'smollm': { splits: [String.raw`\p{N}`, GPT2_SPLIT] },
  'starcoder': { splits: [String.raw`\p{N}`, GPT2_SPLIT] },
  'gpt-2': { splits: [GPT2_SPLIT] },
};
/** Unknown pre-tokenizers get GPT-2's split: counts then differ from the engine's by a few percent at most. */
const DEFAULT_PRE = { splits: [GPT2_SPLIT] };

const UTF8 = new TextEncoder();

/** GPT-2's reversible map from bytes to printable characters (bytes_to_unicode). */
const BYTE_CHARS: string[] = (() => {
  const chars: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    chars[b] = String.fromCodePoint(printable ? b : 256 + extra++);
  }
  return chars;
})();

/** A min-heap of merge candidates: lowest `key` first, then leftmost. */
class MergeQueue {
  readonly #items: { key: number; left: number; right: number; size: number }[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: { key: number; left: number; right: number; size: number }): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): { key: number; left: number; right: number; size: number } {
    const a = this.#items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.#before(a[l], a[m])) m = l;
        if (r < a.length && this.#before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }

  #before(x: { key: number; left: number }, y: { key: number; left: number }): boolean {
    return x.key < y.key || (x.key === y.key && x.left < y.left);
  }
}

interface Symbol {
  /** Its text ('' once merged into its left neighbour). */
  text: string;
  prev: number;
  next: number;
}

/**
 * Merges adjacent symbols of `chars` pair by pair, best pair first, the loop llama.cpp's SentencePiece
 * and BPE sessions share: `key(left, right)` ranks the pair (lower first) or says it does not merge
 * (undefined). Returns the final pieces' texts.
 */
function mergePairs(chars: readonly string[], key: (left: string, right: string) => number | undefined): string[] {
  const symbols: Symbol[] = chars.map((text, i) => ({ text, prev: i - 1, next: i + 1 < chars.length ? i + 1 : -1 }));
  const queue = new MergeQueue();
  const tryAdd = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    const l = symbols[left].text;
    const r = symbols[right].text;
    const k = key(l, r);
    if (k !== undefined) queue.push({ key: k, left, right, size: l.length + r.length });
  };
  for (let i = 1; i < symbols.length; i++) tryAdd(i - 1, i);
  while (queue.size > 0) {
    const pair = queue.pop();
    const l = symbols[pair.left];
    const r = symbols[pair.right];
    // Outdated by an earlier merge: a side was merged away, or grew since the pair was queued.
    if (l.text === '' || r.text === '' || l.text.length + r.text.length !== pair.size) continue;
    l.text += r.text;
    r.text = '';
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = pair.left;
    tryAdd(l.prev, pair.left);
    tryAdd(pair.left, l.next);
  }
  const pieces: string[] = [];
  for (let i = symbols.length > 0 ? 0 : -1; i !== -1; i = symbols[i].next) pieces.push(symbols[i].text);
  return pieces;
}

export class GgufTokenizer {
  readonly #vocab: GgufVocabulary;
  readonly #ids = new Map<string, number>();
  /** Special tokens, longest first: CONTROL/UNKNOWN split only when parsing specials, USER_DEFINED always. */
  readonly #specials: { text: string; control: boolean }[] = [];
  readonly #mergeRanks = new Map<string, number>();
  readonly #splits: RegExp[];
  readonly #ignoreMerges: boolean;

  private constructor(vocab: GgufVocabulary) {
    this.#vocab = vocab;
    vocab.tokens.forEach((token, id) => {
      if (!this.#ids.has(token)) this.#ids.set(token, id);
      const type = vocab.types?.[id];
      if (type === TOKEN_CONTROL || type === TOKEN_UNKNOWN || type === TOKEN_USER_DEFINED) {
        if (token !== '') this.#specials.push({ text: token, control: type !== TOKEN_USER_DEFINED });
      }
    });
    this.#specials.sort((a, b) => b.text.length - a.text.length);
    vocab.merges?.forEach((merge, rank) => {
      if (!this.#mergeRanks.has(merge)) this.#mergeRanks.set(merge, rank);
    });
    const pre = vocab.model === 'gpt2' ? (PRE_TOKENIZERS[vocab.pre ?? ''] ?? DEFAULT_PRE) : DEFAULT_PRE;
    this.#splits = pre.splits.map((source) => new RegExp(source, 'gu'));
    this.#ignoreMerges = 'ignoreMerges' in pre && pre.ignoreMerges === true;
  }

  /** A tokenizer for this vocabulary, or null for kinds we do not reproduce. */
  static from(vocab: GgufVocabulary): GgufTokenizer | null {
    if (vocab.tokens.length === 0) return null;
    if (vocab.model === 'llama' && vocab.scores && vocab.scores.length === vocab.tokens.length) return new GgufTokenizer(vocab);
    if (vocab.model === 'gpt2' && vocab.merges && vocab.merges.length > 0) return new GgufTokenizer(vocab);
    return null;
  }

  /** Whether a prompt starts with BOS (tokenizer.ggml.add_bos_token). */
  get addsBos(): boolean {
    return this.#vocab.addBos === true;
  }

  /** The text of a token id, e.g. the BOS token's, for the chat template. */
  tokenText(id: number | undefined): string | undefined {
    return id === undefined ? undefined : this.#vocab.tokens[id];
  }

  /** Tokens of a message's content: no BOS, no space prefix, control tokens read as plain text. */
  count(text: string): number {
    return this.#count(text, false);
  }

  /**
   * Tokens llama-server makes of a rendered chat prompt: BOS/EOS where the vocabulary asks for them,
   * control tokens written in the text ("<|im_start|>") read as themselves, and SentencePiece's space
   * before the text at the start and after each special token.
   */
  countPrompt(text: string): number {
    return (this.#vocab.addBos ? 1 : 0) + (this.#vocab.addEos ? 1 : 0) + this.#count(text, true);
  }

  #count(text: string, asPrompt: boolean): number {
    let total = 0;
    let afterSpecial = true;
    for (const fragment of this.#fragments(text, asPrompt)) {
      if (fragment.special) {
        total++;
        afterSpecial = true;
        continue;
      }
      total += this.#vocab.model === 'llama' ? this.#countSentencePiece(fragment.text, asPrompt && afterSpecial) : this.#countBpe(fragment.text);
      afterSpecial = false;
    }
    return total;
  }

  /** Splits out special tokens, longest first, the way llama.cpp's tokenizer_st_partition does. */
  #fragments(text: string, parseSpecial: boolean): { text: string; special: boolean }[] {
    let fragments: { text: string; special: boolean }[] = [{ text, special: false }];
    for (const special of this.#specials) {
      if (special.control && !parseSpecial) continue;
      const next: typeof fragments = [];
      for (const fragment of fragments) {
        if (fragment.special || !fragment.text.includes(special.text)) {
          next.push(fragment);
          continue;
        }
        fragment.text.split(special.text).forEach((part, i) => {
          if (i > 0) next.push({ text: special.text, special: true });
          if (part !== '') next.push({ text: part, special: false });
        });
      }
      fragments = next;
    }
    return fragments;
  }

  /**
   * llm_tokenizer_spm: the pair whose merged piece scores highest first. Every merged piece is in
   * the vocabulary; a lone character that is not falls back to one <0xXX> token per UTF-8 byte.
   */
  #countSentencePiece(raw: string, spacePrefix: boolean): number {
    const text = ((spacePrefix && this.#vocab.addSpacePrefix !== false ? ' ' : '') + raw).replaceAll(' ', '▁');
    const scores = this.#vocab.scores!;
    const pieces = mergePairs(Array.from(text), (left, right) => {
      const id = this.#ids.get(left + right);
      return id === undefined ? undefined : -scores[id];
    });
    return pieces.reduce((sum, piece) => sum + (this.#ids.has(piece) ? 1 : UTF8.encode(piece).length), 0);
  }

  /** llm_tokenizer_bpe: pre-tokenizer split, bytes mapped to printable characters, lowest-rank merge first. */
  #countBpe(text: string): number {
    let words = [text];
    for (const split of this.#splits) words = words.flatMap((word) => splitKeepingGaps(word, split));
    let total = 0;
    for (const word of words) {
      const chars = Array.from(UTF8.encode(word), (b) => BYTE_CHARS[b]);
      if (this.#ignoreMerges && this.#ids.has(chars.join(''))) {
        total++;
        continue;
      }
      const pieces = mergePairs(chars, (left, right) => this.#mergeRanks.get(`${left} ${right}`));
      // A piece missing from the vocabulary is spelled out one byte (one mapped character) at a time.
      for (const piece of pieces) total += this.#ids.has(piece) ? 1 : Array.from(piece).length;
    }
    return total;
  }
}

/** The regex's matches and the text between them, in order (llama.cpp keeps unmatched text as its own pieces). */
function splitKeepingGaps(text: string, regex: RegExp): string[] {
  const out: string[] = [];
  let last = 0;
  for (const match of text.matchAll(regex)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    if (match[0] !== '') out.push(match[0]);
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
