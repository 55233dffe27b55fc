// The resumable state of a dialogue generation job and how each engine reply moves it on (pure).
//
// The job alternates two steps: when no question waits, pass 1 writes a batch of questions of the
// kind furthest behind its share; otherwise pass 2 answers the oldest waiting question. Each step's
// reply is applied here, through the filters, so the state after a step is all that must be saved
// for the job to resume after a reload (a step cut short is simply run again).

import type { Lang } from '../types';
import { answerDropReason, DEFAULT_FILTER_LIMITS, DROP_REASONS, NearDuplicates, questionDropReason, type DropReason, type FilterLimits, type QuestionDraft } from './filters';
import { QUESTION_KINDS, type QuestionKind } from './templates';

/** Questions asked of pass 1 at a time. */
export const QUESTION_BATCH = 5;
/** Pass 1 calls allowed per batch needed, so a model whose questions are all dropped still ends. */
export const QUESTION_BATCH_TRIES = 4;
/** Dropped records kept for the person to look at (the counts cover them all). */
export const DROPPED_SHOWN = 50;

export interface DialogueGenParams {
  lang: Lang;
  /** Pairs to write of each kind. */
  plan: Record<QuestionKind, number>;
}

export interface WaitingQuestion {
  kind: QuestionKind;
  question: string;
}

/** A pair that passed every filter, waiting for review. */
export interface KeptPair {
  id: string;
  kind: QuestionKind;
  question: string;
  answer: string;
  /** The exact prompt text pass 2 was sent. */
  prompt: string;
  model: string;
  createdAt: number;
}

export interface DroppedRecord {
  kind: QuestionKind;
  reason: DropReason;
  question?: string;
  answer?: string;
}

export interface DialogueGenState {
  /** Pass 1 calls so far (also where the next one starts in the script). */
  batches: number;
  waiting: WaitingQuestion[];
  /** Every question that passed pass 1, so later batches avoid them and near copies are dropped. */
  asked: string[];
  /** Pairs answered (kept or dropped in pass 2) per kind. */
  answered: Record<QuestionKind, number>;
  kept: KeptPair[];
  /** The last DROPPED_SHOWN dropped records, newest last. */
  dropped: DroppedRecord[];
  counts: Record<DropReason, number>;
}

const perKind = (n: number) => Object.fromEntries(QUESTION_KINDS.map((k) => [k, n])) as Record<QuestionKind, number>;

export function initialState(): DialogueGenState {
  return {
    batches: 0,
    waiting: [],
    asked: [],
    answered: perKind(0),
    kept: [],
    dropped: [],
    counts: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };
}

/**
 * How many pairs of each kind: `outOfWorldShare` of the total out-of-world (when chosen), the
 * rest split evenly over the other chosen kinds (world first when it does not split evenly).
 */
export function planKinds(total: number, kinds: readonly QuestionKind[], outOfWorldShare: number): Record<QuestionKind, number> {
  const plan = perKind(0);
  if (kinds.length === 0 || total <= 0) return plan;
  const others = QUESTION_KINDS.filter((k) => k !== 'out-of-world' && kinds.includes(k));
  const outOfWorld = kinds.includes('out-of-world') ? (others.length ? Math.round(total * outOfWorldShare) : total) : 0;
  plan['out-of-world'] = outOfWorld;
  const rest = total - outOfWorld;
  others.forEach((kind, i) => (plan[kind] = Math.floor(rest / others.length) + (i < rest % others.length ? 1 : 0)));
  return plan;
}

export const totalOf = (plan: Record<QuestionKind, number>) => QUESTION_KINDS.reduce((sum, k) => sum + plan[k], 0);
export const answeredOf = (state: DialogueGenState) => QUESTION_KINDS.reduce((sum, k) => sum + state.answered[k], 0);
export const droppedOf = (state: DialogueGenState) => DROP_REASONS.reduce((sum, r) => sum + state.counts[r], 0);

export type NextStep = { pass: 'questions'; kind: QuestionKind; count: number } | { pass: 'answer'; question: WaitingQuestion } | { pass: 'done' };

/** What the job does next: answer a waiting question, ask for more, or stop (all written, or pass 1 keeps failing). */
export function nextStep(state: DialogueGenState, params: DialogueGenParams): NextStep {
  if (state.waiting.length) return { pass: 'answer', question: state.waiting[0] };
  const total = totalOf(params.plan);
  if (state.batches >= Math.ceil(total / QUESTION_BATCH) * QUESTION_BATCH_TRIES) return { pass: 'done' };
  // The kind furthest behind its plan, by the share still missing.
  let best: QuestionKind | null = null;
  let bestMissing = 0;
  for (const kind of QUESTION_KINDS) {
    const missing = params.plan[kind] - state.answered[kind];
    if (missing > 0 && (best === null || missing / params.plan[kind] > bestMissing / params.plan[best])) {
      best = kind;
      bestMissing = missing;
    }
  }
  return best === null ? { pass: 'done' } : { pass: 'questions', kind: best, count: Math.min(QUESTION_BATCH, bestMissing) };
}

function drop(state: DialogueGenState, record: DroppedRecord): DialogueGenState {
  return {
    ...state,
    counts: { ...state.counts, [record.reason]: state.counts[record.reason] + 1 },
    dropped: [...state.dropped, record].slice(-DROPPED_SHOWN),
  };
}

/**
 * Pass 1's reply applied: `questions` is the parsed reply (null when it did not parse, one
 * 'parse' drop). Each question goes through the question filters and the near-duplicate check
 * against those asked before; no more than the kind still needs are kept waiting.
 */
export function applyQuestions(
  state: DialogueGenState,
  params: DialogueGenParams,
  kind: QuestionKind,
  questions: readonly QuestionDraft[] | null,
  limits: FilterLimits = DEFAULT_FILTER_LIMITS,
): DialogueGenState {
  let next: DialogueGenState = { ...state, batches: state.batches + 1 };
  if (questions === null) return drop(next, { kind, reason: 'parse' });
  const seen = new NearDuplicates(next.asked, limits.duplicateF);
  const room = params.plan[kind] - next.answered[kind] - next.waiting.filter((q) => q.kind === kind).length;
  let added = 0;
  for (const draft of questions) {
    const question = draft.question.trim();
    const reason = questionDropReason({ ...draft, question }, params.lang, limits) ?? (seen.checkAndAdd(question) ? 'near-duplicate' : null);
    if (reason) {
      next = drop(next, { kind, reason, question });
      continue;
    }
    if (added >= room) continue;
    added++;
    next = { ...next, waiting: [...next.waiting, { kind, question }], asked: [...next.asked, question] };
  }
  return next;
}

export interface AnswerContext {
  /** The character's own lines and the answers kept so far are near-duplicate candidates. */
  duplicates: NearDuplicates;
  aiIsInCharacter: boolean;
  limits?: FilterLimits;
  /** What a kept pair records. */
  keep: Omit<KeptPair, 'kind' | 'question' | 'answer'>;
}

/**
 * Pass 2's reply for the first waiting question applied: `answer` is the parsed answer (null when
 * it did not parse). The question leaves the queue either way; the pair is kept or counted as dropped.
 */
export function applyAnswer(state: DialogueGenState, params: DialogueGenParams, answer: string | null, context: AnswerContext): DialogueGenState {
  const [question, ...waiting] = state.waiting;
  if (!question) return state;
  const next: DialogueGenState = { ...state, waiting, answered: { ...state.answered, [question.kind]: state.answered[question.kind] + 1 } };
  if (answer === null) return drop(next, { ...question, reason: 'parse' });
  const text = answer.trim();
  const limits = context.limits ?? DEFAULT_FILTER_LIMITS;
  const reason =
    answerDropReason(text, { kind: question.kind, lang: params.lang, aiIsInCharacter: context.aiIsInCharacter }, limits) ??
    (context.duplicates.checkAndAdd(text) ? 'near-duplicate' : null);
  if (reason) return drop(next, { ...question, answer: text, reason });
  return { ...next, kept: [...next.kept, { ...context.keep, kind: question.kind, question: question.question, answer: text }] };
}
