import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { CPU_MODELS } from '../../../../src/core/cpu-models';
import GgufLoader from '../../../../src/ui/models/GgufLoader.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

describe('GgufLoader: suggested models for the CPU', () => {
  it('lists only models that speak the interface language, the one for this device chosen, and downloads the chosen one', async () => {
    const { app } = await chatFixture({ loadModel: false });
    app.locale.lang = 'zh';
    app.models.gpu = { webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '', deviceMemoryGB: 2 };
    const loadUrl = vi.spyOn(app.manager, 'loadUrl').mockResolvedValue(undefined);
    renderInApp(app, GgufLoader, {});
    const select = screen.getByRole('combobox', { name: '推荐模型' }) as HTMLSelectElement;
    const options = [...select.options].map((option) => option.textContent ?? '');
    const chinese = CPU_MODELS.filter((model) => model.languages.includes('zh'));
    expect(options).toHaveLength(chinese.length);
    expect(options.every((text) => text.includes('Qwen'))).toBe(true);
    // 2 GB of memory: the 0.5B model is chosen, the 1.5B one is marked as maybe too large.
    expect(select.selectedOptions[0]!.textContent).toContain('Qwen2.5 0.5B');
    expect(options.find((text) => text.includes('1.5B'))).toContain('内存可能不够');
    await fireEvent.click(screen.getByRole('button', { name: '下载并加载' }));
    expect(loadUrl).toHaveBeenCalledWith(CPU_MODELS.find((model) => model.id === 'qwen2.5-0.5b-instruct-q4_k_m')!.url);
  });

  it('downloads another suggested model when it is picked', async () => {
    const { app } = await chatFixture({ loadModel: false });
    app.models.gpu = { webgpu: false, shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '', deviceMemoryGB: 8 };
    const loadUrl = vi.spyOn(app.manager, 'loadUrl').mockResolvedValue(undefined);
    renderInApp(app, GgufLoader, {});
    const smol = CPU_MODELS.find((model) => model.id === 'smollm2-360m-instruct-q8_0')!;
    await fireEvent.change(screen.getByRole('combobox', { name: 'Suggested model' }), { target: { value: smol.id } });
    await fireEvent.click(screen.getByRole('button', { name: 'Download and load' }));
    expect(loadUrl).toHaveBeenCalledWith(smol.url);
  });
});
