// Background jobs: saved as they go, paused and resumed from their saved state (also after a reload), cancelled, and waiting for a model.

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/core/engine';
import { TokenEstimator } from '../../../src/core/tokens';
import { BackgroundJobs, type JobHandle, type JobRunner } from '../../../src/state/background-jobs.svelte';
import { EngineTurns } from '../../../src/state/engine-turns.svelte';
import type { ReadyEngine } from '../../../src/state/model-loader.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { AppDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';

interface CountState {
  written: string[];
}

const opened: AppDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

async function repos(): Promise<Repositories> {
  const db = new AppDatabase(`jobs-${crypto.randomUUID()}`);
  opened.push(db);
  await db.open();
  return createRepositories(db);
}

function ready(engine: ScriptedEngine): ReadyEngine {
  return { engine, modelId: 'scripted', contextWindow: 2048, estimator: new TokenEstimator() };
}

async function text(events: AsyncIterable<ChatEvent>): Promise<string> {
  let out = '';
  for await (const event of events) if (event.type === 'delta') out += event.text;
  return out;
}

/** Writes one line per step with the model, `total` lines in all, saving after each. */
class LinesRunner implements JobRunner<{ total: number }, CountState> {
  readonly kind = 'lines';
  stepsRun = 0;
  /** Before each step: lets a test act between steps. */
  beforeStep: (index: number, handle: JobHandle<{ total: number }, CountState>) => Promise<void> = async () => {};

  async run(handle: JobHandle<{ total: number }, CountState>): Promise<void> {
    let written = [...handle.record.state.written];
    while (written.length < handle.record.params.total) {
      await this.beforeStep(written.length, handle);
      if (handle.signal.aborted) return;
      const line = await handle.engineStep(async (model, signal) => {
        this.stepsRun++;
        return text(model.engine.chat([{ role: 'user', content: `line ${written.length}` }], { maxTokens: 8, temperature: 0, topP: 1 }, signal));
      });
      written = [...written, line];
      await handle.save({ written }, { done: written.length, total: handle.record.params.total, counts: { kept: written.length } });
    }
  }
}

function setup(storage: Repositories, engine: ScriptedEngine | null, turns = new EngineTurns()) {
  const jobs = new BackgroundJobs({ repo: () => storage.jobs, turns, engine: () => (engine ? ready(engine) : null) });
  const runner = new LinesRunner();
  jobs.register(runner);
  return { jobs, runner, turns };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(check()).toBe(true);
}

describe('BackgroundJobs', () => {
  it('runs a job to the end, saving its state and progress as it goes', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    engine.replies = [{ pieces: ['one'] }, { pieces: ['two'] }, { pieces: ['three'] }];
    const { jobs } = setup(storage, engine);
    const job = await jobs.start('lines', { title: 'Lines', characterId: 'c1', params: { total: 3 }, state: { written: [] }, total: 3 });
    await until(() => jobs.get(job.id)?.status === 'done');
    const saved = (await storage.jobs.list())[0];
    expect(saved).toMatchObject({ status: 'done', state: { written: ['one', 'two', 'three'] }, progress: { done: 3, total: 3, counts: { kept: 3 } }, characterId: 'c1' });
    expect(jobs.of('lines', 'c1').map((j) => j.id)).toEqual([job.id]);
  });

  it('pauses between steps and resumes from the saved state, not from the start', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    engine.replies = [{ pieces: ['one'] }, { pieces: ['two'] }, { pieces: ['three'] }];
    const { jobs, runner } = setup(storage, engine);
    let paused = false;
    runner.beforeStep = async (index, handle) => {
      if (index === 1 && !paused) {
        paused = true;
        // As the Pause button does: the run notices at its next check.
        void jobs.pause(handle.record.id);
      }
    };
    const job = await jobs.start('lines', { title: 'Lines', params: { total: 3 }, state: { written: [] }, total: 3 });
    await until(() => jobs.get(job.id)?.status === 'paused');
    expect(jobs.get(job.id)?.state).toEqual({ written: ['one'] });
    await jobs.resume(job.id);
    await until(() => jobs.get(job.id)?.status === 'done');
    expect(jobs.get(job.id)?.state).toEqual({ written: ['one', 'two', 'three'] });
    expect(runner.stepsRun).toBe(3);
  });

  it('after a reload a job that was running shows paused, and resumes where it was', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    const first = setup(storage, engine);
    // The tab "closes" during the second step: its generation never ends.
    first.runner.beforeStep = async (index) => {
      if (index === 1) await new Promise(() => {});
    };
    const job = await first.jobs.start('lines', { title: 'Lines', params: { total: 3 }, state: { written: [] }, total: 3 });
    await until(() => first.jobs.get(job.id)?.progress.done === 1);

    const after = setup(storage, engine);
    await after.jobs.load();
    expect(after.jobs.get(job.id)).toMatchObject({ status: 'paused', state: { written: ['Hello there'] } });
    await after.jobs.resume(job.id);
    await until(() => after.jobs.get(job.id)?.status === 'done');
    expect(after.jobs.get(job.id)?.progress.done).toBe(3);
    expect(after.runner.stepsRun).toBe(2);
  });

  it('cancel stops a job for good: it stays listed as cancelled until removed', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    let release = (): void => {};
    const hold = new Promise<void>((resolve) => (release = resolve));
    engine.replies = [{ pieces: ['one'] }, { pieces: ['never'], gate: () => hold }];
    const { jobs, turns } = setup(storage, engine);
    const job = await jobs.start('lines', { title: 'Lines', params: { total: 3 }, state: { written: [] }, total: 3 });
    await until(() => jobs.get(job.id)?.progress.done === 1 && turns.backgroundBusy);
    // Cancelled mid-step: the engine sees the abort at its next piece.
    const cancelling = jobs.cancel(job.id);
    release();
    await cancelling;
    expect(jobs.get(job.id)).toMatchObject({ status: 'cancelled', state: { written: ['one'] } });
    await jobs.resume(job.id);
    expect(jobs.get(job.id)?.status).toBe('cancelled');
    await jobs.remove(job.id);
    expect(jobs.jobs).toEqual([]);
    expect(await storage.jobs.list()).toEqual([]);
  });

  it('without a loaded model the job waits, paused, saying why; it resumes once one is loaded', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    let loaded: ScriptedEngine | null = null;
    const turns = new EngineTurns();
    const jobs = new BackgroundJobs({ repo: () => storage.jobs, turns, engine: () => (loaded ? ready(loaded) : null) });
    jobs.register(new LinesRunner());
    const job = await jobs.start('lines', { title: 'Lines', params: { total: 1 }, state: { written: [] }, total: 1 });
    await until(() => jobs.get(job.id)?.status === 'paused');
    expect(jobs.get(job.id)?.error).toMatchObject({ code: 'no-model' });
    loaded = engine;
    await jobs.resume(job.id);
    await until(() => jobs.get(job.id)?.status === 'done');
    expect(jobs.get(job.id)?.error).toBeUndefined();
  });

  it('a reply in the chat goes first: the step it interrupts is written again after it', async () => {
    const storage = await repos();
    const engine = new ScriptedEngine();
    const stepGate = { open: (): void => {} };
    const firstStep = new Promise<void>((resolve) => (stepGate.open = resolve));
    engine.replies = [{ pieces: ['cut', 'short'], gate: () => firstStep }, { pieces: ['chat reply'] }, { pieces: ['line again'] }];
    const { jobs, turns } = setup(storage, engine);
    const job = await jobs.start('lines', { title: 'Lines', params: { total: 1 }, state: { written: [] }, total: 1 });
    await until(() => turns.backgroundBusy);
    const reply = text(turns.foreground(ready(engine))!.engine.chat([{ role: 'user', content: 'Hi' }], { maxTokens: 8, temperature: 0, topP: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    stepGate.open();
    expect(await reply).toBe('chat reply');
    await until(() => jobs.get(job.id)?.status === 'done');
    expect(jobs.get(job.id)?.state).toEqual({ written: ['line again'] });
  });

  it('a runner that fails marks its job failed with the reason; Resume tries again', async () => {
    const storage = await repos();
    const { jobs, runner } = setup(storage, new ScriptedEngine());
    let failures = 1;
    runner.beforeStep = async () => {
      if (failures-- > 0) throw new Error('disk full');
    };
    const job = await jobs.start('lines', { title: 'Lines', params: { total: 1 }, state: { written: [] }, total: 1 });
    await until(() => jobs.get(job.id)?.status === 'failed');
    expect(jobs.get(job.id)?.error?.message).toContain('disk full');
    await jobs.resume(job.id);
    await until(() => jobs.get(job.id)?.status === 'done');
  });
});
