// Sampling figures: clamped to their limits, layered (chat over character over the person's), and
// sent to each engine only as far as it supports them.

import { describe, expect, it } from 'vitest';
import { BUILTIN_PRESETS, clampOverride, cleanStopStrings, resolveSampling, toGenerateOptions } from '../../../src/core/sampling';
import { DEFAULT_SAMPLING, MAX_STOP_LENGTH, MAX_STOP_STRINGS, SAMPLING_LIMITS } from '../../../src/core/types';

describe('clampOverride', () => {
  it('clamps every figure into its range, rounds the whole ones, and drops what is not a number', () => {
    expect(clampOverride({ temperature: 9, topP: -1, topK: 12.6, minP: 2, maxTokens: 5, repetitionPenalty: 0, presencePenalty: -5, frequencyPenalty: 5, seed: -3.5 }))
      .toEqual({ temperature: 2, topP: 0, topK: 13, minP: 1, maxTokens: SAMPLING_LIMITS.maxTokens.min, repetitionPenalty: 0.5, presencePenalty: -2, frequencyPenalty: 2, seed: 0 });
    expect(clampOverride({ temperature: Number.NaN, topP: '0.5' as unknown as number, unknown: 1 } as never)).toEqual({});
  });

  it('caps stop strings in number and length, and drops empty and repeated ones', () => {
    const long = 'x'.repeat(MAX_STOP_LENGTH + 10);
    const stops = cleanStopStrings(['', '\nAna:', '\nAna:', long, ...Array.from({ length: 20 }, (_, i) => `s${i}`)]);
    expect(stops).toHaveLength(MAX_STOP_STRINGS);
    expect(stops.slice(0, 2)).toEqual(['\nAna:', 'x'.repeat(MAX_STOP_LENGTH)]);
  });
});

describe('resolveSampling', () => {
  it('lays the chat over the character over the person over the defaults', () => {
    const person = { temperature: 0.9, topK: 30, maxTokens: 200 };
    const character = { temperature: 0.5, minP: 0.2 };
    const chat = { temperature: 0.3 };
    expect(resolveSampling(person, character, chat)).toEqual({ ...DEFAULT_SAMPLING, temperature: 0.3, topK: 30, maxTokens: 200, minP: 0.2 });
    expect(resolveSampling(person, undefined, undefined).temperature).toBe(0.9);
  });

  it('has Balanced, Creative and Precise built in, none of which touches the reply length, stop strings or seed', () => {
    expect(BUILTIN_PRESETS.map((p) => p.name)).toEqual(['Balanced', 'Creative', 'Precise']);
    for (const preset of BUILTIN_PRESETS) {
      expect(clampOverride(preset.values)).toEqual(preset.values);
      expect(Object.keys(preset.values)).not.toContain('maxTokens');
      expect(Object.keys(preset.values)).not.toContain('stop');
    }
  });
});

describe('toGenerateOptions', () => {
  const sampling = { ...DEFAULT_SAMPLING, stop: ['END'], seed: 5 };

  it('sends every sampler an engine lists, and only those', () => {
    expect(toGenerateOptions(sampling, { gpu: true, multiThread: false, samplers: ['presencePenalty', 'frequencyPenalty', 'stop'] })).toEqual({
      maxTokens: sampling.maxTokens, temperature: sampling.temperature, topP: sampling.topP, presencePenalty: 0, frequencyPenalty: 0, stop: ['END'],
    });
  });

  it('leaves out a seed that is not set and an empty stop list', () => {
    const options = toGenerateOptions(DEFAULT_SAMPLING, { gpu: false, multiThread: false, samplers: ['seed', 'stop', 'topK'] });
    expect(options).toEqual({ maxTokens: DEFAULT_SAMPLING.maxTokens, temperature: DEFAULT_SAMPLING.temperature, topP: DEFAULT_SAMPLING.topP, topK: DEFAULT_SAMPLING.topK });
  });
});
