// Background jobs (state/background-jobs.svelte.ts), kept so that one running when the tab closed
// resumes from its saved state. Device-local: not in backups; cleared with all data.

import type { JobRecord } from '../core/types';
import type { AppDatabase } from './db';
import { guard } from './errors';

export class JobRepository {
  constructor(private readonly db: AppDatabase) {}

  /** Every job, oldest first. */
  list(): Promise<JobRecord[]> {
    return guard(async () => (await this.db.jobs.toArray()).sort((a, b) => a.createdAt - b.createdAt));
  }

  put(job: JobRecord): Promise<void> {
    return guard(async () => void (await this.db.jobs.put(job)));
  }

  remove(id: string): Promise<void> {
    return guard(() => this.db.jobs.delete(id));
  }
}
