// What an evaluation run shows and exports: per configuration the mean and spread of each score,
// the replies of one question side by side, the person's star ratings beside them, CSV and JSON.

import { csvCell, type RatedReply } from '../ratings';
import type { EvalConfig, EvalQuestion, EvalResult, EvalRun, EvalScores } from '../types';

/** The scores a results table has a column for. identity: the share of replies the judge gave to the character. */
export const EVAL_METRICS = ['rougeL', 'cosineReference', 'cosineLines', 'identity', 'oocMarkers', 'length'] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];

export interface Stat {
  mean: number;
  /** Standard deviation (population): how far single replies spread around the mean. */
  spread: number;
  /** How many replies had this score. */
  count: number;
}

/** Mean and spread of the values; null for none. */
export function stat(values: readonly number[]): Stat | null {
  if (values.length === 0) return null;
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, spread: Math.sqrt(variance), count: values.length };
}

/** One score of a reply as a number, or undefined when the reply has none. */
export function metricValue(scores: EvalScores, metric: EvalMetric): number | undefined {
  if (metric === 'identity') return scores.identityRight === undefined ? undefined : scores.identityRight ? 1 : 0;
  return scores[metric];
}

export interface ConfigSummary {
  config: EvalConfig;
  /** Results so far / questions in the run. */
  done: number;
  total: number;
  stats: Record<EvalMetric, Stat | null>;
}

/** The results table: one row per configuration, in the run's order. */
export function summarize(run: Pick<EvalRun, 'configs' | 'questions' | 'results'>): ConfigSummary[] {
  return run.configs.map((config) => {
    const own = run.results.filter((r) => r.configId === config.id);
    const stats = Object.fromEntries(EVAL_METRICS.map((metric) => [
      metric,
      stat(own.map((r) => metricValue(r.scores, metric)).filter((v): v is number => v !== undefined)),
    ])) as Record<EvalMetric, Stat | null>;
    return { config, done: own.length, total: run.questions.length, stats };
  });
}

/** A question's replies, one per configuration that has one, in configuration order. */
export function repliesFor(run: Pick<EvalRun, 'configs' | 'results'>, questionId: string): { config: EvalConfig; result: EvalResult }[] {
  return run.configs.flatMap((config) => {
    const result = run.results.find((r) => r.questionId === questionId && r.configId === config.id);
    return result ? [{ config, result }] : [];
  });
}

const sameLine = (a: string, b: string) => a.trim().replace(/\s+/g, ' ') === b.trim().replace(/\s+/g, ' ');

/** The person's rated chat replies to the same line as the question (their stars shown beside its replies). */
export function ratingsFor(question: Pick<EvalQuestion, 'prompt'>, rated: readonly RatedReply[]): RatedReply[] {
  return rated.filter((r) => r.prompt !== '' && sameLine(r.prompt, question.prompt));
}

/** The stars of every rated reply of the character's chats, as a mean and spread beside the table. */
export function ratingsStat(rated: readonly RatedReply[]): Stat | null {
  return stat(rated.map((r) => r.stars));
}

const CSV_HEADER = [
  'question', 'source', 'configuration', 'mode', 'model', 'prompt', 'reference', 'reply',
  'rouge_l', 'cosine_reference', 'cosine_lines', 'identity_pick', 'identity_right', 'ooc_markers', 'length', 'stars',
] as const;

const figure = (value: number | undefined) => (value === undefined ? '' : Number(value.toFixed(4)));

/** Every result as one CSV row (RFC 4180, CRLF), questions in run order; stars: the mean of matching rated replies. */
export function evalRunCsv(run: EvalRun, rated: readonly RatedReply[] = []): string {
  const lines = [CSV_HEADER.join(',')];
  for (const question of run.questions) {
    const stars = stat(ratingsFor(question, rated).map((r) => r.stars));
    for (const { config, result } of repliesFor(run, question.id)) {
      const s = result.scores;
      lines.push([
        question.id, question.source, config.id, config.mode, config.model, question.prompt, question.reference ?? '', result.reply,
        figure(s.rougeL), figure(s.cosineReference), figure(s.cosineLines), s.identityPick ?? '',
        s.identityRight === undefined ? '' : s.identityRight ? 'yes' : 'no', s.oocMarkers, s.length, figure(stars?.mean),
      ].map(csvCell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The run as JSON: its questions, configurations and results, and the table it shows. */
export function evalRunJson(run: EvalRun, rated: readonly RatedReply[] = []): string {
  const { jobId: _job, ...saved } = run;
  return `${JSON.stringify({ format: 'hearth-evaluation', version: 1, run: saved, summary: summarize(run), ratings: ratingsStat(rated) }, null, 2)}\n`;
}
