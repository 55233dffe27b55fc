// What is read aloud of a reply, sentence by sentence: the words spoken and narrated, without the
// role-play actions (*waves*), code or markup signs, split where English or Chinese punctuation ends
// a sentence. A reply still streaming yields each sentence once it is complete.

import { withoutReasoning } from './reasoning';
import { parseMarkup, type MarkupBlock, type MarkupInline } from './markup';

/** Spoken text of inline nodes: actions and code are left out (they are not said). */
function spokenInline(nodes: readonly MarkupInline[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out += node.text;
        break;
      case 'break':
        out += '\n';
        break;
      case 'action':
      case 'code':
        out += ' ';
        break;
      case 'speech':
        out += node.openMark + spokenInline(node.children) + node.closeMark;
        break;
      default:
        out += spokenInline(node.children);
    }
  }
  return out;
}

function spokenBlock(block: MarkupBlock): string {
  switch (block.type) {
    case 'paragraph':
    case 'heading':
      return spokenInline(block.children);
    case 'quote':
      return block.children.map(spokenBlock).join('\n');
    case 'list':
      return block.items.map(spokenInline).join('\n');
    default:
      return ''; // code blocks and rules are not read
  }
}

/** The text to speak for a message written in role-play markup; paragraphs end with a line break. */
export function speakableText(markup: string): string {
  return parseMarkup(withoutReasoning(markup)).map(spokenBlock).join('\n');
}

/** Chinese (full-width) sentence ends: complete as soon as they are written. */
const CJK_END = '。！？；…';
/** ASCII sentence ends: complete once a space or line break follows ("3.5" and "..." are not ends). */
const ASCII_END = '.!?';
/** Closing quotes and brackets that belong to the sentence they end. */
const CLOSERS = '"\'”’」』）)】';

/**
 * Splits plain text into complete sentences and the unfinished rest. `final`: the text is whole, so
 * the rest is a sentence too. Sentences are trimmed; ones with nothing to say (only punctuation) are dropped.
 */
export function splitSentences(text: string, final = false): { sentences: string[]; rest: string } {
  const sentences: string[] = [];
  let start = 0;
  const push = (end: number) => {
    const sentence = text.slice(start, end).trim();
    if (/[\p{L}\p{N}]/u.test(sentence)) sentences.push(sentence);
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      push(i + 1);
    } else if (CJK_END.includes(c) || ASCII_END.includes(c)) {
      let end = i + 1;
      while (end < text.length && (CJK_END.includes(text[end]) || ASCII_END.includes(text[end]) || CLOSERS.includes(text[end]))) end++;
      if (end === text.length && !final) break; // what comes next may continue it ("..." or "3.")
      const next = text[end];
      if (CJK_END.includes(c) || next === undefined || /\s/.test(next)) push(end);
      i = end - 1;
    }
  }
  if (final) {
    push(text.length);
    return { sentences, rest: '' };
  }
  return { sentences, rest: text.slice(start) };
}

/**
 * One reply read as it streams: give it the whole text so far each time it grows, and it returns the
 * sentences completed since the last call; `finish` returns whatever is left once the reply ends.
 */
export class SentenceStream {
  #spoken = 0;

  /** Sentences of `text` complete now and not returned before. */
  next(text: string): string[] {
    return this.#take(splitSentences(speakableText(text)).sentences);
  }

  /** The remaining sentences of the finished `text`, its last unfinished one included. */
  finish(text: string): string[] {
    return this.#take(splitSentences(speakableText(text), true).sentences);
  }

  #take(sentences: string[]): string[] {
    const fresh = sentences.slice(this.#spoken);
    this.#spoken = Math.max(this.#spoken, sentences.length);
    return fresh;
  }
}

/** Every sentence of a whole message, in order. */
export function sentencesOf(markup: string): string[] {
  return splitSentences(speakableText(markup), true).sentences;
}
