// The new message's own best match, moved to the front of a chat's ranking.
//
// Why: a chat searches with the exchange before the new message and the message itself, which
// names the topic a short or vague message continues (held-out recall@5 on the ChatHaruhi packs
// is about 40 % with it against 25 % for the message alone). But when the talk moves to another
// story, that query still leans on the exchange before the move for one turn: the new story's
// scene comes second or lower while the old one stays first, and the prompt, which keeps its
// scenes until the topic moves, does not take it. The message alone finds the new story's scene
// first. When it points at that scene clearly (its best match scores FOCUS_MARGIN times the next:
// a stray word of a short message does not) and the exchange's search found the scene too, the
// scene goes first, and the prompt builder makes sure it is in the prompt.

import type { ScoredScene } from './types';

/**
 * How far the message's best match must outscore its second to count as the scene the message
 * points at. Measured at 1 (any best match), 1.5, 2 and 3: the scene holding the original reply is
 * in the prompt in 96.3, 95.9, 95.3 and 94.8 % of the turns of bench/prompt-fidelity.bench.ts
 * (4,096 window, both cache rules), and held-out recall@1 on Hu Tao is 13.8, 22.5, 25.6 and
 * 28.1 % against 30.6 % without a focus (bench/retrieval-quality.bench.ts; recall@5 stays as
 * without). A vague message’s best match is usually wrong, so 2: the largest of these that keeps 95 %.
 */
export const FOCUS_MARGIN = 2;

/**
 * `ranked` with the message's best match (the first of `messageHits`, the message's own search,
 * best first) moved first and marked `focus`, when `ranked` holds it and it scores at least
 * FOCUS_MARGIN times the message's second match; otherwise `ranked` as it is. The rest keep their
 * order.
 */
export function withMessageFocus<T extends ScoredScene>(ranked: readonly T[], messageHits: readonly ScoredScene[]): (T & { focus?: true })[] {
  const [best, second] = messageHits;
  const clear = best !== undefined && best.score > 0 && (second === undefined || best.score >= FOCUS_MARGIN * second.score);
  const at = clear ? ranked.findIndex((hit) => hit.sceneId === best.sceneId) : -1;
  if (at < 0) return [...ranked];
  return [{ ...ranked[at], focus: true as const }, ...ranked.slice(0, at), ...ranked.slice(at + 1)];
}
