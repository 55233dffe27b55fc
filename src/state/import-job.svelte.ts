// Importing files the person dropped or picked: reads each one, asks replace-or-keep-both for a
// character already there, saves each file in one transaction with progress, and keeps a result
// per file (imported, imported with warnings, skipped, rejected with the reason).
// Files given while an import runs wait in a queue and join the same batch: one results list, in
// the order the files were given; no call is ever refused.

import { ImportFailure, toImportFailure, type ImportReason } from '../core/import/failure';
import { formatBytes } from '../core/i18n';
import { storedBytes, type ReadResult, type SourceFile } from '../core/import/read-file';
import type { ImportReadRequest } from '../core/import/worker-protocol';
import { characterFromDraft, findSameCharacter, scenesFromDraft, storedLorebook } from '../core/import/records';
import type { PackFile } from '../core/packs/common';
import type { Character } from '../core/types';
import type { ImportRepository, ImportWrite, LorebookRepository } from '../storage';
import { defaultReader, type ImportReader } from './import-reader';
import { LorebookShelf } from './lorebook-shelf.svelte';

export type FileStatus = 'imported' | 'warnings' | 'skipped' | 'rejected';

export interface FileResult {
  file: string;
  status: FileStatus;
  /** Characters saved from this file (one for a card, several for a RoleBench file). */
  characters: { id: string; name: string; scenes: number }[];
  lorebooks: number;
  warnings: string[];
  reason?: ImportReason;
  /** The codec's own sentence about what is wrong with this file. */
  message?: string;
  details?: Record<string, string | number>;
}

export interface ImportProgress {
  file: string;
  fileIndex: number;
  fileCount: number;
  phase: 'reading' | 'saving';
  done: number;
  total: number;
}

export type DuplicateChoice = 'replace' | 'keep-both' | 'skip';

export interface DuplicateQuestion {
  file: string;
  name: string;
  existing: Character;
}

/** A picked or dropped file: bytes already read, or a File/Blob to read. */
export type ImportInput = SourceFile | (Blob & { name: string; webkitRelativePath?: string });

export interface ImportJobDeps {
  imports: () => ImportRepository;
  lorebooks: () => LorebookRepository;
  /** The characters stored now (the app's list). */
  characters: () => readonly Character[];
  /** Reload the app's character list after an import. */
  refresh: () => Promise<void>;
  /** Reads and parses a file; a worker in the browser. */
  reader?: ImportReader;
  newId?: () => string;
  now?: () => number;
  /** The browser's storage estimate (navigator.storage.estimate by default), for quota messages. */
  estimate?: () => Promise<{ usage?: number; quota?: number } | undefined>;
}

const browserEstimate = async () => (typeof navigator !== 'undefined' ? navigator.storage?.estimate() : undefined);

type Listener = (characterIds: string[]) => void;

type Opener = (index: number) => Promise<{ file: string; request: ImportReadRequest }>;

/** One importFiles/importFolder call: its files, and who waits for their results. */
interface Pending {
  count: number;
  nameOf: (index: number) => string;
  open: Opener;
  controller: AbortController;
  results: FileResult[];
  resolve: (results: FileResult[]) => void;
}

/** Let the page paint between steps: a long import must not freeze it. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function bytesOf(input: ImportInput): Promise<SourceFile> {
  if (input instanceof Blob) return { name: input.name, bytes: new Uint8Array(await input.arrayBuffer()) };
  return input;
}

export class ImportJob {
  running = $state(false);
  progress = $state.raw<ImportProgress | null>(null);
  results = $state.raw<FileResult[]>([]);
  question = $state.raw<DuplicateQuestion | null>(null);
  /** Files given while this import runs, not started yet (a folder counts as one). */
  waiting = $state(0);
  readonly lorebooks: LorebookShelf;

  #deps: ImportJobDeps;
  #reader: ImportReader;
  #controller: AbortController | null = null;
  #queue: Pending[] = [];
  #answer: ((choice: DuplicateChoice) => void) | null = null;
  #listeners = new Set<Listener>();
  /** Characters saved, and ids replaced, earlier in this run: the app's list is refreshed at the end. */
  #saved: Character[] = [];
  #gone = new Set<string>();

  constructor(deps: ImportJobDeps) {
    this.#deps = deps;
    this.#reader = deps.reader ?? defaultReader();
    this.lorebooks = new LorebookShelf(deps.lorebooks);
  }

  /** Called with the ids of characters just saved (the embedding job listens here). */
  onImported(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Import several files; each is its own transaction and gets its own result. */
  importFiles(inputs: readonly ImportInput[]): Promise<FileResult[]> {
    return this.#enqueue(inputs.length, (index) => inputs[index].name, async (index) => {
      const input = inputs[index];
      this.#progress(input.name, index, inputs.length, 'reading', 0, 0);
      await nextTask();
      const file = await bytesOf(input);
      return { file: input.name, request: { kind: 'file', file } };
    });
  }

  /** Import a picked or dropped folder (a ChatHaruhi or RoleLLM pack) as one file. */
  importFolder(name: string, inputs: readonly ImportInput[]): Promise<FileResult[]> {
    return this.#enqueue(1, () => name, async () => {
      const files: PackFile[] = [];
      for (const [i, input] of inputs.entries()) {
        this.#progress(name, 0, 1, 'reading', i, inputs.length);
        if (i % 50 === 0) await nextTask();
        const file = await bytesOf(input);
        const path = ('webkitRelativePath' in input && input.webkitRelativePath) || file.name;
        files.push({ path, bytes: file.bytes });
      }
      return { file: name, request: { kind: 'folder', name, files } };
    });
  }

  /**
   * Stop the import: the file being saved is rolled back, and every file still waiting is given a
   * Cancelled result instead of being read. Cancel clears the queue rather than moving on to the
   * next file: the person pressed it while seeing "N more waiting", so they mean "stop importing",
   * and a Cancel that started the next file at once would look as if it did nothing. Each file
   * not imported keeps its own Cancelled row, so they can see which ones to give again. Files
   * given after the Cancel are a new wish and are imported.
   */
  cancel(): void {
    this.#controller?.abort();
    for (const pending of this.#queue) pending.controller.abort();
    if (this.question) this.answer('skip');
  }

  answer(choice: DuplicateChoice): void {
    const resolve = this.#answer;
    this.#answer = null;
    this.question = null;
    resolve?.(choice);
  }

  dismiss(): void {
    if (!this.running) this.results = [];
  }

  /** Shows a character's new name in the results (after the person corrected it there). */
  renamed(characterId: string, name: string): void {
    this.results = this.results.map((result) =>
      result.characters.some((c) => c.id === characterId)
        ? { ...result, characters: result.characters.map((c) => (c.id === characterId ? { ...c, name } : c)) }
        : result,
    );
  }

  /** Queue a call's files; start the import unless one runs (it takes them up when it gets there). */
  #enqueue(count: number, nameOf: (index: number) => string, open: Opener): Promise<FileResult[]> {
    return new Promise((resolve) => {
      this.#queue.push({ count, nameOf, open, controller: new AbortController(), results: [], resolve });
      this.#countWaiting();
      if (!this.running) void this.#drain();
    });
  }

  #countWaiting(): void {
    this.waiting = this.#queue.reduce((n, pending) => n + pending.count, 0);
  }

  /** Import every queued call in turn, as one batch. Never rejects: each file's failure is its result. */
  async #drain(): Promise<void> {
    this.running = true;
    this.results = [];
    this.#saved = [];
    this.#gone.clear();
    const imported: string[] = [];
    const finished: Pending[] = [];
    // Files queued while the app's list refreshes join this batch too.
    while (this.#queue.length) {
      for (let pending = this.#queue.shift(); pending; pending = this.#queue.shift()) {
        this.#countWaiting();
        this.#controller = pending.controller;
        await this.#importCall(pending, imported);
        finished.push(pending);
      }
      this.progress = null;
      this.#controller = null;
      if (imported.length) await settle(this.#deps.refresh());
      if (this.results.some((r) => r.lorebooks > 0)) await settle(this.lorebooks.refresh());
    }
    this.running = false;
    this.progress = null;
    if (imported.length) for (const listener of this.#listeners) await settle(Promise.resolve().then(() => listener(imported)));
    for (const pending of finished) pending.resolve(pending.results);
  }

  async #importCall(pending: Pending, imported: string[]): Promise<void> {
    const { count, nameOf, open, controller } = pending;
    for (let index = 0; index < count; index++) {
      let read: ReadResult | undefined;
      let result: FileResult;
      try {
        if (controller.signal.aborted) throw new ImportFailure('cancelled', 'The import was cancelled.');
        const { file, request } = await open(index);
        read = await this.#reader(request, controller.signal);
        result = await this.#importOne(file, read, index, count, controller.signal);
        imported.push(...result.characters.map((c) => c.id));
      } catch (error) {
        const failure = toImportFailure(error);
        if (failure.reason === 'quota' && read) Object.assign(failure.details, await this.#spaceFacts(storedBytes(read)));
        result = rejected(nameOf(index), failure);
      }
      pending.results.push(result);
      this.results = [...this.results, result];
    }
  }

  /** What a full disk's message quotes: the space this import needs, and what the browser has left. */
  async #spaceFacts(needed: number): Promise<Record<string, string>> {
    const facts: Record<string, string> = { needed: formatBytes(needed) };
    const estimate = await (this.#deps.estimate ?? browserEstimate)().catch(() => undefined);
    if (estimate?.quota !== undefined && estimate.usage !== undefined) facts.free = formatBytes(Math.max(0, estimate.quota - estimate.usage));
    return facts;
  }

  async #importOne(file: string, read: ReadResult, index: number, count: number, signal: AbortSignal): Promise<FileResult> {
    const newId = this.#deps.newId ?? (() => crypto.randomUUID());
    const now = (this.#deps.now ?? Date.now)();
    const known = [...this.#saved, ...this.#deps.characters()].filter((c) => !this.#gone.has(c.id));
    const writes: ImportWrite[] = [];
    const warnings: string[] = [];
    for (const draft of read.characters) {
      const same = findSameCharacter(draft, known);
      const choice = same ? await this.#ask({ file, name: draft.character.name, existing: same }) : 'keep-both';
      if (choice === 'skip') {
        continue;
      }
      const character = characterFromDraft(draft, file, newId(), now);
      writes.push({ character, scenes: scenesFromDraft(draft.scenes, character.id), ...(choice === 'replace' && same ? { replaceId: same.id } : {}) });
      warnings.push(...draft.warnings);
    }
    const books = read.lorebooks.map((d) => {
      warnings.push(...d.warnings);
      return storedLorebook(d.book, d.sourceName, newId(), now);
    });
    if (writes.length === 0 && books.length === 0) {
      return { file, status: 'skipped', characters: [], lorebooks: 0, warnings: [] };
    }
    const total = writes.reduce((n, w) => n + w.scenes.length, 0);
    this.#progress(file, index, count, 'saving', 0, total);
    await nextTask();
    await this.#deps.imports().commit(
      { characters: writes, lorebooks: books },
      { signal, onProgress: (done, all) => this.#progress(file, index, count, 'saving', done, all) },
    );
    const characters = writes.map((w) => ({ id: w.character.id, name: w.character.name, scenes: w.scenes.length }));
    this.#saved.push(...writes.map((w) => w.character));
    for (const w of writes) if (w.replaceId) this.#gone.add(w.replaceId);
    const status: FileStatus = warnings.length ? 'warnings' : 'imported';
    return { file, status, characters, lorebooks: books.length, warnings };
  }

  #ask(question: DuplicateQuestion): Promise<DuplicateChoice> {
    this.question = question;
    return new Promise((resolve) => {
      this.#answer = resolve;
    });
  }

  #progress(file: string, fileIndex: number, fileCount: number, phase: ImportProgress['phase'], done: number, total: number): void {
    this.progress = { file, fileIndex, fileCount, phase, done, total };
  }
}

/** Wait for work whose failure must not undo the import (the data is saved): log it, never reject. */
async function settle(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    console.error('After the import:', error);
  }
}

function rejected(file: string, failure: ImportFailure): FileResult {
  return { file, status: 'rejected', characters: [], lorebooks: 0, warnings: [], reason: failure.reason, message: failure.message, details: failure.details };
}
