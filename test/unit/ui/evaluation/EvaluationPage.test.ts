import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import EvaluationPage from '../../../../src/ui/evaluation/EvaluationPage.svelte';
import { chatFixture, renderInApp } from '../render-in-app';

describe('EvaluationPage', () => {
  it('runs held-out and written questions, shows the table, each reply beside the original, and the person\'s stars for the same line', async () => {
    const { app, engine, session } = await chatFixture();
    await app.repos.scenes.bulkAdd([{
      id: 's1', characterId: 'wren', title: 'Harbour', tokens: 10, source: 'chatharuhi', vectors: [], text: 'Tom:「Is the boat back?」\nWren:「The boat is gone.」',
      lines: [{ speaker: 'Tom', text: 'Is the boat back?' }, { speaker: 'Wren', text: 'The boat is gone.' }],
    }]);
    // The person asked the same line in a chat and gave the reply three stars.
    engine.replies.push({ pieces: ['Not yet.'] });
    await session.send('Is the boat back?');
    const reply = session.path.at(-1)!;
    await session.rate(reply.id, 3);

    renderInApp(app, EvaluationPage, { id: 'wren' });
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: 'Evaluate Wren' })).toBeTruthy());
    const heldOut = await waitFor(() => screen.getByLabelText('Held-out exchanges from the corpus (up to 1)'));
    // The count starts within what the corpus has (a larger one would keep the form from submitting).
    await waitFor(() => expect((heldOut as HTMLInputElement).value).toBe('1'));
    await fireEvent.input(screen.getByLabelText('Your own questions, one per line'), { target: { value: 'Who are you?' } });
    for (const mode of ['Few-shot (RoleGPT example exchanges)', '+ retrieved scenes', '+ memory (pinned facts of the chats)']) {
      await fireEvent.click(screen.getByLabelText(mode));
    }
    engine.replies.push({ pieces: ['The boat is gone, friend.'] }, { pieces: ['{"speaker": "Wren"}'] }, { pieces: ['A keeper.'] }, { pieces: ['{"speaker": "Wren"}'] });
    await fireEvent.click(screen.getByRole('button', { name: 'Start run' }));

    await waitFor(() => expect(screen.getByText('Finished')).toBeTruthy(), { timeout: 5000 });
    const table = screen.getByRole('table', { name: 'Scores per configuration (mean ± spread)' });
    const row = within(table).getByRole('row', { name: /Zero-shot/ });
    expect(row.textContent).toContain('2 / 2');
    // Identity: both replies given to Wren; Rouge-L over the one question with an original reply.
    expect(row.textContent).toContain('1.00 ± 0.00');
    expect(screen.getByText('Your star ratings of Wren’s chat replies: 3.0 ± 0.0 stars, 1 rated')).toBeTruthy();
    const asked = screen.getByText('Is the boat back?', { selector: '.asked' }).closest('li')!;
    expect(within(asked).getByText('The boat is gone.')).toBeTruthy();
    expect(within(asked).getByText('The boat is gone, friend.')).toBeTruthy();
    expect(within(asked).getByText('Your stars for chat replies to this line: ★★★☆')).toBeTruthy();
    expect(screen.getByText('No original reply (a question you wrote).')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Chart of Rouge-L F per configuration' })).toBeTruthy();
  });
});
