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
 * points at. On the scripted chats of bench/prompt-fidelity.bench.ts 1.5 and 2 put the original
 * scene in the prompt about equally often; 2 keeps held-out recall@1 closer to the exchange's own
 * (bench/retrieval-quality.bench.ts).
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
