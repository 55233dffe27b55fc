// The storage layer's front door: the database, one repository per aggregate, and their types.

import { BackupRepository } from './backup';
import { CharacterRepository } from './characters';
import { ConversationRepository } from './conversations';
import type { AppDatabase } from './db';
import { EvalRunRepository } from './eval-runs';
import { ImportRepository } from './imports';
import { JobRepository } from './jobs';
import { LorebookRepository } from './lorebooks';
import { MemoryRepository } from './memories';
import { ModelRepository } from './models';
import { PersonaRepository } from './personas';
import { SceneRepository } from './scenes';
import { SettingsRepository } from './settings';

export interface Repositories {
  characters: CharacterRepository;
  conversations: ConversationRepository;
  scenes: SceneRepository;
  personas: PersonaRepository;
  settings: SettingsRepository;
  models: ModelRepository;
  lorebooks: LorebookRepository;
  memories: MemoryRepository;
  evalRuns: EvalRunRepository;
  imports: ImportRepository;
  jobs: JobRepository;
  backup: BackupRepository;
}

export function createRepositories(db: AppDatabase): Repositories {
  return {
    characters: new CharacterRepository(db),
    conversations: new ConversationRepository(db),
    scenes: new SceneRepository(db),
    personas: new PersonaRepository(db),
    settings: new SettingsRepository(db),
    models: new ModelRepository(db),
    lorebooks: new LorebookRepository(db),
    memories: new MemoryRepository(db),
    evalRuns: new EvalRunRepository(db),
    imports: new ImportRepository(db),
    jobs: new JobRepository(db),
    backup: new BackupRepository(db),
  };
}

export { AppDatabase, openDatabase, DATABASE_VERSION, SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4, SCHEMA_V5 } from './db';
export type { AppTables, TableName } from './db';
export { CharacterRepository, type CharacterSnapshot } from './characters';
export { ConversationRepository, type AddMessageOptions } from './conversations';
export { SceneRepository } from './scenes';
export { PersonaRepository } from './personas';
export { SettingsRepository } from './settings';
export { ModelRepository } from './models';
export { LorebookRepository } from './lorebooks';
export { MemoryRepository } from './memories';
export { EvalRunRepository } from './eval-runs';
export { JobRepository } from './jobs';
export { ImportRepository, type ImportBatch, type ImportWrite, type CommitOptions } from './imports';
export { BackupRepository, type RestoreMode, type RestoreSummary, type BackupProgress } from './backup';
export { isQuotaError, toStorageError } from './errors';
export type { Watchable } from './live';
