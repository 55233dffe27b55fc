import { describe, expect, it } from 'vitest';
import { characterForMode, configMatrix, nextCell, pendingCells, promptParts } from '../../../../src/core/evaluation/configs';
import type { CharacterFields, EvalQuestion } from '../../../../src/core/types';

describe('configuration matrix', () => {
  it('runs every chosen mode on every chosen model, in the modes\' own order, each model once', () => {
    const configs = configMatrix(['scenes', 'zero-shot'], ['gguf:a', 'gguf:b', 'gguf:a']);
    expect(configs.map((c) => c.id)).toEqual(['zero-shot@gguf:a', 'scenes@gguf:a', 'zero-shot@gguf:b', 'scenes@gguf:b']);
  });

  it('adds to the prompt step by step: zero-shot, few-shot examples, retrieved scenes, memory', () => {
    expect(promptParts('zero-shot')).toEqual({ examples: false, scenes: false, memory: false });
    expect(promptParts('few-shot')).toEqual({ examples: true, scenes: false, memory: false });
    expect(promptParts('scenes')).toEqual({ examples: true, scenes: true, memory: false });
    expect(promptParts('memory')).toEqual({ examples: true, scenes: true, memory: true });
    const card = { exampleDialogue: '<START>\n{{user}}: Hi\n{{char}}: Hello' } as CharacterFields;
    expect(characterForMode(card, 'zero-shot').exampleDialogue).toBe('');
    expect(characterForMode(card, 'few-shot').exampleDialogue).toBe(card.exampleDialogue);
  });

  it('goes on where a run stopped: only cells without a result, the loaded model\'s first', () => {
    const questions: EvalQuestion[] = [{ id: 'q1', source: 'written', prompt: 'a' }, { id: 'q2', source: 'written', prompt: 'b' }];
    const configs = configMatrix(['zero-shot', 'few-shot'], ['m1', 'm2']);
    const results = [{ questionId: 'q1', configId: 'zero-shot@m1', reply: '', scores: { oocMarkers: 0, length: 0 }, at: 1 }];
    const pending = pendingCells(questions, configs, results);
    expect(pending).toHaveLength(7);
    expect(pending.map((c) => `${c.config.id}/${c.question.id}`).slice(0, 3)).toEqual(['zero-shot@m1/q2', 'few-shot@m1/q1', 'few-shot@m1/q2']);
    expect(nextCell(pending, 'm2')?.config.id).toBe('zero-shot@m2');
    expect(nextCell(pending, 'other')).toBeNull();
    expect(nextCell(pending, null)).toBeNull();
  });
});
