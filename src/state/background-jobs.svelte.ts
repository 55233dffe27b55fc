// Background jobs that use the loaded model: generated dialogues, evaluation runs. Each kind has a
// runner (registered by the feature that owns it); a job's record is saved as it goes, so a job
// that was running when the tab closed shows paused after a reload and resumes from its saved
// state. Every engine call a runner makes goes through EngineTurns: a reply in the chat goes first.

import { AppError, toAppError } from '../core/errors';
import type { JobProgress, JobRecord } from '../core/types';
import type { JobRepository } from '../storage/jobs';
import type { EngineTurns } from './engine-turns.svelte';
import type { ReadyEngine } from './model-loader.svelte';

/** What a runner works with while its job runs. */
export interface JobHandle<P = unknown, S = unknown> {
  /** The job as it was when this run started (params, the saved state to go on from). */
  readonly record: JobRecord<P, S>;
  /** Fires when the person pauses or cancels the job: stop soon, without saving half a step. */
  readonly signal: AbortSignal;
  /** Save what the job has done (resumable state) and its progress; the list shows the progress at once. */
  save(state: S, progress: JobProgress): Promise<void>;
  /**
   * One use of the loaded model, when no reply is being written (see EngineTurns.background): run
   * again from the start if a reply interrupts it. Throws AppError('no-model') when no model is
   * loaded, which pauses the job with that reason.
   */
  engineStep<T>(step: (ready: ReadyEngine, signal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface JobRunner<P = unknown, S = unknown> {
  readonly kind: string;
  /** Does the job's work from `handle.record.state` on; resolves when it is all done. */
  run(handle: JobHandle<P, S>): Promise<void>;
}

export interface NewJob<P, S> {
  title: string;
  characterId?: string;
  params: P;
  state: S;
  total: number;
}

export interface BackgroundJobsDeps {
  repo: () => JobRepository;
  turns: EngineTurns;
  engine: () => ReadyEngine | null;
  now?: () => number;
  newId?: () => string;
}

type StopReason = 'paused' | 'cancelled';

export class BackgroundJobs {
  /** Every job on this device, oldest first, as last saved. */
  jobs = $state.raw<JobRecord[]>([]);

  #deps: BackgroundJobsDeps;
  #runners = new Map<string, JobRunner<never, never>>();
  #running = new Map<string, { stop: AbortController; reason: StopReason | null; done: Promise<void> }>();

  constructor(deps: BackgroundJobsDeps) {
    this.#deps = deps;
  }

  get #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  register<P, S>(runner: JobRunner<P, S>): void {
    this.#runners.set(runner.kind, runner as unknown as JobRunner<never, never>);
  }

  /** Reads the saved jobs; one that was running when the tab closed is paused, to be resumed. */
  async load(): Promise<void> {
    const saved = await this.#deps.repo().list();
    const interrupted = saved.filter((job) => job.status === 'running' && !this.#running.has(job.id));
    for (const job of interrupted) await this.#deps.repo().put({ ...job, status: 'paused' });
    const ids = new Set(interrupted.map((job) => job.id));
    this.jobs = saved.map((job) => (ids.has(job.id) ? { ...job, status: 'paused' } : job));
  }

  /** The jobs of one kind for one character, newest first. */
  of(kind: string, characterId: string): JobRecord[] {
    return this.jobs.filter((job) => job.kind === kind && job.characterId === characterId).reverse();
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.find((job) => job.id === id);
  }

  /** Saves a new job and starts it. */
  async start<P, S>(kind: string, job: NewJob<P, S>): Promise<JobRecord<P, S>> {
    if (!this.#runners.has(kind)) throw new AppError('not-found', `No runner for background jobs of kind ${kind}`, { kind });
    const now = this.#now;
    const record: JobRecord<P, S> = {
      id: (this.#deps.newId ?? (() => crypto.randomUUID()))(),
      kind,
      ...(job.characterId ? { characterId: job.characterId } : {}),
      title: job.title,
      status: 'running',
      params: job.params,
      state: job.state,
      progress: { done: 0, total: job.total },
      createdAt: now,
      updatedAt: now,
    };
    await this.#write(record);
    this.#run(record);
    return record;
  }

  /** Stops a running job where it is; resume() goes on from its last saved state. */
  pause(id: string): Promise<void> {
    return this.#stop(id, 'paused');
  }

  async resume(id: string): Promise<void> {
    const job = this.get(id);
    if (!job || this.#running.has(id) || (job.status !== 'paused' && job.status !== 'failed')) return;
    const { error: _reason, ...rest } = job;
    const record: JobRecord = { ...rest, status: 'running', updatedAt: this.#now };
    await this.#write(record);
    this.#run(record);
  }

  /** Stops a job for good; what it saved stays readable until remove(). */
  async cancel(id: string): Promise<void> {
    const job = this.get(id);
    if (!job) return;
    if (this.#running.has(id)) return this.#stop(id, 'cancelled');
    if (job.status === 'paused' || job.status === 'failed') await this.#write({ ...job, status: 'cancelled', updatedAt: this.#now });
  }

  /** Forgets a job (stopping it first). */
  async remove(id: string): Promise<void> {
    if (this.#running.has(id)) await this.#stop(id, 'cancelled');
    await this.#deps.repo().remove(id);
    this.jobs = this.jobs.filter((job) => job.id !== id);
  }

  /** Replaces a job's saved state outside a run (e.g. pairs reviewed after the job is done). */
  async update<S>(id: string, state: S, progress?: JobProgress): Promise<void> {
    const job = this.get(id);
    if (!job) throw new AppError('not-found', `No job ${id}`, { table: 'jobs', id });
    await this.#write({ ...job, state, progress: progress ?? job.progress, updatedAt: this.#now });
  }

  async #stop(id: string, reason: StopReason): Promise<void> {
    const running = this.#running.get(id);
    if (!running) return;
    running.reason = reason;
    running.stop.abort();
    await running.done;
  }

  #run(record: JobRecord): void {
    const runner = this.#runners.get(record.kind);
    const stop = new AbortController();
    const entry = { stop, reason: null as StopReason | null, done: Promise.resolve() };
    this.#running.set(record.id, entry);
    let current = record;
    const handle: JobHandle = {
      record,
      signal: stop.signal,
      save: async (state, progress) => {
        current = { ...current, state, progress, updatedAt: this.#now };
        await this.#write(current);
      },
      engineStep: (step) =>
        this.#deps.turns.background((signal) => {
          const ready = this.#deps.engine();
          if (!ready) throw new AppError('no-model', 'Load a model to go on');
          return step(ready, signal);
        }, stop.signal),
    };
    entry.done = (async () => {
      let ending: Pick<JobRecord, 'status' | 'error'>;
      try {
        if (!runner) throw new AppError('not-found', `No runner for background jobs of kind ${record.kind}`, { kind: record.kind });
        await runner.run(handle as JobHandle<never, never>);
        ending = { status: stop.signal.aborted ? (entry.reason ?? 'paused') : 'done' };
      } catch (error) {
        const appError = toAppError(error);
        if (stop.signal.aborted) ending = { status: entry.reason ?? 'paused' };
        // Without a model the job waits, paused, for the person to load one and resume.
        else if (appError.code === 'no-model') ending = { status: 'paused', error: { code: appError.code, message: appError.message } };
        else ending = { status: 'failed', error: { code: appError.code, message: appError.message } };
      } finally {
        this.#running.delete(record.id);
      }
      const { error: _before, ...rest } = current;
      // A job removed meanwhile stays removed.
      if (this.get(record.id)) await this.#write({ ...rest, ...ending, updatedAt: this.#now }).catch(() => undefined);
    })();
  }

  async #write(record: JobRecord): Promise<void> {
    await this.#deps.repo().put(record);
    this.jobs = this.get(record.id) ? this.jobs.map((job) => (job.id === record.id ? record : job)) : [...this.jobs, record];
  }
}
