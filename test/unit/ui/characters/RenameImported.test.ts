// The import result offers "Rename" for a new character: a name read from a pack can be wrong, and
// a blank name is refused with a sentence, changing nothing.

import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { ImportJob } from '../../../../src/state/import-job.svelte';
import { inThreadReader } from '../../../../src/state/import-reader';
import ImportResults from '../../../../src/ui/characters/import/ImportResults.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('renaming an imported character', () => {
  it('names a ChatHaruhi pack’s character from its text, and saves a corrected name; a blank one is refused', async () => {
    const { app } = await chatFixture({ loadModel: false });
    const job = new ImportJob({
      imports: () => app.repos.imports, lorebooks: () => app.repos.lorebooks, characters: () => app.characters,
      refresh: () => app.characterShelf.refresh(), reader: inThreadReader,
    });
    (app as { imports: ImportJob }).imports = job;
    renderInApp(app, ImportResults, {});
    const [result] = await job.importFolder('zhongli', [
      { name: 'zhongli/system_prompt.txt', bytes: utf8('你正在扮演钟离。') },
      { name: 'zhongli/texts/契约.txt', bytes: utf8('旅行者:「你好」\n钟离:「契约已成。」') },
    ]);
    const id = result.characters[0].id;
    expect((await app.characterShelf.get(id))?.name).toBe('钟离');

    await fireEvent.click(await screen.findByRole('button', { name: 'Rename 钟离' }));
    const box = screen.getByRole('textbox', { name: 'Name' }) as HTMLInputElement;
    expect(box.value).toBe('钟离');
    await fireEvent.input(box, { target: { value: '   ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save name' }));
    expect((await screen.findByRole('alert')).textContent).toBe('A name cannot be blank; the character keeps its name.');
    expect((await app.characterShelf.get(id))?.name).toBe('钟离');

    await fireEvent.input(box, { target: { value: ' 钟离先生 ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save name' }));
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Name' })).toBeNull());
    expect((await app.characterShelf.get(id))?.name).toBe('钟离先生');
    const results = screen.getByRole('region', { name: 'Import results' });
    expect(within(results).getByRole('link', { name: /^Open 钟离先生/ })).toBeTruthy();
  });
});
