// A reply's pieces on their way from an engine worker to the page, batched: a small model on the
// CPU writes hundreds of pieces a second, and each message costs the page a task (and the worker a
// copy) while the page draws new text only every STREAM_UPDATE_MS (state/chat-session.svelte.ts)
// anyway. The first piece goes at once; later ones wait at most `intervalMs`; a slow model's
// pieces, further apart than that, still go one by one, as soon as each exists.

/** Well under the page's 50 ms between drawn updates, so batching never delays what is drawn by a frame. */
export const DELTA_BATCH_MS = 20;

export interface DeltaBatch {
  text: string;
  /** How many pieces (≈ tokens) the text joins: the page counts what it showed after a Stop. */
  pieces: number;
}

export interface DeltaBatcherOptions {
  intervalMs?: number;
  now?: () => number;
}

export class DeltaBatcher {
  readonly #send: (batch: DeltaBatch) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #text = '';
  #pieces = 0;
  #lastSent = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(send: (batch: DeltaBatch) => void, { intervalMs = DELTA_BATCH_MS, now = () => performance.now() }: DeltaBatcherOptions = {}) {
    this.#send = send;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  add(text: string): void {
    this.#text += text;
    this.#pieces += 1;
    if (this.#timer !== null) return;
    const wait = this.#lastSent + this.#intervalMs - this.#now();
    if (wait <= 0) this.flush();
    else this.#timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what is waiting now (before the reply's end, an error, or a Stop). */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pieces === 0) return;
    const batch = { text: this.#text, pieces: this.#pieces };
    this.#text = '';
    this.#pieces = 0;
    this.#lastSent = this.#now();
    this.#send(batch);
  }
}
