import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ModelChip from '../../../../src/ui/models/ModelChip.svelte';
import ModelServerCard from '../../../../src/ui/models/ModelServerCard.svelte';
import { chatFixture, renderInApp, until } from '../render-in-app';

describe('ModelServerCard: a model server of the person’s own', () => {
  it('asks once per server before any text goes there, then says in the header where text goes', async () => {
    const { app } = await chatFixture({ loadModel: false });
    const load = vi.spyOn(app.models, 'load');
    renderInApp(app, ModelServerCard, {});
    await fireEvent.input(screen.getByLabelText('Server address'), { target: { value: 'localhost:8080/v1' } });
    await fireEvent.input(screen.getByLabelText('Model name'), { target: { value: 'tiny' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this model' }));

    const consent = await screen.findByRole('alertdialog', { name: 'Send text to localhost:8080?' });
    expect(consent.textContent).toContain('is sent to localhost:8080');
    expect(load).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Send to localhost:8080' }));
    await until(() => app.models.status === 'ready', 'the server model to be ready');
    expect(load).toHaveBeenCalledWith({ kind: 'server', server: { baseUrl: 'http://localhost:8080', model: 'tiny' } });
    expect(screen.queryByRole('alertdialog')).toBeNull();

    renderInApp(app, ModelChip, {});
    expect(screen.getByRole('link', { name: '↗ Sent to localhost:8080' })).toBeTruthy();

    // Asked once: the next time (and after a reload, from settings) it connects straight away.
    await app.models.unload();
    await app.modelServer.restore();
    expect(app.modelServer.consented).toEqual(['localhost:8080']);
    await fireEvent.click(screen.getByRole('button', { name: 'Use this model' }));
    await until(() => app.models.status === 'ready', 'the second connection');
    expect(load).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('says so when the address is no URL, and sends nothing', async () => {
    const { app } = await chatFixture({ loadModel: false });
    const load = vi.spyOn(app.models, 'load');
    renderInApp(app, ModelServerCard, {});
    await fireEvent.input(screen.getByLabelText('Server address'), { target: { value: 'http://user:pw@host' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('That is not a server address. Write it as http://host:port.')).toBeTruthy();
    expect(load).not.toHaveBeenCalled();
  });
});
