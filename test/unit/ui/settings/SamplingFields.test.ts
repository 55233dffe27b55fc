// The Settings form's samplers: only those the loaded engine uses are shown, and a preset fills them.

import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { SettingsForm } from '../../../../src/state/settings-form.svelte';
import SamplingFields from '../../../../src/ui/settings/SamplingFields.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

describe('SamplingFields', () => {
  it('shows only the samplers the loaded engine takes (no top-k or min-p on one without them)', async () => {
    const { app, engine } = await chatFixture();
    engine.caps = { gpu: true, multiThread: false, samplers: ['repetitionPenalty', 'presencePenalty', 'frequencyPenalty', 'seed', 'stop'] };
    renderInApp(app, SamplingFields, { form: new SettingsForm(app.profile), onerror: () => {} });
    expect(screen.queryByLabelText('Top-k (0 = off)')).toBeNull();
    expect(screen.queryByLabelText('Min-p (0 = off)')).toBeNull();
    expect(screen.getByLabelText('Presence penalty')).toBeTruthy();
    expect(screen.getByLabelText('Seed (empty = random)')).toBeTruthy();
    expect(screen.getByText('Only the settings the loaded engine uses are shown.')).toBeTruthy();
  });

  it('with every sampler supported they are all there, and choosing Creative fills them', async () => {
    const { app, engine } = await chatFixture();
    engine.caps = { gpu: false, multiThread: false, samplers: ['topK', 'minP', 'repetitionPenalty', 'presencePenalty', 'frequencyPenalty', 'seed', 'stop'] };
    const form = new SettingsForm(app.profile);
    renderInApp(app, SamplingFields, { form, onerror: () => {} });
    const topK = screen.getByLabelText('Top-k (0 = off)') as HTMLInputElement;
    expect(screen.getByLabelText('Min-p (0 = off)')).toBeTruthy();
    await fireEvent.change(screen.getByLabelText('Preset'), { target: { value: 'builtin:creative' } });
    expect(form.topK).toBe(80);
    expect(topK.value).toBe('80');
  });
});
