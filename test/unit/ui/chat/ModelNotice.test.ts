import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../../src/core/errors';
import ModelNotice from '../../../../src/ui/chat/ModelNotice.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

describe('ModelNotice', () => {
  it('before the device is probed: says no model is loaded and links to the models page, which returns to this chat', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    app.models.gpu = null;
    renderInApp(app, ModelNotice, { chatId: session.conversation!.id });
    expect(screen.getByText(/No model is loaded yet/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Choose a model' }).getAttribute('href')).toBe(`#/models/from/${session.conversation!.id}`);
    expect(screen.queryByRole('button', { name: /again/ })).toBeNull();
  });

  it('without WebGPU: offers a small GGUF in the person\'s language, and the button downloads it here', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    await app.models.probe(); // no WebGPU in this fixture
    app.locale.lang = 'zh';
    const loadUrl = vi.spyOn(app.manager, 'loadUrl').mockResolvedValue(undefined);
    renderInApp(app, ModelNotice, { chatId: session.conversation!.id });
    const offered = app.models.cpuOffer.recommended;
    expect(offered.languages).toContain('zh');
    await fireEvent.click(screen.getByRole('button', { name: `加载 ${offered.label}` }));
    expect(loadUrl).toHaveBeenCalledWith(offered.url);
    expect(screen.getByRole('link', { name: '其他模型' })).toBeTruthy();
  });

  it('with WebGPU: offers the recommended catalog model, and the button loads it here', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    app.models.gpu = { webgpu: true, shaderF16: true, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31, vendor: 'test', architecture: '', deviceMemoryGB: 8 };
    const recommended = app.models.recommended!;
    const loadCatalog = vi.spyOn(app.manager, 'loadCatalog').mockResolvedValue(undefined);
    renderInApp(app, ModelNotice, { chatId: session.conversation!.id });
    await fireEvent.click(screen.getByRole('button', { name: `Load ${recommended.label}` }));
    expect(loadCatalog).toHaveBeenCalledWith(recommended.id, recommended.downloadMB * 1024 * 1024);
  });

  it('offers the model used last, and the button loads it again', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    app.lastModel = { id: 'tiny', engine: 'wllama', label: 'Tiny GGUF', sizeBytes: 1, contextWindow: 512, source: 'url', url: 'https://example.com/tiny.gguf', addedAt: 1, lastUsedAt: 1 };
    const reload = vi.spyOn(app, 'reloadLastModel').mockResolvedValue(undefined);
    renderInApp(app, ModelNotice, { chatId: session.conversation!.id });
    await fireEvent.click(screen.getByRole('button', { name: 'Load Tiny GGUF again' }));
    expect(reload).toHaveBeenCalledOnce();
  });

  it('while loading: shows the progress, and Cancel cancels the load', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    app.models.status = 'loading';
    app.models.progress = { fraction: 0.4, phase: 'download', text: 'Fetching' };
    const cancel = vi.spyOn(app.models, 'cancel');
    renderInApp(app, ModelNotice, { chatId: session.conversation!.id });
    expect(screen.queryByText(/No model is loaded yet/)).toBeNull();
    expect(screen.getByText(/40%/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel loading' }));
    expect(cancel).toHaveBeenCalledOnce();
  });

  it('shows a failed load as a sentence, and Dismiss clears it through the loader', async () => {
    const { app, session } = await chatFixture({ loadModel: false });
    app.models.status = 'error';
    app.models.error = new AppError('offline', 'offline');
    const dismiss = vi.spyOn(app.models, 'dismissError');
    renderInApp(app, ModelNotice, { chatId: session.conversation!.id });
    expect(screen.getByRole('alert').textContent).toContain('you appear to be offline');
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(dismiss).toHaveBeenCalledOnce();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
