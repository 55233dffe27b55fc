// Who uses the loaded model now. One engine writes one reply at a time, and the person's chat
// always goes first: background work (generated dialogues, evaluation runs) takes the engine only
// while no reply is being written, one step at a time, and a reply that starts meanwhile stops the
// running step at once; that step is run again once the engine is free.

import type { ChatEngine, ChatEvent, GenerateOptions } from '../core/engine';
import { AppError } from '../core/errors';
import type { ChatTurn } from '../core/types';
import type { ReadyEngine } from './model-loader.svelte';

interface RunningStep {
  /** Aborted when a reply needs the engine. */
  preempt: AbortController;
  done: Promise<unknown>;
}

export class EngineTurns {
  /** Replies (chat, summaries, drafts) being written now. */
  replying = $state(0);
  /** A background step is using the engine now. */
  backgroundBusy = $state(false);

  #step: RunningStep | null = null;
  /** Background steps queue here, so two never use the engine together. */
  #queue: Promise<void> = Promise.resolve();
  #idleWaiters: (() => void)[] = [];
  #wrapped = new WeakMap<ReadyEngine, ReadyEngine>();

  /**
   * The engine as chat uses it: each reply (chat() or complete()) first stops a running background
   * step and waits for it to let go of the engine, and holds the engine until its stream ends.
   */
  foreground(ready: ReadyEngine | null): ReadyEngine | null {
    if (!ready) return null;
    let wrapped = this.#wrapped.get(ready);
    if (!wrapped) {
      wrapped = { ...ready, engine: this.#foregroundEngine(ready.engine) };
      this.#wrapped.set(ready, wrapped);
    }
    return wrapped;
  }

  #foregroundEngine(engine: ChatEngine): ChatEngine {
    const turns = this;
    const hold = async function* (events: () => AsyncIterable<ChatEvent>): AsyncGenerator<ChatEvent> {
      await turns.#replyStarts();
      try {
        yield* events();
      } finally {
        turns.#replyEnds();
      }
    };
    // Bound methods, not a prototype chain: engines keep their state in private fields.
    const complete = engine.complete?.bind(engine);
    const countTokens = engine.countTokens?.bind(engine);
    return {
      get kind() {
        return engine.kind;
      },
      load: (source, onProgress, signal) => engine.load(source, onProgress, signal),
      unload: () => engine.unload(),
      capabilities: () => engine.capabilities(),
      chat: (messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal) => hold(() => engine.chat(messages, options, signal)),
      ...(complete ? { complete: (prompt: string, options: GenerateOptions, signal?: AbortSignal) => hold(() => complete(prompt, options, signal)) } : {}),
      ...(countTokens ? { countTokens } : {}),
    };
  }

  async #replyStarts(): Promise<void> {
    this.replying++;
    const step = this.#step;
    if (!step) return;
    step.preempt.abort();
    await step.done.catch(() => undefined);
  }

  #replyEnds(): void {
    this.replying = Math.max(0, this.replying - 1);
    if (this.replying > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  #untilNoReply(signal: AbortSignal): Promise<void> {
    if (this.replying === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortError());
      signal.addEventListener('abort', onAbort, { once: true });
      this.#idleWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /**
   * Runs `step` when no reply is being written and no other step runs. Its signal fires when
   * `signal` does (the job is paused or cancelled) or when a reply starts; in the second case the
   * step is run again, from the start, after the reply, so a step must be safe to redo (write its
   * results only once it completed). Rejects with AppError('aborted') when `signal` fires.
   */
  background<T>(step: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    const turn = this.#queue.then(() => this.#runStep(step, signal));
    // The next step waits for this one, however it ends.
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  async #runStep<T>(step: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    for (;;) {
      await this.#untilNoReply(signal);
      if (signal.aborted) throw abortError();
      const preempt = new AbortController();
      const stop = (): void => preempt.abort();
      signal.addEventListener('abort', stop, { once: true });
      const done = step(preempt.signal);
      this.#step = { preempt, done };
      this.backgroundBusy = true;
      try {
        const result = await done;
        // A preempted step may have returned what it had so far: only an uninterrupted one counts.
        if (!preempt.signal.aborted) return result;
      } catch (error) {
        if (!preempt.signal.aborted) throw error;
      } finally {
        signal.removeEventListener('abort', stop);
        this.#step = null;
        this.backgroundBusy = false;
      }
      if (signal.aborted) throw abortError();
      // Preempted by a reply: wait for it, then run the step again.
    }
  }
}

function abortError(): AppError {
  return new AppError('aborted', 'Cancelled');
}
