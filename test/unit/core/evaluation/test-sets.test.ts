import { describe, expect, it } from 'vitest';
import { assembleTestSet, availableQuestions, heldOutSceneIds, ownLines, ownSpeaker } from '../../../../src/core/evaluation/test-sets';
import type { Scene, SceneLine } from '../../../../src/core/types';

const scene = (id: string, lines: [string, string][], over: Partial<Scene> = {}): Scene => ({
  id, characterId: 'c', title: id, text: '', tokens: 1, source: 'chatharuhi', vectors: [],
  lines: lines.map(([speaker, text]): SceneLine => ({ speaker, text })), ...over,
});

const corpus: Scene[] = [
  scene('s1', [['Watson', 'Where were you?'], ['Holmes', 'At the docks.'], ['Watson', 'Why?']]),
  scene('s2', [['Holmes', 'Come, Watson.'], ['Lestrade', 'Another murder, sir.'], ['Holmes', 'Show me the body.']]),
  scene('s3', [['Holmes', 'I talk to myself.']]),
  scene('rb1', [['User', 'What is your method?'], ['Holmes', 'Observation.']], { source: 'rolellm' }),
  scene('g1', [['Hudson', 'Tea?'], ['Holmes', 'Later.']], { generated: { jobId: 'j1', kind: 'everyday', question: 'Tea?', prompt: '[system]', model: 'gguf:tiny', createdAt: 1 } }),
  scene('k1', [['Holmes', 'Baker Street is in London.']], { kind: 'knowledge' }),
];

describe('test sets', () => {
  it('takes the line said to the character and its original reply from each scene, tagged by source', () => {
    const questions = assembleTestSet(corpus, 'Holmes', { counts: { 'held-out': 5, rolebench: 5, generated: 5 }, written: ['  Who are you? ', ''], seed: 'run' });
    const byId = Object.fromEntries(questions.map((q) => [q.id, q]));
    expect(byId['held-out:s1']).toEqual({ id: 'held-out:s1', source: 'held-out', prompt: 'Where were you?', reference: 'At the docks.', sceneId: 's1' });
    expect(byId['held-out:s2']).toMatchObject({ prompt: 'Another murder, sir.', reference: 'Show me the body.' });
    expect(byId['rolebench:rb1']).toMatchObject({ source: 'rolebench', prompt: 'What is your method?', reference: 'Observation.' });
    expect(byId['generated:g1']).toMatchObject({ source: 'generated', prompt: 'Tea?', reference: 'Later.' });
    expect(byId['written:0']).toEqual({ id: 'written:0', source: 'written', prompt: 'Who are you?' });
    // A monologue and a knowledge passage give no question.
    expect(questions.map((q) => q.id).sort()).toEqual(['generated:g1', 'held-out:s1', 'held-out:s2', 'rolebench:rb1', 'written:0']);
    expect(availableQuestions(corpus, 'Holmes')).toEqual({ 'held-out': 2, rolebench: 1, generated: 1 });
  });

  it('samples up to the count in a seeded order: the same seed, the same questions', () => {
    const many = Array.from({ length: 20 }, (_, i) => scene(`m${i}`, [['Watson', `Question ${i}?`], ['Holmes', `Answer ${i}.`]]));
    const a = assembleTestSet(many, 'Holmes', { counts: { 'held-out': 5 }, seed: 'one' });
    expect(a).toHaveLength(5);
    expect(assembleTestSet(many, 'Holmes', { counts: { 'held-out': 5 }, seed: 'one' })).toEqual(a);
    expect(assembleTestSet(many, 'Holmes', { counts: { 'held-out': 5 }, seed: 'two' }).map((q) => q.id)).not.toEqual(a.map((q) => q.id));
  });

  it('names every scene a question came from, to keep out of retrieval, and leaves them out of the character\'s lines', () => {
    const questions = assembleTestSet(corpus, 'Holmes', { counts: { 'held-out': 1, rolebench: 1 }, written: ['Hi'], seed: 'x' });
    const held = heldOutSceneIds(questions);
    expect(held.size).toBe(2);
    expect(held.has('rb1')).toBe(true);
    const lines = ownLines(corpus, 'Holmes', held, 100);
    for (const id of held) for (const line of corpus.find((s) => s.id === id)!.lines) if (line.speaker === 'Holmes') expect(lines).not.toContain(line.text);
    expect(lines).not.toContain('Baker Street is in London.');
  });

  it('finds the character\'s name in the corpus: its name or nickname, else the most frequent speaker', () => {
    expect(ownSpeaker(corpus, ['Sherlock Holmes', 'Holmes'])).toBe('Holmes');
    expect(ownSpeaker(corpus, ['Mr. Holmes'])).toBe('Holmes');
  });
});
