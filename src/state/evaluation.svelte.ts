// One character's Evaluate page: the form for a new run (test sets, configurations, models), the
// saved runs (live from storage), the one shown, and its exports. The run itself is a background
// job (evaluation-runner.ts).

import { configMatrix } from '../core/evaluation/configs';
import { evalRunCsv, evalRunJson, ratingsStat, summarize } from '../core/evaluation/results';
import { identityChoices } from '../core/evaluation/scores';
import { assembleTestSet, availableQuestions, ownSpeaker } from '../core/evaluation/test-sets';
import { utf8Encode } from '../core/bytes';
import type { RatedReply } from '../core/ratings';
import { EVAL_PROMPT_MODES, type Character, type Scene, type EvalPromptMode, type EvalRun, type EvalSource } from '../core/types';
import type { Watchable } from '../storage';
import { safeFileBase } from './character-export';
import { LiveValue } from './live.svelte';

type CorpusSource = Exclude<EvalSource, 'written'>;

export interface EvaluationDeps {
  character: Character;
  /** The character's saved runs, live. */
  runs: () => Watchable<EvalRun[]>;
  saveRun: (run: EvalRun) => Promise<void>;
  removeRun: (id: string) => Promise<void>;
  /** The character's scenes (its corpus), read when the page opens. */
  scenes: () => Promise<Scene[]>;
  /** Every character's name: the identity check's other choices. */
  otherNames: () => string[];
  /** Models the person can choose: the installed ones, with the loaded one. */
  models: () => Promise<{ id: string; label: string }[]>;
  loadedModel: () => string | null;
  ratedReplies: () => Promise<RatedReply[]>;
  /** Starts (or resumes) the background job of a saved run. */
  runJob: (run: EvalRun) => Promise<void>;
  download: (file: { name: string; mime: string; bytes: Uint8Array }) => void;
  now?: () => number;
  newId?: () => string;
}

/** Questions a new run takes from each corpus source unless the person changes it. */
const DEFAULT_COUNT = 10;

export class EvaluationPanel {
  readonly character: Character;
  readonly #deps: EvaluationDeps;
  readonly #runs = new LiveValue<EvalRun[]>([]);
  /** How many questions each corpus source can give. */
  available = $state.raw<Record<CorpusSource, number>>({ 'held-out': 0, rolebench: 0, generated: 0 });
  models = $state.raw<{ id: string; label: string }[]>([]);
  rated = $state.raw<RatedReply[]>([]);
  /** The form of a new run. */
  counts = $state<Record<CorpusSource, number>>({ 'held-out': DEFAULT_COUNT, rolebench: DEFAULT_COUNT, generated: DEFAULT_COUNT });
  written = $state('');
  modes = $state<EvalPromptMode[]>([...EVAL_PROMPT_MODES]);
  chosenModels = $state<string[]>([]);
  selectedId = $state<string | null>(null);
  error = $state.raw<unknown>(null);
  #scenes: Scene[] = [];
  #speaker = '';

  readonly runs = $derived(this.#runs.value);
  readonly selected = $derived(this.runs.find((run) => run.id === this.selectedId) ?? this.runs[0] ?? null);
  readonly summary = $derived(this.selected ? summarize(this.selected) : []);
  readonly ratings = $derived(ratingsStat(this.rated));

  constructor(deps: EvaluationDeps) {
    this.#deps = deps;
    this.character = deps.character;
  }

  /** Reads the corpus, the models and the ratings, and follows the saved runs until dispose(). */
  async load(): Promise<void> {
    this.#runs.follow(this.#deps.runs());
    try {
      const [scenes, models, rated] = await Promise.all([this.#deps.scenes(), this.#deps.models(), this.#deps.ratedReplies()]);
      this.#scenes = scenes;
      this.#speaker = ownSpeaker(scenes, [this.character.name, this.character.nickname]);
      this.available = availableQuestions(scenes, this.#speaker);
      // Within what each source has, or the form's number fields would refuse to submit.
      for (const source of Object.keys(this.counts) as CorpusSource[]) this.counts[source] = Math.min(DEFAULT_COUNT, this.available[source]);
      this.models = models;
      this.rated = rated;
      const loaded = this.#deps.loadedModel();
      this.chosenModels = loaded ? [loaded] : models.slice(0, 1).map((m) => m.id);
    } catch (error) {
      this.error = error;
    }
  }

  dispose(): void {
    this.#runs.dispose();
  }

  get runsError(): unknown {
    return this.#runs.error;
  }

  /** The questions and configurations the form describes now. */
  #plan(seed: string) {
    const counts = Object.fromEntries(Object.entries(this.counts).map(([source, n]) => [source, Math.max(0, Math.floor(Number(n) || 0))]));
    const questions = assembleTestSet(this.#scenes, this.#speaker, { counts, written: this.written.split('\n'), seed });
    return { questions, configs: configMatrix(this.modes, this.chosenModels) };
  }

  /** How many replies the form's run would write. */
  get plannedReplies(): number {
    const { questions, configs } = this.#plan('preview');
    return questions.length * configs.length;
  }

  /** Saves a new run from the form and starts its job; null (nothing saved) when it would ask nothing. */
  async start(): Promise<EvalRun | null> {
    this.error = null;
    const now = (this.#deps.now ?? Date.now)();
    const id = (this.#deps.newId ?? (() => crypto.randomUUID()))();
    const { questions, configs } = this.#plan(id);
    if (questions.length === 0 || configs.length === 0) return null;
    const run: EvalRun = {
      id,
      characterId: this.character.id,
      title: new Date(now).toISOString().slice(0, 16).replace('T', ' '),
      questions,
      configs,
      results: [],
      identityChoices: identityChoices(this.character.name, this.#deps.otherNames(), this.character.language, id),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.#deps.saveRun(run);
      this.#runs.set([run, ...this.runs.filter((r) => r.id !== run.id)]);
      this.selectedId = run.id;
      await this.#deps.runJob(run);
      return run;
    } catch (error) {
      this.error = error;
      return null;
    }
  }

  /** Goes on with an unfinished run whose job is gone (restored from a backup, or its job removed). */
  async resume(run: EvalRun): Promise<void> {
    try {
      await this.#deps.runJob(run);
    } catch (error) {
      this.error = error;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.#deps.removeRun(id);
      if (this.selectedId === id) this.selectedId = null;
    } catch (error) {
      this.error = error;
    }
  }

  /** Downloads a run as CSV (one row per reply) or JSON (the run and its table); returns the file name. */
  export(run: EvalRun, format: 'csv' | 'json'): string {
    const base = `${safeFileBase(this.character.name, 'character')}-evaluation-${run.title.replace(/[^0-9]/g, '')}`;
    const file = format === 'csv'
      // A byte-order mark, so spreadsheets read the Chinese text as UTF-8.
      ? { name: `${base}.csv`, mime: 'text/csv', bytes: utf8Encode(`\uFEFF${evalRunCsv(run, this.rated)}`) }
      : { name: `${base}.json`, mime: 'application/json', bytes: utf8Encode(evalRunJson(run, this.rated)) };
    this.#deps.download(file);
    return file.name;
  }
}
