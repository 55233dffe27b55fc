// A reply in the chat always goes first: background steps wait for it, and one running when it starts is stopped and run again.

import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/engine';
import { TokenEstimator } from '../../../src/core/tokens';
import { EngineTurns } from '../../../src/state/engine-turns.svelte';
import type { ReadyEngine } from '../../../src/state/model-loader.svelte';
import { ScriptedEngine } from '../helpers/scripted-engine';

function ready(engine = new ScriptedEngine()): ReadyEngine {
  return { engine, modelId: 'scripted', contextWindow: 2048, estimator: new TokenEstimator() };
}

async function drain(events: AsyncIterable<ChatEvent>): Promise<string> {
  let text = '';
  for await (const event of events) if (event.type === 'delta') text += event.text;
  return text;
}

function gate(): { wait: () => Promise<void>; open: () => void } {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open };
}

/** A background step that waits on `until` (or its signal) and says whether it finished or was stopped. */
function waitingStep(until: Promise<void>, log: string[], name: string) {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve) => {
      log.push(`${name} starts`);
      signal.addEventListener('abort', () => {
        log.push(`${name} stopped`);
        resolve('partial');
      });
      void until.then(() => {
        log.push(`${name} done`);
        resolve('complete');
      });
    });
}

describe('EngineTurns', () => {
  it('stops a running background step when a reply starts, and runs it again once the reply ended', async () => {
    const turns = new EngineTurns();
    const engine = new ScriptedEngine();
    const replyGate = gate();
    engine.replies = [{ pieces: ['Hi'], gate: replyGate.wait }];
    const log: string[] = [];
    const stepGate = gate();
    let runs = 0;
    const step = turns.background((signal) => {
      runs++;
      return waitingStep(runs === 1 ? new Promise(() => {}) : stepGate.wait(), log, `step ${runs}`)(signal);
    }, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(turns.backgroundBusy).toBe(true);

    const reply = drain(turns.foreground(ready(engine))!.engine.chat([{ role: 'user', content: 'Hello' }], { maxTokens: 8, temperature: 0, topP: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(log).toEqual(['step 1 starts', 'step 1 stopped']);
    expect(turns.replying).toBe(1);
    replyGate.open();
    expect(await reply).toBe('Hi');
    stepGate.open();
    expect(await step).toBe('complete');
    expect(log).toEqual(['step 1 starts', 'step 1 stopped', 'step 2 starts', 'step 2 done']);
    expect(turns.replying).toBe(0);
  });

  it('does not start a background step while a reply is being written', async () => {
    const turns = new EngineTurns();
    const engine = new ScriptedEngine();
    const replyGate = gate();
    engine.replies = [{ pieces: ['a', 'b'], gate: replyGate.wait }];
    const iterator = turns.foreground(ready(engine))!.engine.chat([{ role: 'user', content: 'Hello' }], { maxTokens: 8, temperature: 0, topP: 1 })[Symbol.asyncIterator]();
    const first = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 0));
    let started = false;
    const step = turns.background(async () => {
      started = true;
      return 1;
    }, new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toBe(false);
    replyGate.open();
    await first;
    while (!(await iterator.next()).done);
    expect(await step).toBe(1);
    expect(started).toBe(true);
  });

  it('runs background steps one at a time, in order', async () => {
    const turns = new EngineTurns();
    const order: string[] = [];
    const first = gate();
    const signal = new AbortController().signal;
    const a = turns.background(async () => {
      order.push('a starts');
      await first.wait();
      order.push('a ends');
    }, signal);
    const b = turns.background(async () => {
      order.push('b starts');
    }, signal);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order).toEqual(['a starts']);
    first.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['a starts', 'a ends', 'b starts']);
  });

  it('a cancelled job\'s step rejects as aborted and is not run again; a failing step\'s error reaches the job', async () => {
    const turns = new EngineTurns();
    const job = new AbortController();
    const log: string[] = [];
    const step = turns.background(waitingStep(new Promise(() => {}), log, 'step'), job.signal);
    await new Promise((resolve) => setTimeout(resolve, 0));
    job.abort();
    await expect(step).rejects.toMatchObject({ code: 'aborted' });
    expect(log).toEqual(['step starts', 'step stopped']);
    await expect(turns.background(async () => Promise.reject(new Error('boom')), new AbortController().signal)).rejects.toThrow('boom');
  });

  it('keeps the engine\'s own methods working through the wrapper (engines keep state in private fields)', async () => {
    class PrivateEngine extends ScriptedEngine {
      #tokens = 3;
      async countTokens(): Promise<number> {
        return this.#tokens;
      }
    }
    const turns = new EngineTurns();
    const base = ready(new PrivateEngine());
    const wrapped = turns.foreground(base)!;
    expect(turns.foreground(base)).toBe(wrapped);
    expect(wrapped.engine.kind).toBe('wllama');
    expect(await wrapped.engine.countTokens!('x')).toBe(3);
    expect(wrapped.engine.capabilities()).toEqual({ gpu: false, multiThread: false });
    expect(turns.foreground(null)).toBeNull();
  });
});
