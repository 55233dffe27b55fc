import { describe, expect, it } from 'vitest';
import { NearDuplicates } from '../../../../src/core/dialogue-gen/filters';
import {
  applyAnswer,
  applyQuestions,
  initialState,
  nextStep,
  planKinds,
  QUESTION_BATCH_TRIES,
  type AnswerContext,
  type DialogueGenParams,
} from '../../../../src/core/dialogue-gen/job-state';

const params: DialogueGenParams = { lang: 'en', plan: { world: 2, everyday: 1, 'out-of-world': 1 } };
const q = (question: string, confidence = 8, completeness = 8) => ({ question, confidence, completeness });
const context = (existing: string[] = []): AnswerContext => ({
  duplicates: new NearDuplicates(existing),
  aiIsInCharacter: false,
  keep: { id: 'p1', prompt: '[system]\nYou are Haruhi.', model: 'tiny', createdAt: 5 },
});

describe('planKinds', () => {
  it('gives out-of-world its share and splits the rest over the other kinds chosen', () => {
    expect(planKinds(20, ['world', 'everyday', 'out-of-world'], 0.25)).toEqual({ world: 8, everyday: 7, 'out-of-world': 5 });
    expect(planKinds(10, ['world', 'out-of-world'], 0.25)).toEqual({ world: 7, everyday: 0, 'out-of-world': 3 });
    expect(planKinds(10, ['everyday'], 0.25)).toEqual({ world: 0, everyday: 10, 'out-of-world': 0 });
    expect(planKinds(10, ['out-of-world'], 0.25)).toEqual({ world: 0, everyday: 0, 'out-of-world': 10 });
  });
});

describe('dialogue generation steps', () => {
  it('asks for questions of the kind furthest behind, then answers them one by one', () => {
    let state = initialState();
    expect(nextStep(state, params)).toEqual({ pass: 'questions', kind: 'world', count: 2 });
    state = applyQuestions(state, params, 'world', [q('What is the SOS Brigade for?'), q('Who is your best friend at school?'), q('Why do you hate boring days?')]);
    // Two are needed: the third is not kept waiting (nor counted as dropped).
    expect(state.waiting.map((w) => w.question)).toEqual(['What is the SOS Brigade for?', 'Who is your best friend at school?']);
    expect(nextStep(state, params)).toEqual({ pass: 'answer', question: { kind: 'world', question: 'What is the SOS Brigade for?' } });
    state = applyAnswer(state, params, 'To find aliens, time travellers and espers, of course!', context());
    expect(state.kept).toEqual([
      { id: 'p1', kind: 'world', question: 'What is the SOS Brigade for?', answer: 'To find aliens, time travellers and espers, of course!', prompt: '[system]\nYou are Haruhi.', model: 'tiny', createdAt: 5 },
    ]);
    state = applyAnswer(state, params, null, context());
    expect(state.counts.parse).toBe(1);
    expect(state.answered).toEqual({ world: 2, everyday: 0, 'out-of-world': 0 });
    expect(nextStep(state, params)).toEqual({ pass: 'questions', kind: 'everyday', count: 1 });
  });

  it('counts each question dropped by pass 1 under its filter', () => {
    const state = applyQuestions(initialState(), params, 'world', [
      q('What do you dream about at night?', 3),
      q('And then?', 9, 2),
      q('你最喜欢什么食物？'),
      q('Why?'),
      q('What do you dream about at night?'),
      q('What do you dream about at night!'),
    ]);
    expect(state.counts).toMatchObject({ 'low-confidence': 1, 'low-completeness': 1, 'wrong-language': 1, 'too-short': 1, 'near-duplicate': 1 });
    expect(state.waiting).toHaveLength(1);
    expect(applyQuestions(initialState(), params, 'world', null).counts.parse).toBe(1);
  });

  it('drops answers that break character, do not deflect, or repeat an existing line', () => {
    let state = applyQuestions(initialState(), { ...params, plan: { world: 0, everyday: 0, 'out-of-world': 3 } }, 'out-of-world', [
      q('What do you think of smartphones?'), q('Have you ever used the internet?'), q('Do you know who Taylor Swift is?'),
    ]);
    const outParams = { ...params, plan: { world: 0, everyday: 0, 'out-of-world': 3 } };
    state = applyAnswer(state, outParams, 'As an AI language model, I cannot have opinions.', context());
    state = applyAnswer(state, outParams, 'The internet connects computers all over the world.', context());
    state = applyAnswer(state, outParams, "Taylor who? I've never heard of her, and I don't care!", context(["Taylor who? I've never heard of her, and I don't care."]));
    expect(state.counts).toMatchObject({ 'breaks-character': 1, 'not-deflected': 1, 'near-duplicate': 1 });
    expect(state.kept).toEqual([]);
    expect(state.dropped.map((d) => d.reason)).toEqual(['breaks-character', 'not-deflected', 'near-duplicate']);
    expect(nextStep(state, outParams)).toEqual({ pass: 'done' });
  });

  it('stops when pass 1 keeps failing, so a weak model cannot loop forever', () => {
    let state = initialState();
    for (let i = 0; i < QUESTION_BATCH_TRIES; i++) state = applyQuestions(state, params, 'world', null);
    expect(nextStep(state, params)).toEqual({ pass: 'done' });
  });
});
