// Write example dialogues for one character: start the job, follow its latest run, and review the
// pairs it kept (accept all, reject all, or one by one, edited before accepting).

import { planKinds, type DialogueGenParams, type DialogueGenState, type KeptPair } from '../core/dialogue-gen/job-state';
import { initialState } from '../core/dialogue-gen/job-state';
import { sceneFromPair } from '../core/dialogue-gen/scenes';
import type { QuestionKind } from '../core/dialogue-gen/templates';
import { characterDisplayName, defaultUserName } from '../core/macro-names';
import type { Character, JobRecord, Lang } from '../core/types';
import type { SceneRepository } from '../storage';
import type { BackgroundJobs } from './background-jobs.svelte';
import { DIALOGUE_JOB_KIND, progressOf } from './dialogue-gen-job';

export const DIALOGUE_COUNT = { min: 10, max: 200, initial: 20 } as const;
/** Ditto's share of questions the character must deflect. */
export const DEFAULT_OUT_OF_WORLD_SHARE = 0.25;

export interface DialogueGenChoice {
  count: number;
  kinds: QuestionKind[];
  /** 0..1, of the total, when out-of-world is among the kinds. */
  outOfWorldShare: number;
  lang: Lang;
}

type DialogueJob = JobRecord<DialogueGenParams, DialogueGenState>;

export interface DialogueGenDeps {
  jobs: BackgroundJobs;
  scenes: () => Pick<SceneRepository, 'bulkAdd'>;
  character: () => Character | undefined;
  /** The job's title as the person reads it. */
  title: (name: string) => string;
  /** After accepted pairs were written to the corpus. */
  changed: () => void;
}

export class DialogueGen {
  /** Edits made in review, by pair id, not yet accepted. */
  edits = $state.raw<Record<string, { question: string; answer: string }>>({});
  error = $state.raw<unknown>(null);
  busy = $state(false);

  readonly #deps: DialogueGenDeps;
  readonly #characterId: string;

  constructor(characterId: string, deps: DialogueGenDeps) {
    this.#characterId = characterId;
    this.#deps = deps;
  }

  /** The character's latest dialogue job. */
  get job(): DialogueJob | undefined {
    return this.#deps.jobs.of(DIALOGUE_JOB_KIND, this.#characterId)[0] as DialogueJob | undefined;
  }

  /** Pairs waiting for review, with the person's edits. */
  get pairs(): KeptPair[] {
    return (this.job?.state.kept ?? []).map((pair) => ({ ...pair, ...this.edits[pair.id] }));
  }

  /** Review writes the job's state, so it waits while the job runs (the runner saves the state too). */
  get canReview(): boolean {
    const job = this.job;
    return !!job && job.status !== 'running' && job.state.kept.length > 0;
  }

  async start(choice: DialogueGenChoice): Promise<void> {
    const character = this.#deps.character();
    if (!character || choice.kinds.length === 0) return;
    const count = Math.min(DIALOGUE_COUNT.max, Math.max(DIALOGUE_COUNT.min, Math.round(choice.count)));
    const params: DialogueGenParams = { lang: choice.lang, plan: planKinds(count, choice.kinds, choice.outOfWorldShare) };
    const state = initialState();
    await this.#run(async () => {
      // An earlier run's unreviewed pairs stay with that job; the newest job is the one shown.
      await this.#deps.jobs.start(DIALOGUE_JOB_KIND, {
        title: this.#deps.title(characterDisplayName(character)), characterId: character.id, params, state, total: progressOf(state, params).total,
      });
      this.edits = {};
    });
  }

  edit(id: string, change: Partial<{ question: string; answer: string }>): void {
    const pair = this.pairs.find((p) => p.id === id);
    if (!pair) return;
    this.edits = { ...this.edits, [id]: { question: pair.question, answer: pair.answer, ...change } };
  }

  /** Writes these pairs (all when no ids) to the corpus as generated scenes, in one transaction; returns how many. */
  async accept(ids?: readonly string[]): Promise<number> {
    const job = this.job;
    const character = this.#deps.character();
    if (!job || !character || !this.canReview) return 0;
    const chosen = this.pairs.filter((pair) => !ids || ids.includes(pair.id)).filter((pair) => pair.question.trim() && pair.answer.trim());
    if (chosen.length === 0) return 0;
    const context = { characterId: character.id, jobId: job.id, userName: defaultUserName(character.language), charName: characterDisplayName(character) };
    const done = await this.#run(async () => {
      await this.#deps.scenes().bulkAdd(chosen.map((pair) => sceneFromPair({ ...pair, question: pair.question.trim(), answer: pair.answer.trim() }, context)));
      await this.#leaveReview(job, chosen.map((pair) => pair.id));
      this.#deps.changed();
    });
    return done ? chosen.length : 0;
  }

  /** Drops these pairs (all when no ids) from review. */
  async reject(ids?: readonly string[]): Promise<void> {
    const job = this.job;
    if (!job || !this.canReview) return;
    await this.#run(() => this.#leaveReview(job, ids ?? job.state.kept.map((pair) => pair.id)));
  }

  async #leaveReview(job: DialogueJob, ids: readonly string[]): Promise<void> {
    const state: DialogueGenState = { ...job.state, kept: job.state.kept.filter((pair) => !ids.includes(pair.id)) };
    await this.#deps.jobs.update(job.id, state);
    const edits = { ...this.edits };
    for (const id of ids) delete edits[id];
    this.edits = edits;
  }

  async #run(write: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    try {
      await write();
      this.error = null;
      return true;
    } catch (error) {
      this.error = error;
      return false;
    } finally {
      this.busy = false;
    }
  }
}
