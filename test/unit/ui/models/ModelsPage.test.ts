import { screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import ModelsPage from '../../../../src/ui/models/ModelsPage.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

describe('ModelsPage focus after a load', () => {
  it('puts focus back on the page heading when the load ends and focus had fallen to the page', async () => {
    const { app } = await chatFixture({ loadModel: false });
    renderInApp(app, ModelsPage, {});
    const heading = screen.getByRole('heading', { level: 1, name: 'Models' });
    (document.activeElement as HTMLElement | null)?.blur();
    await app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(screen.getByText(/Loaded: /)).toBeTruthy();
  });
});
