import { describe, expect, it } from 'vitest';
import { evalRunCsv, evalRunJson, ratingsFor, repliesFor, stat, summarize } from '../../../../src/core/evaluation/results';
import type { RatedReply } from '../../../../src/core/ratings';
import type { EvalRun } from '../../../../src/core/types';

const run: EvalRun = {
  id: 'r', characterId: 'c', title: 'Run', identityChoices: ['Mira', 'A', 'B', 'C'], createdAt: 1, updatedAt: 2,
  questions: [
    { id: 'q1', source: 'held-out', prompt: 'Who goes there?', reference: 'A friend.', sceneId: 's1' },
    { id: 'q2', source: 'written', prompt: '=1+1' },
  ],
  configs: [{ id: 'zero-shot@m', mode: 'zero-shot', model: 'm' }, { id: 'few-shot@m', mode: 'few-shot', model: 'm' }],
  results: [
    { questionId: 'q1', configId: 'zero-shot@m', reply: 'A friend, "truly"', scores: { rougeL: 1, identityPick: 'Mira', identityRight: true, oocMarkers: 0, length: 17 }, at: 1 },
    { questionId: 'q2', configId: 'zero-shot@m', reply: 'As an AI, two.', scores: { identityPick: 'A', identityRight: false, oocMarkers: 1, length: 14 }, at: 2 },
    { questionId: 'q1', configId: 'few-shot@m', reply: 'Nobody.', scores: { rougeL: 0, oocMarkers: 0, length: 7 }, at: 3 },
  ],
};

const rated: RatedReply[] = [
  { character: 'Mira', conversationId: 'c', messageId: 'm1', prompt: 'Who  goes there? ', reply: 'Me.', stars: 4, ratedAt: 1 },
  { character: 'Mira', conversationId: 'c', messageId: 'm2', prompt: 'Who goes there?', reply: 'You.', stars: 2, ratedAt: 2 },
  { character: 'Mira', conversationId: 'c', messageId: 'm3', prompt: 'Hello', reply: 'Hi.', stars: 1, ratedAt: 3 },
];

describe('evaluation results', () => {
  it('gives mean and spread (standard deviation) by hand: 2, 4, 4, 4, 5, 5, 7, 9 -> 5 ± 2', () => {
    expect(stat([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, spread: 2, count: 8 });
    expect(stat([])).toBeNull();
  });

  it('summarises each configuration over the replies that have each score', () => {
    const [zero, few] = summarize(run);
    expect(zero.done).toBe(2);
    expect(zero.total).toBe(2);
    expect(zero.stats.rougeL).toEqual({ mean: 1, spread: 0, count: 1 });
    expect(zero.stats.identity).toEqual({ mean: 0.5, spread: 0.5, count: 2 });
    expect(zero.stats.oocMarkers).toEqual({ mean: 0.5, spread: 0.5, count: 2 });
    expect(zero.stats.cosineLines).toBeNull();
    expect(few.done).toBe(1);
    expect(few.stats.identity).toBeNull();
  });

  it('puts one question\'s replies side by side, with the person\'s stars for the same line', () => {
    expect(repliesFor(run, 'q1').map((r) => r.config.id)).toEqual(['zero-shot@m', 'few-shot@m']);
    expect(ratingsFor(run.questions[0], rated).map((r) => r.stars)).toEqual([4, 2]);
    expect(ratingsFor(run.questions[1], rated)).toEqual([]);
  });

  it('exports CSV a spreadsheet reads as text, one row per reply, stars beside', () => {
    const csv = evalRunCsv(run, rated);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('question,source,configuration,mode,model,prompt,reference,reply,rouge_l,cosine_reference,cosine_lines,identity_pick,identity_right,ooc_markers,length,stars');
    expect(lines[1]).toBe('q1,held-out,zero-shot@m,zero-shot,m,Who goes there?,A friend.,"A friend, ""truly""",1,,,Mira,yes,0,17,3');
    expect(lines[2]).toBe('q1,held-out,few-shot@m,few-shot,m,Who goes there?,A friend.,Nobody.,0,,,,,0,7,3');
    expect(lines[3]).toBe("q2,written,zero-shot@m,zero-shot,m,'=1+1,,\"As an AI, two.\",,,,A,no,1,14,");
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
  });

  it('exports JSON with the run and its table', () => {
    const json = JSON.parse(evalRunJson({ ...run, jobId: 'j' }, rated));
    expect(json.format).toBe('hearth-evaluation');
    expect(json.run.results).toHaveLength(3);
    expect(json.run.jobId).toBeUndefined();
    expect(json.summary[0].stats.rougeL.mean).toBe(1);
    expect(json.ratings.count).toBe(3);
  });
});
