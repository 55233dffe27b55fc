// Counts and times a reply's streamed pieces, for the usage an engine reports when the stream gave
// none (a stopped reply): each piece is about one token.

import type { Usage } from '../core/types';

export class DeltaClock {
  readonly #started = performance.now();
  #first = 0;
  #last = 0;
  /** Pieces seen so far. */
  count = 0;

  /** A piece arrived now. */
  tick(): void {
    const now = performance.now();
    if (this.count === 0) this.#first = now;
    this.#last = now;
    this.count++;
  }

  /** The pieces as tokens, and their rate: between the first and last piece, or from the start for one. */
  usage(promptTokens: number): Usage {
    const measured: Usage = { promptTokens, completionTokens: this.count };
    const span = (this.#last - this.#first) / 1000;
    if (this.count > 1 && span > 0) measured.tokensPerSecond = (this.count - 1) / span;
    else if (this.count === 1) measured.tokensPerSecond = 1000 / Math.max(1, this.#last - this.#started);
    return measured;
  }
}
