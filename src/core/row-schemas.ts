// What a stored row of each table must look like (valibot schemas), and the check that names the table, row and field of a bad one.
//
// Core stays pure TypeScript; valibot is a pure library with no DOM or I/O, imported by name so the
// bundle keeps only the validators used here. The schemas only check: a row is kept exactly as it
// was read (unknown keys, card extensions and other verbatim JSON included), never the parser's
// output. They are written to accept every row this app has ever stored, and to refuse what makes a
// screen hang or a start-up fail: missing fields, wrong types, NaN or Infinity, lists far longer
// than the app ever makes, and keys present only through an object's prototype.

import {
  array,
  boolean,
  custom,
  finite,
  integer,
  looseObject,
  maxLength,
  maxValue,
  minLength,
  minValue,
  nullable,
  number,
  optional,
  picklist,
  pipe,
  rawCheck,
  record,
  safeParse,
  string,
  union,
  unknown,
  type BaseIssue,
  type BaseSchema,
  type GenericSchema,
  type InferOutput,
  type ObjectEntries,
} from 'valibot';
import { EVAL_PROMPT_MODES, GROUP_MODES, MAX_STOP_LENGTH, MAX_STOP_STRINGS, RATINGS, SAMPLING_LIMITS, VOICE_LIMITS, type Character, type Conversation, type EvalRun, type InstalledModel, type MemoryRecord, type Message, type Persona, type Scene, type StoredLorebook } from './types';

/** Every table of the database: those a backup carries, and `models` (this browser's cache, checked at start-up only). */
export type RowTable = 'characters' | 'scenes' | 'conversations' | 'messages' | 'memories' | 'personas' | 'lorebooks' | 'evalRuns' | 'settings' | 'models';

// ---- limits: far above what the app writes, low enough that a hostile file cannot make a screen crawl

/** Ids and keys: UUIDs, `builtin-…` and `${conversation}-m00001` are far shorter. */
const MAX_ID = 1_000;
/** Short lists a person edits by hand: tags, greetings, catchphrases, lorebook keys, revisions. */
export const MAX_SHORT_LIST = 10_000;
/** Long lists the app builds: a scene's lines, a book's entries, a prompt's messages, removed built-ins. */
export const MAX_LONG_LIST = 200_000;
/** Embedding models per scene (one per model ever used). */
const MAX_VECTORS = 64;
const MAX_DIM = 65_536;

// ---- building blocks

const isRecord = (input: unknown): input is Record<string, unknown> => input !== null && typeof input === 'object' && !Array.isArray(input);

/** Realm-independent tag test (an ArrayBuffer from another frame or from structured clone in tests). */
const tagged = (input: unknown, tag: string) => Object.prototype.toString.call(input) === `[object ${tag}]`;

/**
 * An object row or record with the given fields, unknown fields allowed (and kept by the caller).
 * Every field it names must be the object's own: valibot reads `key in input`, which would accept
 * an id that only an object's prototype (or a polluted Object.prototype) supplies.
 */
function obj<const E extends ObjectEntries>(entries: E) {
  const keys = Object.keys(entries);
  return pipe(
    custom<Record<string, unknown>>(isRecord, 'an object'),
    rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const input = dataset.value;
      for (const key of keys) {
        if (key in input && !Object.hasOwn(input, key)) {
          addIssue({
            message: 'only inherited, not its own',
            expected: 'an own property',
            received: 'one only inherited',
            path: [{ type: 'object', origin: 'value', input, key, value: input[key] }],
          });
        }
      }
    }),
    looseObject(entries),
  );
}

/** Kept-verbatim JSON (card extensions, unknown fields): any plain object. */
const jsonObject = custom<Record<string, unknown>>(isRecord, 'an object');
const id = pipe(string(), minLength(1), maxLength(MAX_ID));
const text = string();
const time = pipe(number(), finite());
const count = pipe(number(), finite(), minValue(0));
const wholeCount = pipe(number(), integer(), minValue(0));
const orderNumber = pipe(number(), finite());
const shortList = <T extends GenericSchema>(item: T) => pipe(array(item), maxLength(MAX_SHORT_LIST));
const longList = <T extends GenericSchema>(item: T) => pipe(array(item), maxLength(MAX_LONG_LIST));
const bytes = custom<ArrayBuffer>((input) => tagged(input, 'ArrayBuffer'), 'an ArrayBuffer');
const uint8 = custom<Uint8Array>((input) => tagged(input, 'Uint8Array'), 'a Uint8Array');

const LANGS = ['en', 'zh'] as const;
const ROLES = ['user', 'assistant', 'system'] as const;

// ---- sampling (settings, presets, overrides on characters and chats, what a reply was sent)

const within = (limits: { min: number; max: number }) => pipe(number(), finite(), minValue(limits.min), maxValue(limits.max));
const samplingFigures = {
  temperature: within(SAMPLING_LIMITS.temperature),
  topP: within(SAMPLING_LIMITS.topP),
  topK: pipe(within(SAMPLING_LIMITS.topK), integer()),
  minP: within(SAMPLING_LIMITS.minP),
  maxTokens: pipe(within(SAMPLING_LIMITS.maxTokens), integer()),
  repetitionPenalty: within(SAMPLING_LIMITS.repetitionPenalty),
  presencePenalty: within(SAMPLING_LIMITS.presencePenalty),
  frequencyPenalty: within(SAMPLING_LIMITS.frequencyPenalty),
  stop: pipe(array(pipe(string(), maxLength(MAX_STOP_LENGTH))), maxLength(MAX_STOP_STRINGS)),
  seed: pipe(number(), finite()),
};
/**
 * Sampling as stored: each figure may be missing (settings merge over the defaults; a reply keeps
 * only what its engine was sent; overrides set some), but a present one is in its range.
 */
const sampling = obj({
  temperature: optional(samplingFigures.temperature),
  topP: optional(samplingFigures.topP),
  topK: optional(samplingFigures.topK),
  minP: optional(samplingFigures.minP),
  maxTokens: optional(samplingFigures.maxTokens),
  repetitionPenalty: optional(samplingFigures.repetitionPenalty),
  presencePenalty: optional(samplingFigures.presencePenalty),
  frequencyPenalty: optional(samplingFigures.frequencyPenalty),
  stop: optional(samplingFigures.stop),
  seed: optional(samplingFigures.seed),
});

// ---- characters

const characterFields = {
  name: text,
  nickname: text,
  avatar: text,
  shortDescription: text,
  description: text,
  personality: text,
  scenario: text,
  firstMessage: text,
  alternateGreetings: shortList(text),
  exampleDialogue: text,
  systemPrompt: text,
  postHistoryInstructions: text,
  creatorNotes: text,
  tags: shortList(text),
  creator: text,
  characterVersion: text,
  catchphrases: shortList(text),
  language: picklist(LANGS),
};

const lorebookEntry = obj({
  id: union([text, pipe(number(), finite())]),
  keys: shortList(text),
  secondaryKeys: shortList(text),
  content: text,
  enabled: boolean(),
  insertionOrder: orderNumber,
  caseSensitive: optional(boolean()),
  name: optional(text),
  priority: optional(orderNumber),
  comment: optional(text),
  selective: optional(boolean()),
  selectiveLogic: optional(picklist(['and-any', 'and-all', 'not-any', 'not-all'])),
  constant: optional(boolean()),
  useRegex: optional(boolean()),
  position: optional(picklist(['before_char', 'after_char'])),
  extensions: jsonObject,
});

const lorebook = obj({
  name: optional(text),
  description: optional(text),
  scanDepth: optional(count),
  tokenBudget: optional(count),
  recursiveScanning: optional(boolean()),
  extensions: jsonObject,
  entries: longList(lorebookEntry),
});

const asset = obj({
  type: text,
  name: text,
  ext: text,
  uri: text,
  data: optional(uint8),
  mime: optional(text),
  extra: optional(jsonObject),
});

const character = obj({
  id,
  ...characterFields,
  origin: picklist(['builtin', 'user', 'import']),
  builtin: optional(obj({ version: pipe(number(), finite()), base: obj(characterFields) })),
  extensions: jsonObject,
  lorebook: optional(lorebook),
  assets: optional(shortList(asset)),
  personaId: optional(id),
  voice: optional(
    obj({
      voiceURI: text,
      name: text,
      lang: text,
      rate: within(VOICE_LIMITS.rate),
      pitch: within(VOICE_LIMITS.pitch),
    }),
  ),
  sampling: optional(sampling),
  corpus: optional(obj({ scenes: count, tokens: count })),
  group: optional(
    obj({
      members: shortList(id),
      muted: optional(shortList(id)),
      mode: picklist(GROUP_MODES),
      talkativeness: optional(record(id, within({ min: 0, max: 1 }))),
      greetingFrom: optional(id),
      scenario: optional(text),
    }),
  ),
  createdAt: time,
  updatedAt: time,
});

// ---- scenes

const scene = obj({
  id,
  characterId: id,
  title: text,
  text,
  lines: longList(obj({ speaker: text, text })),
  tokens: count,
  source: picklist(['example', 'chatharuhi', 'rolellm', 'pack']),
  vectors: pipe(array(obj({ model: text, dim: pipe(wholeCount, maxValue(MAX_DIM)), data: bytes })), maxLength(MAX_VECTORS)),
  kind: optional(picklist(['knowledge'])),
  generated: optional(obj({ jobId: id, kind: picklist(['world', 'everyday', 'out-of-world']), question: text, prompt: text, model: text, createdAt: time })),
});

// ---- conversations and messages

const conversation = obj({
  id,
  characterId: id,
  title: text,
  personaId: optional(id),
  leafId: nullable(id),
  createdAt: time,
  updatedAt: time,
  messageCount: wholeCount,
  sampling: optional(sampling),
  originConversationId: optional(id),
  originMessageId: optional(id),
  authorsNote: optional(obj({ text, depth: wholeCount })),
  scenario: optional(text),
});

const memory = obj({
  id,
  conversationId: id,
  kind: picklist(['pin', 'summary']),
  text,
  createdAt: time,
  updatedAt: time,
  messageId: optional(id),
  coversId: optional(id),
  coversHash: optional(text),
  coversCount: optional(wholeCount),
});

const message = obj({
  id,
  conversationId: id,
  parentId: nullable(id),
  role: picklist(ROLES),
  content: text,
  revisions: shortList(text),
  status: picklist(['done', 'streaming', 'stopped', 'interrupted', 'error']),
  errorCode: optional(text),
  createdAt: time,
  updatedAt: time,
  deletedAt: optional(time),
  model: optional(text),
  prompt: optional(
    obj({
      messages: longList(obj({ role: picklist(ROLES), content: text })),
      sections: shortList(obj({ name: text, tokens: count })),
      droppedMessages: count,
      // The inspector's shape belongs to the role prompt and changes with it; the panel reads it defensively.
      inspector: optional(jsonObject),
    }),
  ),
  sampling: optional(sampling),
  usage: optional(obj({ promptTokens: count, completionTokens: count, tokensPerSecond: optional(count) })),
  rating: optional(picklist(RATINGS)),
  speakerId: optional(id),
  speakerName: optional(text),
});

// ---- personas, lorebooks, models

const persona = obj({ id, name: text, description: text, avatar: optional(text), isDefault: boolean(), createdAt: time, updatedAt: time });

const storedLorebook = obj({
  id,
  characterId: optional(id),
  sourceName: optional(text),
  enabled: boolean(),
  book: lorebook,
  createdAt: time,
  updatedAt: time,
});

// ---- evaluation runs (issue 16)

const evalQuestion = obj({
  id,
  source: picklist(['held-out', 'rolebench', 'generated', 'written']),
  prompt: text,
  reference: optional(text),
  sceneId: optional(id),
});

const evalConfig = obj({ id, mode: picklist(EVAL_PROMPT_MODES), model: id });

/** A score between -1 and 1 (cosine) or 0 and 1 (Rouge-L). */
const unitScore = pipe(number(), finite(), minValue(-1), maxValue(1));

const evalResult = obj({
  questionId: id,
  configId: id,
  reply: text,
  scores: obj({
    rougeL: optional(unitScore),
    cosineReference: optional(unitScore),
    cosineLines: optional(unitScore),
    identityPick: optional(text),
    identityRight: optional(boolean()),
    oocMarkers: wholeCount,
    length: wholeCount,
  }),
  at: time,
});

const evalRun = obj({
  id,
  characterId: id,
  title: text,
  questions: shortList(evalQuestion),
  configs: shortList(evalConfig),
  results: longList(evalResult),
  identityChoices: shortList(text),
  embeddingModel: optional(text),
  jobId: optional(id),
  createdAt: time,
  updatedAt: time,
  finishedAt: optional(time),
});

const model = obj({
  id,
  engine: picklist(['webllm', 'wllama']),
  label: text,
  sizeBytes: count,
  contextWindow: count,
  source: picklist(['catalog', 'file', 'url']),
  url: optional(text),
  stored: optional(picklist(['opfs'])),
  modelUrl: optional(text),
  modelLibUrl: optional(text),
  addedAt: time,
  lastUsedAt: time,
});

// ---- settings: known keys get a value schema, others are kept as they are

/** The keys the app reads (state owns their meaning; the strings are repeated here because core cannot import state). */
export const SETTING_KEYS = {
  removedBuiltins: 'builtins.removed',
  sampling: 'sampling',
  samplingPresets: 'sampling.presets',
  lang: 'ui.lang',
  embeddingModels: 'embeddings.models',
  embeddingsPaused: 'embeddings.paused',
  persistAsked: 'storage.persistAsked',
  autoRead: 'voice.autoRead',
} as const;

const savedEmbeddingModel = optional(
  obj({
    source: obj({ kind: picklist(['hub', 'folder']), modelId: text, dtype: text, folderName: optional(text) }),
    prepared: nullable(obj({ modelId: text, dim: wholeCount })),
  }),
);

const SETTING_VALUES: Record<string, GenericSchema> = {
  [SETTING_KEYS.removedBuiltins]: longList(id),
  // Merged over the defaults when read, so each figure may be missing, but a present one is in its range.
  [SETTING_KEYS.sampling]: sampling,
  [SETTING_KEYS.samplingPresets]: shortList(obj({ id, name: text, values: sampling })),
  [SETTING_KEYS.lang]: picklist(LANGS),
  [SETTING_KEYS.embeddingModels]: obj({ en: savedEmbeddingModel, zh: savedEmbeddingModel }),
  [SETTING_KEYS.embeddingsPaused]: boolean(),
  [SETTING_KEYS.persistAsked]: boolean(),
  [SETTING_KEYS.autoRead]: boolean(),
};

const setting = obj({ key: pipe(string(), minLength(1), maxLength(MAX_ID)), value: unknown() });

/** The value schema of a known setting key (rowProblem runs it after the row's own). */
function settingValueSchema(row: unknown): GenericSchema | undefined {
  const key = (row as { key: string }).key;
  return Object.hasOwn(SETTING_VALUES, key) ? SETTING_VALUES[key] : undefined;
}

export const ROW_SCHEMAS: Record<RowTable, BaseSchema<unknown, unknown, BaseIssue<unknown>>> = {
  characters: character,
  scenes: scene,
  conversations: conversation,
  messages: message,
  memories: memory,
  personas: persona,
  lorebooks: storedLorebook,
  evalRuns: evalRun,
  settings: setting,
  models: model,
};

/** Each table's primary key. */
export const ROW_KEYS: Record<RowTable, 'id' | 'key'> = {
  characters: 'id',
  scenes: 'id',
  conversations: 'id',
  messages: 'id',
  memories: 'id',
  personas: 'id',
  lorebooks: 'id',
  evalRuns: 'id',
  settings: 'key',
  models: 'id',
};

// ---- the check

/** What is wrong with one row: where it is and which field. `row` counts from 1, as a person counts. */
export interface RowProblem {
  table: RowTable;
  row: number;
  /** The row's id (or setting key) when it has a usable one, else '?'. */
  id: string;
  /** Dot path of the field (`tags`, `book.entries[2].keys`, `value`); `(row)` for the row itself. */
  field: string;
  /** What the field should be and what it is, in valibot's words (`Array`, `undefined`, `"3"`...). */
  expected: string;
  received: string;
}

function fieldPath(issue: BaseIssue<unknown>, prefix: string): string {
  let out = prefix;
  for (const item of issue.path ?? []) {
    const key = (item as { key?: unknown }).key;
    if (typeof key === 'number') out += `[${key}]`;
    else if (key !== undefined) out += out ? `.${String(key)}` : String(key);
  }
  return out || '(row)';
}

/** valibot's expected/received, in words where its own are terse (`<=10000`) or missing (finite). */
function expectation(issue: BaseIssue<unknown>): { expected: string; received: string } {
  const requirement = (issue as { requirement?: unknown }).requirement;
  switch (issue.type) {
    case 'finite':
      return { expected: 'a finite number', received: issue.received };
    case 'integer':
      return { expected: 'a whole number', received: issue.received };
    case 'max_length':
      return { expected: `at most ${String(requirement)} long`, received: `${issue.received} long` };
    case 'min_length':
      return { expected: `at least ${String(requirement)} long`, received: `${issue.received} long` };
    case 'min_value':
      return { expected: `at least ${String(requirement)}`, received: issue.received };
    case 'max_value':
      return { expected: `at most ${String(requirement)}`, received: issue.received };
    case 'custom':
      // custom() expects "unknown"; its message says what it wanted.
      return { expected: issue.message, received: issue.received };
    default:
      return { expected: issue.expected ?? issue.message, received: issue.received };
  }
}

/** The problem with one row, or null when it is fine. `index` counts from 0. */
export function rowProblem(table: RowTable, row: unknown, index: number): RowProblem | null {
  let result = safeParse(ROW_SCHEMAS[table], row, { abortEarly: true });
  let prefix = '';
  const valueSchema = result.success && table === 'settings' ? settingValueSchema(row) : undefined;
  if (valueSchema) {
    result = safeParse(valueSchema, (row as { value: unknown }).value, { abortEarly: true });
    prefix = 'value';
  }
  if (result.success) return null;
  const issue = result.issues[0];
  const key = isRecord(row) && Object.hasOwn(row, ROW_KEYS[table]) ? row[ROW_KEYS[table]] : undefined;
  return {
    table,
    row: index + 1,
    id: typeof key === 'string' && key.length <= MAX_ID ? key : '?',
    field: fieldPath(issue, prefix),
    ...expectation(issue),
  };
}

/** The first bad row of a list (rows[i] is row `offset + i` of the table), or null. */
export function checkRows(table: RowTable, rows: readonly unknown[], offset = 0): RowProblem | null {
  for (let i = 0; i < rows.length; i++) {
    const problem = rowProblem(table, rows[i], offset + i);
    if (problem) return problem;
  }
  return null;
}

/** English words for a problem: `row 3 of characters (id alice): tags should be Array, not undefined`. */
export function describeRowProblem(problem: RowProblem): string {
  return `row ${problem.row} of ${problem.table} (id ${problem.id}): ${problem.field} should be ${problem.expected}, not ${problem.received}`;
}

/**
 * A row read from this browser's database does not have the shape the app needs (written by a
 * damaged restore, an older build or another program). Unlike AppError('storage-unavailable'), the
 * storage works: the way out is to restore a backup or delete all data, not to change browsers.
 */
export class DamagedRowError extends Error {
  readonly problem: RowProblem;
  /** For the sentence: table, row, id, field, expected, received. */
  readonly details: Record<string, string | number>;

  constructor(problem: RowProblem) {
    super(`A saved item is damaged: ${describeRowProblem(problem)}.`);
    this.name = 'DamagedRowError';
    this.problem = problem;
    this.details = { ...problem };
  }
}

// ---- compile-time: each schema describes exactly its row type (a field added to types.ts must be added here)

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The type without looseObject's `[key: string]: unknown`, all the way down (binary data and unknown JSON left as they are). */
type Checked<T> = T extends ArrayBuffer | Uint8Array
  ? T
  : T extends readonly (infer I)[]
    ? Checked<I>[]
    : T extends object
      ? { [K in keyof T as string extends K ? never : K]: Checked<T[K]> }
      : T;
/** The inspector is checked as unknown JSON (its shape belongs to the role prompt). */
type WithLooseInspector<T> = T extends { prompt?: infer P } ? Omit<T, 'prompt'> & { prompt?: Omit<NonNullable<P>, 'inspector'> & { inspector?: Record<string, unknown> } } : T;
type Rows = {
  characters: [typeof character, Character];
  scenes: [typeof scene, Scene];
  conversations: [typeof conversation, Conversation];
  messages: [typeof message, WithLooseInspector<Message>];
  memories: [typeof memory, MemoryRecord];
  personas: [typeof persona, Persona];
  lorebooks: [typeof storedLorebook, StoredLorebook];
  evalRuns: [typeof evalRun, EvalRun];
  models: [typeof model, InstalledModel];
};
export type SchemasMatchTypes = { [T in keyof Rows]: Same<Checked<InferOutput<Rows[T][0]>>, Checked<Rows[T][1]>> };
const schemasMatchTypes: SchemasMatchTypes = { characters: true, scenes: true, conversations: true, messages: true, memories: true, personas: true, lorebooks: true, evalRuns: true, models: true };
void schemasMatchTypes;
