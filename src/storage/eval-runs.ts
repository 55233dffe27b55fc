// A character's saved evaluation runs (issue 16): questions, configurations and results, written a
// result at a time so a run stopped anywhere goes on from its last result. Deleted with the
// character (CharacterRepository), carried by backups (format 3).

import type { EvalResult, EvalRun } from '../core/types';
import type { AppDatabase } from './db';
import { guard, notFound } from './errors';
import { watch, type Watchable } from './live';

export class EvalRunRepository {
  constructor(private readonly db: AppDatabase) {}

  /** A character's runs, newest first. */
  list(characterId: string): Promise<EvalRun[]> {
    return guard(async () => (await this.db.evalRuns.where('characterId').equals(characterId).toArray()).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1)));
  }

  /** list(), again after every change to them (this tab or another). */
  watch(characterId: string): Watchable<EvalRun[]> {
    return watch(() => this.list(characterId));
  }

  get(id: string): Promise<EvalRun | undefined> {
    return guard(() => this.db.evalRuns.get(id));
  }

  /** Store a run of a character that exists (not-found when it was deleted meanwhile). */
  put(run: EvalRun): Promise<void> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.characters, db.evalRuns], async () => {
        if (!(await db.characters.get(run.characterId))) throw notFound('character', run.characterId);
        await db.evalRuns.put(run);
      }),
    );
  }

  /**
   * Adds one result to a run (replacing an earlier one of the same question and configuration: a
   * step redone after a chat reply interrupted it), in one transaction, so results written by a
   * step never overwrite others. `finishedAt` is set when this was the last cell. Returns the run
   * as stored; not-found when it was deleted meanwhile.
   */
  addResult(runId: string, result: EvalResult, now: number): Promise<EvalRun> {
    const { db } = this;
    return guard(() =>
      db.transaction('rw', [db.evalRuns], async () => {
        const run = await db.evalRuns.get(runId);
        if (!run) throw notFound('evaluation run', runId);
        const results = [...run.results.filter((r) => r.questionId !== result.questionId || r.configId !== result.configId), result];
        const complete = results.length >= run.questions.length * run.configs.length;
        const updated: EvalRun = { ...run, results, updatedAt: now, ...(complete && run.finishedAt === undefined ? { finishedAt: now } : {}) };
        await db.evalRuns.put(updated);
        return updated;
      }),
    );
  }

  /** Links a run to the background job running it (undefined: the job is gone). */
  setJob(runId: string, jobId: string | undefined): Promise<void> {
    return guard(async () => {
      await this.db.evalRuns.update(runId, { jobId });
    });
  }

  remove(id: string): Promise<void> {
    return guard(() => this.db.evalRuns.delete(id));
  }
}
