import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../../src/core/errors';
import ModelNotice from '../../../../src/ui/chat/ModelNotice.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

describe('ModelNotice', () => {
  it('without a model: says so and links to the models page, with no "load again"', async () => {
    const { app } = await chatFixture({ loadModel: false });
    renderInApp(app, ModelNotice, {});
    expect(screen.getByText(/No model is loaded yet/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Choose a model' }).getAttribute('href')).toBe('#/models');
    expect(screen.queryByRole('button', { name: /again/ })).toBeNull();
  });

  it('offers the model used last, and the button loads it again', async () => {
    const { app } = await chatFixture({ loadModel: false });
    app.lastModel = { id: 'tiny', engine: 'wllama', label: 'Tiny GGUF', sizeBytes: 1, contextWindow: 512, source: 'url', url: 'https://example.com/tiny.gguf', addedAt: 1, lastUsedAt: 1 };
    const reload = vi.spyOn(app, 'reloadLastModel').mockResolvedValue(undefined);
    renderInApp(app, ModelNotice, {});
    await fireEvent.click(screen.getByRole('button', { name: 'Load Tiny GGUF again' }));
    expect(reload).toHaveBeenCalledOnce();
  });

  it('while loading: shows the progress, and Cancel cancels the load', async () => {
    const { app } = await chatFixture({ loadModel: false });
    app.models.status = 'loading';
    app.models.progress = { fraction: 0.4, phase: 'download', text: 'Fetching' };
    const cancel = vi.spyOn(app.models, 'cancel');
    renderInApp(app, ModelNotice, {});
    expect(screen.queryByText(/No model is loaded yet/)).toBeNull();
    expect(screen.getByText(/40%/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel loading' }));
    expect(cancel).toHaveBeenCalledOnce();
  });

  it('shows a failed load as a sentence, and Dismiss clears it through the loader', async () => {
    const { app } = await chatFixture({ loadModel: false });
    app.models.status = 'error';
    app.models.error = new AppError('offline', 'offline');
    const dismiss = vi.spyOn(app.models, 'dismissError');
    renderInApp(app, ModelNotice, {});
    expect(screen.getByRole('alert').textContent).toContain('you appear to be offline');
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(dismiss).toHaveBeenCalledOnce();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
