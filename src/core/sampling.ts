// Sampling: the built-in presets, clamping to the limits, which settings win (chat over character
// over the person's), and the options one engine is sent (only the samplers it supports).

import { BASIC_SAMPLERS, type EngineCapabilities, type GenerateOptions, type SamplerName } from './engine';
import {
  DEFAULT_SAMPLING,
  MAX_STOP_LENGTH,
  MAX_STOP_STRINGS,
  SAMPLING_LIMITS,
  type SamplingOverride,
  type SamplingPreset,
  type SamplingSettings,
} from './types';

/**
 * Built-in presets set the samplers only: the reply length, stop strings and seed are the person's
 * and stay as they are when a preset is chosen. Ids are fixed (stored overrides name no preset,
 * they hold the figures, so renaming or deleting a preset never changes a chat).
 */
export const BUILTIN_PRESETS: readonly SamplingPreset[] = [
  {
    id: 'builtin:balanced',
    name: 'Balanced',
    values: { temperature: 0.8, topP: 0.95, topK: 40, minP: 0.05, repetitionPenalty: 1.1, presencePenalty: 0, frequencyPenalty: 0 },
  },
  {
    id: 'builtin:creative',
    name: 'Creative',
    values: { temperature: 1.1, topP: 0.98, topK: 80, minP: 0.02, repetitionPenalty: 1.05, presencePenalty: 0.3, frequencyPenalty: 0.1 },
  },
  {
    id: 'builtin:precise',
    name: 'Precise',
    values: { temperature: 0.4, topP: 0.85, topK: 20, minP: 0.1, repetitionPenalty: 1.15, presencePenalty: 0, frequencyPenalty: 0 },
  },
];

export const isBuiltinPreset = (id: string): boolean => BUILTIN_PRESETS.some((preset) => preset.id === id);

/** The preset whose figures an override holds (overrides store figures, not a preset's id). */
export function presetOf(override: SamplingOverride | undefined, presets: readonly SamplingPreset[]): SamplingPreset | undefined {
  if (!override) return undefined;
  const held = JSON.stringify(clampOverride(override));
  return presets.find((preset) => JSON.stringify(clampOverride(preset.values)) === held);
}

type Figure = Exclude<keyof SamplingSettings, 'stop' | 'seed'>;
const FIGURES = Object.keys(SAMPLING_LIMITS).filter((key) => key !== 'seed') as Figure[];
const WHOLE: ReadonlySet<Figure> = new Set(['topK', 'maxTokens']);

const clamp = (value: number, limits: { min: number; max: number }) => Math.min(limits.max, Math.max(limits.min, value));

/** Stop strings as engines take them: non-empty, no repeats, capped in number and length. */
export function cleanStopStrings(list: readonly unknown[]): string[] {
  const kept: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string' || item === '') continue;
    const stop = [...item].slice(0, MAX_STOP_LENGTH).join('');
    if (!kept.includes(stop)) kept.push(stop);
    if (kept.length === MAX_STOP_STRINGS) break;
  }
  return kept;
}

/**
 * The figures of `override` that are usable, each clamped to its limit (whole numbers where they
 * must be); anything unreadable (text, NaN, a field the app does not know) is left out, so it
 * falls through to the settings below.
 */
export function clampOverride(override: SamplingOverride | undefined): SamplingOverride {
  const result: SamplingOverride = {};
  if (!override) return result;
  for (const key of FIGURES) {
    const value = override[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    result[key] = clamp(WHOLE.has(key) ? Math.round(value) : value, SAMPLING_LIMITS[key]);
  }
  if (Array.isArray(override.stop)) result.stop = cleanStopStrings(override.stop);
  if (typeof override.seed === 'number' && Number.isFinite(override.seed)) result.seed = clamp(Math.trunc(override.seed), SAMPLING_LIMITS.seed);
  return result;
}

/**
 * The settings a reply uses: the defaults, then the person's settings, the character's override and
 * the chat's override, each over the one before; every figure clamped.
 */
export function resolveSampling(...layers: (SamplingOverride | undefined)[]): SamplingSettings {
  return Object.assign({ ...DEFAULT_SAMPLING }, ...layers.map(clampOverride)) as SamplingSettings;
}

/** The supported samplers of an engine (BASIC_SAMPLERS when it does not say). */
export function supportedSamplers(capabilities: EngineCapabilities | null | undefined): readonly SamplerName[] {
  return capabilities?.samplers ?? BASIC_SAMPLERS;
}

/** What one engine is sent: the base figures, plus each optional sampler it supports (and has a value). */
export function toGenerateOptions(sampling: SamplingSettings, capabilities: EngineCapabilities | null | undefined): GenerateOptions {
  const options: GenerateOptions = { maxTokens: sampling.maxTokens, temperature: sampling.temperature, topP: sampling.topP };
  for (const name of supportedSamplers(capabilities)) {
    if (name === 'stop') {
      if (sampling.stop.length > 0) options.stop = [...sampling.stop];
    } else if (sampling[name] !== undefined) {
      options[name] = sampling[name];
    }
  }
  return options;
}
