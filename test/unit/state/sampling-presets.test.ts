// The Settings form's samplers and presets: a preset fills the fields, Save stores them, the
// person's own presets are kept (and updated by name, and deleted), all clamped to the limits.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import { BUILTIN_PRESETS } from '../../../src/core/sampling';
import { DEFAULT_SAMPLING } from '../../../src/core/types';
import { MAX_PRESETS, PersonaSettings, SAMPLING_KEY, SAMPLING_PRESETS_KEY } from '../../../src/state/persona.svelte';
import { SettingsForm } from '../../../src/state/settings-form.svelte';
import { createRepositories, type Repositories } from '../../../src/storage';
import { AppDatabase } from '../../../src/storage/db';

let db: AppDatabase;
let repos: Repositories;
let profile: PersonaSettings;

beforeEach(async () => {
  db = new AppDatabase(`presets-${crypto.randomUUID()}`);
  await db.open();
  repos = createRepositories(db);
  profile = new PersonaSettings({ personas: () => repos.personas, settings: () => repos.settings, fallbackName: () => 'User' });
  await profile.refresh();
});
afterEach(() => db.close());

describe('sampling presets', () => {
  it('a built-in preset fills the sampler fields and keeps the reply length; Save stores the figures', async () => {
    const form = new SettingsForm(profile);
    form.maxTokens = 200;
    form.applyPreset('builtin:precise');
    const precise = BUILTIN_PRESETS.find((p) => p.id === 'builtin:precise')!.values;
    expect([form.temperature, form.topK, form.minP, form.maxTokens]).toEqual([precise.temperature, precise.topK, precise.minP, 200]);
    await form.save();
    expect(profile.sampling).toMatchObject({ ...precise, maxTokens: 200 });
    expect(await repos.settings.get(SAMPLING_KEY, {})).toMatchObject({ temperature: precise.temperature, topK: precise.topK, maxTokens: 200 });
  });

  it('stop strings (one a line, \\n for a line break) and a seed are saved, clamped; clearing the seed removes it', async () => {
    const form = new SettingsForm(profile);
    form.stop = '\\nAna:\n\n###';
    form.seed = '42';
    form.topP = 7;
    await form.save();
    expect(profile.sampling).toMatchObject({ stop: ['\nAna:', '###'], seed: 42, topP: 1 });
    expect(form.stop).toBe('\\nAna:\n###');
    form.seed = '';
    await form.save();
    expect(profile.sampling.seed).toBeUndefined();
  });

  it('the person’s own preset is stored, updated under the same name, listed after the built-ins, and deleted', async () => {
    const form = new SettingsForm(profile);
    form.temperature = 1.4;
    const saved = await form.savePreset('  Stormy nights  ');
    expect(saved).toMatchObject({ name: 'Stormy nights', values: { temperature: 1.4 } });
    form.temperature = 1.6;
    await form.savePreset('Stormy nights');
    expect(profile.presets).toHaveLength(1);
    expect(profile.presets[0]).toMatchObject({ id: saved.id, values: { temperature: 1.6 } });
    expect(form.presets.map((p) => p.name)).toEqual(['Balanced', 'Creative', 'Precise', 'Stormy nights']);
    expect(await repos.settings.get(SAMPLING_PRESETS_KEY, [])).toEqual(profile.presets);

    form.temperature = 0.2;
    form.applyPreset(saved.id);
    expect(form.temperature).toBe(1.6);

    await form.deletePreset(saved.id);
    expect(profile.presets).toEqual([]);
  });

  it('a preset without a name is refused and nothing is stored', async () => {
    const error = await profile.savePreset('   ', DEFAULT_SAMPLING).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('preset-invalid');
    expect(await repos.settings.get(SAMPLING_PRESETS_KEY, null)).toBeNull();
  });

  it('past the most presets a new one is refused, while one of the same name is still updated', async () => {
    for (let i = 0; i < MAX_PRESETS; i++) await profile.savePreset(`Preset ${i}`, { temperature: 0.5 });
    const error = await profile.savePreset('One more', { temperature: 0.5 }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('preset-invalid');
    await profile.savePreset('Preset 0', { temperature: 1.5 });
    expect(profile.presets).toHaveLength(MAX_PRESETS);
    expect(profile.presets[0].values.temperature).toBe(1.5);
  });
});
