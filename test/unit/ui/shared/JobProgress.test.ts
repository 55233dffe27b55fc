import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { JobHandle } from '../../../../src/state/background-jobs.svelte';
import JobProgress from '../../../../src/ui/shared/JobProgress.svelte';
import { chatFixture, renderInApp, until } from '../render-in-app';

describe('JobProgress', () => {
  it('shows a job\'s progress and counts, and pauses and resumes it with its buttons', async () => {
    const { app } = await chatFixture();
    let release = (): void => {};
    app.jobs.register({
      kind: 'test-steps',
      async run(handle: JobHandle<unknown, { done: number }>) {
        await handle.save({ done: 1 }, { done: 1, total: 4, counts: { kept: 1 } });
        await new Promise<void>((resolve) => {
          release = resolve;
          handle.signal.addEventListener('abort', () => resolve());
        });
      },
    });
    const job = await app.jobs.start('test-steps', { title: 'Writing dialogues', params: {}, state: { done: 0 }, total: 4 });
    renderInApp(app, JobProgress, { jobId: job.id, counts: [{ label: 'Kept', value: 1 }] });
    await until(() => screen.getByRole('status').textContent!.includes('Running · 1 of 4'), 'the first save');
    expect(screen.getByText('Kept: 1')).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await until(() => screen.getByRole('status').textContent!.includes('Paused'), 'the pause');
    await fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await until(() => screen.getByRole('status').textContent!.includes('Running'), 'the resume');
    release();
    await until(() => app.jobs.get(job.id)?.status === 'done', 'the end');
  });
});
