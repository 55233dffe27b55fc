// The import panel while files wait behind a running import: the progress says how many (English
// and Chinese), the Import button stays usable, and each file's row appears as it finishes.

import { screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { ImportJob } from '../../../../src/state/import-job.svelte';
import { inThreadReader, type ImportReader } from '../../../../src/state/import-reader';
import ImportButton from '../../../../src/ui/characters/import/ImportButton.svelte';
import ImportPanel from '../../../../src/ui/characters/import/ImportPanel.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

const card = (name: string) => ({
  name: `${name}.json`,
  bytes: new TextEncoder().encode(JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name, description: 'd', first_mes: 'Hi' } })),
});

describe('ImportPanel', () => {
  it('shows "N more waiting" while files queue behind the running import, then every row', async () => {
    const { app } = await chatFixture({ loadModel: false });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reader: ImportReader = async (request, signal) => {
      if (request.kind === 'file' && request.file.name === 'one.json') await gate;
      return inThreadReader(request, signal);
    };
    // The app's own job reads in a worker; this one holds the first file open.
    const job = new ImportJob({ imports: () => app.repos.imports, lorebooks: () => app.repos.lorebooks, characters: () => app.characters, refresh: async () => {}, reader });
    (app as { imports: ImportJob }).imports = job;
    renderInApp(app, ImportPanel, {});
    renderInApp(app, ImportButton, {});

    const first = job.importFiles([card('one')]);
    const second = job.importFiles([card('two'), card('three')]);
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('2 more waiting'));
    expect((screen.getByRole('button', { name: 'Import' }) as HTMLButtonElement).disabled).toBe(false);
    app.locale.lang = 'zh';
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('还有 2 个文件在等待'));
    app.locale.lang = 'en';

    release();
    await Promise.all([first, second]);
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    const rows = screen.getByRole('region', { name: 'Import results' }).querySelectorAll(':scope > ul > li');
    expect([...rows].map((li) => li.querySelector('.file')?.textContent)).toEqual(['one.json', 'two.json', 'three.json']);
  });

  it('names each imported character\'s link by what it shows (name and scene count), after the verb "Open"', async () => {
    const { app } = await chatFixture({ loadModel: false });
    const job = new ImportJob({ imports: () => app.repos.imports, lorebooks: () => app.repos.lorebooks, characters: () => app.characters, refresh: async () => {}, reader: inThreadReader });
    (app as { imports: ImportJob }).imports = job;
    renderInApp(app, ImportPanel, {});
    await job.importFiles([card('Moss')]);
    const link = await screen.findByRole('link', { name: 'Open Moss' });
    expect(link.textContent).toBe('Moss');
    // A pack's character shows its scene count, and its link's name says it too.
    job.results = job.results.map((result) => ({ ...result, characters: result.characters.map((c) => ({ ...c, scenes: 172 })) }));
    const pack = await screen.findByRole('link', { name: 'Open Moss · 172 scenes' });
    expect(pack.textContent).toBe('Moss · 172 scenes');
  });
});
