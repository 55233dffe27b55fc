// Domain types shared by every layer: characters, scenes, conversations, messages, personas, models.

export type Lang = 'en' | 'zh';

/** One user/character exchange, as written in example dialogue or a built-in pack. */
export interface Exchange {
  user: string;
  char: string;
}

/** The fields a person (or a card) can write. Everything a character is, minus bookkeeping. */
export interface CharacterFields {
  name: string;
  nickname: string;
  /** data: URL or same-origin URL of the avatar image. Never HTML. */
  avatar: string;
  /** Character.AI "tagline": one line shown in the gallery. */
  shortDescription: string;
  /** The card `description`: who the character is, sent to the model. */
  description: string;
  personality: string;
  scenario: string;
  firstMessage: string;
  alternateGreetings: string[];
  /** Card `mes_example` text: `<START>` blocks of `{{user}}:` / `{{char}}:` lines. */
  exampleDialogue: string;
  systemPrompt: string;
  postHistoryInstructions: string;
  /** Shown to the person, never sent to the model. */
  creatorNotes: string;
  tags: string[];
  creator: string;
  characterVersion: string;
  catchphrases: string[];
  language: Lang;
}

export const CHARACTER_FIELD_NAMES = [
  'name', 'nickname', 'avatar', 'shortDescription', 'description', 'personality', 'scenario',
  'firstMessage', 'alternateGreetings', 'exampleDialogue', 'systemPrompt', 'postHistoryInstructions',
  'creatorNotes', 'tags', 'creator', 'characterVersion', 'catchphrases', 'language',
] as const satisfies readonly (keyof CharacterFields)[];

/** Card `character_book` / standalone lorebook entry (Character Card V2/V3 semantics). */
export interface LorebookEntry {
  id: string | number;
  keys: string[];
  secondaryKeys: string[];
  content: string;
  enabled: boolean;
  /** Lower is inserted higher in the prompt. */
  insertionOrder: number;
  caseSensitive?: boolean;
  name?: string;
  /** When over budget, lower priority is dropped first. */
  priority?: number;
  comment?: string;
  /** Secondary keys only apply when selective. */
  selective?: boolean;
  selectiveLogic?: 'and-any' | 'and-all' | 'not-any' | 'not-all';
  constant?: boolean;
  /** Keys are regular expressions (`/pattern/flags` or bare patterns). */
  useRegex?: boolean;
  position?: 'before_char' | 'after_char';
  /** Unknown fields and extensions, kept verbatim for round trips. */
  extensions: Record<string, unknown>;
}

export interface Lorebook {
  name?: string;
  description?: string;
  /** How many recent messages are scanned for keys. */
  scanDepth?: number;
  tokenBudget?: number;
  recursiveScanning?: boolean;
  extensions: Record<string, unknown>;
  entries: LorebookEntry[];
}

/** A lorebook imported on its own: attached to one character, or global (applies to every chat). */
export interface StoredLorebook {
  id: string;
  /** Absent for a global book. */
  characterId?: string;
  /** The file it came from, for the person to recognise it. */
  sourceName?: string;
  enabled: boolean;
  book: Lorebook;
  createdAt: number;
  updatedAt: number;
}

/**
 * A Character Card V3 asset other than the avatar (which lives in `avatar`): backgrounds, emotion
 * sprites, user icons, extra icons, `x_` custom types. Kept, usable or not, so it exports again.
 */
export interface CharacterAsset {
  /** `icon`, `background`, `user_icon`, `emotion`, or a custom `x_…` type. */
  type: string;
  name: string;
  /** Lowercase file extension without a dot, as the card declares it. */
  ext: string;
  /** The URI as the card wrote it: `embeded://…`, `https:…`, `data:…`, `ccdefault:`, `__asset:…`. */
  uri: string;
  /** The bytes, when the card carried them (CHARX file, data: URL, PNG asset chunk). */
  data?: Uint8Array;
  mime?: string;
  /** Fields of the card's asset object that the app does not know, kept verbatim. */
  extra?: Record<string, unknown>;
}

export interface Character extends CharacterFields {
  id: string;
  origin: 'builtin' | 'user' | 'import';
  /** For built-ins: the pack version and the fields as shipped, so updates can merge around edits. */
  builtin?: { version: number; base: CharacterFields };
  /** Unknown card fields and extensions, kept verbatim for round trips. */
  extensions: Record<string, unknown>;
  /** The card's own lorebook (`character_book`), used by the prompt builder. */
  lorebook?: Lorebook;
  /** Card assets besides the avatar, in card order. */
  assets?: CharacterAsset[];
  /** The persona a new chat with this character starts with; absent: the default persona. */
  personaId?: string;
  /** The voice replies are read aloud in; absent: the platform's voice for the character's language. */
  voice?: CharacterVoice;
  /** Sampling for this character's chats, over the person's settings (a chat's own override wins). */
  sampling?: SamplingOverride;
  /**
   * Its corpus in numbers, kept as scenes are written, so the character page reads no scene rows
   * (each carries its vectors). Absent on rows stored before; counted once then (storage/scenes.ts).
   */
  corpus?: CorpusTotals;
  /**
   * Present on a group: several characters in one chat. A group is a character row (its chats are
   * ordinary conversations with the group's id), but its card fields are only a name, and it is no card.
   */
  group?: GroupSpec;
  createdAt: number;
  updatedAt: number;
}

/** Who speaks next in a group chat: natural (mentions, then talkativeness), list order, or the person picks. */
export type GroupMode = 'natural' | 'list' | 'manual';
export const GROUP_MODES: readonly GroupMode[] = ['natural', 'list', 'manual'];

export interface GroupSpec {
  /** Member character ids, in list order. */
  members: string[];
  /** Members who do not speak until unmuted (a manual pick still makes them). */
  muted?: string[];
  mode: GroupMode;
  /** Per member, 0..1: how likely they speak up in natural order (absent: DEFAULT_TALKATIVENESS). */
  talkativeness?: Record<string, number>;
  /** The member whose greeting opens a new chat (absent: the first member). */
  greetingFrom?: string;
  /** A scenario for the whole group, given to every member in place of their own. */
  scenario?: string;
}

/** A speech-synthesis voice as the browser names it, and how it speaks. */
export interface CharacterVoice {
  voiceURI: string;
  name: string;
  /** BCP 47 tag of the voice ("en-GB", "zh-CN"). */
  lang: string;
  /** 0.5–2, 1 is normal speed. */
  rate: number;
  /** 0.5–2, 1 is the voice's own pitch. */
  pitch: number;
}

export const VOICE_LIMITS = { rate: { min: 0.5, max: 2 }, pitch: { min: 0.5, max: 2 } } as const;

export interface CorpusTotals {
  scenes: number;
  tokens: number;
}

export interface SceneLine {
  speaker: string;
  text: string;
}

export interface SceneVector {
  model: string;
  dim: number;
  data: ArrayBuffer;
}

export interface Scene {
  id: string;
  characterId: string;
  title: string;
  text: string;
  lines: SceneLine[];
  tokens: number;
  source: 'example' | 'chatharuhi' | 'rolellm' | 'pack';
  vectors: SceneVector[];
  /**
   * 'knowledge': a passage of a knowledge text (a wiki page, a profile), retrieved into its own
   * prompt section; absent: a dialogue scene (rows stored before passages existed have none).
   */
  kind?: SceneKind;
  /** Written by the loaded model (Write example dialogues) and accepted by the person; absent: the person's own. */
  generated?: GeneratedSceneInfo;
}

export type SceneKind = 'knowledge';

/** Where a generated scene came from: shown in its inspector view, kept in backups and packs. */
export interface GeneratedSceneInfo {
  /** The generation job that wrote it. */
  jobId: string;
  kind: 'world' | 'everyday' | 'out-of-world';
  question: string;
  /** The exact prompt text the answer was written from. */
  prompt: string;
  /** The model that wrote it. */
  model: string;
  createdAt: number;
}

export interface Conversation {
  id: string;
  characterId: string;
  title: string;
  personaId?: string;
  /** The message at the end of the visible branch. */
  leafId: string | null;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  /** Sampling for this chat alone, over the character's and the person's. */
  sampling?: SamplingOverride;
  /** A branch: the conversation it was started from, and the message its copied history ends at. */
  originConversationId?: string;
  originMessageId?: string;
  /** SillyTavern's author's note: text inserted `depth` messages above the new one (0: on it). */
  authorsNote?: AuthorsNote;
  /** A scenario for this chat alone, in place of the card's. */
  scenario?: string;
}

export interface AuthorsNote {
  text: string;
  depth: number;
}

/**
 * One long-term memory of a conversation (the `memories` table). pin: a fact that always enters the
 * prompt, written by hand or pinned from a message (`messageId`). summary: what the model wrote of
 * the branch's oldest messages, up to and including `coversId`; `coversHash` hashes the ids of that
 * path, so a swipe or an edit before it (another path) makes the summary not apply.
 */
export interface MemoryRecord {
  id: string;
  conversationId: string;
  kind: 'pin' | 'summary';
  text: string;
  createdAt: number;
  updatedAt: number;
  messageId?: string;
  coversId?: string;
  coversHash?: string;
  /** How many messages of the path the summary covers. */
  coversCount?: number;
}

/** What a background job has done so far: steps done of all, and counts it keeps by name (kept, dropped by each filter…). */
export interface JobProgress {
  done: number;
  total: number;
  counts?: Record<string, number>;
}

export type JobStatus = 'running' | 'paused' | 'done' | 'cancelled' | 'failed';

/**
 * A background job that uses the loaded model (generated dialogues, an evaluation run), kept on
 * this device so it can resume after a reload. `params` are what the person chose; `state` is the
 * runner's own resumable record of what it has done. Not in backups: work in progress, not data.
 */
export interface JobRecord<P = unknown, S = unknown> {
  id: string;
  kind: string;
  /** The character it works for, when it works for one. */
  characterId?: string;
  title: string;
  status: JobStatus;
  params: P;
  state: S;
  progress: JobProgress;
  /** Why it paused or failed (an AppError's code and message). */
  error?: { code: string; message: string };
  createdAt: number;
  updatedAt: number;
}

/** A conversation in a character's chat list, with what a person counts: the messages its visible branch shows. */
export interface ListedConversation extends Conversation {
  shownCount: number;
}

export type MessageRole = 'user' | 'assistant' | 'system';

/**
 * streaming: a reply being written (if found on load, the tab closed mid-reply).
 * stopped: ended by the person. error: ended by a failure; partial text kept.
 */
export type MessageStatus = 'done' | 'streaming' | 'stopped' | 'interrupted' | 'error';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** Decode speed as the engine measured it, when it reports one. */
  tokensPerSecond?: number;
}

export interface PromptSection {
  name: string;
  tokens: number;
}

export interface SentPrompt {
  messages: ChatTurn[];
  sections: PromptSection[];
  /** History messages that did not fit in the window. */
  droppedMessages: number;
  /** What the prompt inspector shows (role prompts only; absent on prompts saved before it). */
  inspector?: PromptInspector;
}

// What a role prompt records about itself, stored with each reply. These are stored data, so they
// live here with the message; the role prompt (core/role-prompt/) writes them and imports them.

/** How a lorebook entry got into the prompt. */
export type LoreActivation = 'constant' | 'key' | 'recursive';
/** Why a matching lorebook entry stayed out (the role prompt adds 'no-room'). */
export type LoreSkipReason = 'budget' | 'secondary' | 'disabled' | 'probability';

/** The role prompt's sections, in the order the inspector lists them. */
export type SectionName =
  | 'system'
  | 'lorebook-constant'
  | 'lorebook-depth'
  | 'character'
  | 'persona'
  | 'examples'
  | 'lorebook'
  | 'knowledge'
  | 'scenes'
  | 'chat-start'
  | 'summary'
  | 'pins'
  | 'history'
  | 'authors-note'
  | 'recall'
  | 'lorebook-note'
  | 'post-history'
  | 'message';

export interface InspectorScene {
  id: string;
  title?: string;
  score: number;
  tokens: number;
  /** 'knowledge': a knowledge passage (its own prompt section); absent: a dialogue scene. */
  kind?: SceneKind;
}

/** Where a chosen scene came from: put in by this prompt, or already in it from an earlier turn. */
export type ScenePlacement = 'new' | 'earlier';

/**
 * Why a retrieved scene is not in the prompt. 'no-room': larger than all the room scenes had.
 * 'below-others': it would have fit alone, but better-ranked scenes took the room. 'not-refreshed':
 * the prompt kept its scenes from an earlier turn (the topic had not moved). 'budget': either of the
 * first two (prompts written before they were told apart).
 */
export type SceneLeftOutReason = 'no-room' | 'below-others' | 'not-refreshed' | 'budget';

export interface InspectorLore {
  id: string | number;
  name?: string;
  reason: LoreActivation;
  matchedKeys: string[];
  tokens: number;
  /** system: constant entries; context: the context block; note: on the new message; depth: among the history turns. */
  placement: 'system' | 'context' | 'note' | 'depth';
  /** With placement 'depth': how many messages above the new one it went when the prompt was built. */
  depth?: number;
}

/**
 * appended / regenerated: the previous prompt was reused whole. Otherwise why the prompt was built
 * afresh: first (no previous prompt), topic-moved (the scenes must change), history-full (an append
 * would pass the history budget), not-continuation (an edit, a branch, a previous prompt without a
 * layout), config-changed (card, persona, window or reply length), rebuild-layout, no-room (the
 * window holds no context block). `scenes.reused` says whether the context block was kept anyway.
 */
export type ContextRefresh =
  | 'appended'
  | 'regenerated'
  | 'first'
  | 'topic-moved'
  | 'history-full'
  | 'not-continuation'
  | 'config-changed'
  | 'no-room'
  | 'rebuild-layout';

export interface PromptLayout {
  version: 1;
  configHash: string;
  appendable: boolean;
  /** System + few-shot messages. */
  prefixMessages: number;
  /** The message holding the context block; -1 when there is none. */
  contextIndex: number;
  /** Section parts of the prefix messages: [section, characters] each, joined by a blank line. */
  prefixParts: [SectionName, number][][];
  /** Parts of the context block, which starts messages[contextIndex]. */
  contextParts: [SectionName, number][];
  scenes: InspectorScene[];
  lore: InspectorLore[];
  /** Lorebook entries added as notes on user messages since the context block was built. */
  notedLore: (string | number)[];
  /** Scenes added on user messages (topic moves) since the context block was built. */
  notedScenes: InspectorScene[];
  /** Non-empty history turns the prompt covers, the new message included, and their hash. */
  turns: number;
  turnsHash: string;
  dropped: number;
  /** Parts of the last message (the new one, with its notes), for the inspector. Absent in older layouts. */
  finalParts?: [SectionName, number][];
}

export interface RolePromptInspector {
  language: Lang;
  /** fresh: built from the card and history; appended / regenerated: the previous prompt reused. */
  mode: 'fresh' | 'appended' | 'regenerated' | 'minimal' | 'truncated';
  refresh: ContextRefresh;
  budget: {
    contextWindow: number;
    replyTokens: number;
    /** contextWindow - replyTokens: what the prompt may use. */
    prompt: number;
    used: number;
    /** `used` is the whole prompt counted with the model's own tokenizer and chat template, not an estimate. */
    measured?: boolean;
    plan: { history: number; fewShot: number; context: number; scenes: number; lore: number; messageReserve: number };
  };
  scenes: {
    /** `placed`: 'new' when put in by this prompt, 'earlier' when already in it from an earlier turn (absent in older prompts). */
    chosen: (InspectorScene & { placed?: ScenePlacement })[];
    leftOut: (InspectorScene & { reason: SceneLeftOutReason })[];
    reused: boolean;
  };
  lorebook: {
    chosen: InspectorLore[];
    leftOut: { id: string | number; name?: string; reason: LoreSkipReason | 'no-room'; matchedKeys: string[] }[];
    warnings: string[];
  };
  examples: { available: number; used: number };
  history: { kept: number; dropped: number };
  truncated: { system: boolean; message: boolean };
  layout: PromptLayout;
  /** The chat's long-term memory: absent when the chat has none (and in older prompts). */
  memory?: InspectorMemory;
}

/**
 * Why a memory item is not in the prompt. budget: its section's budget was full; no-room: the window
 * holds no context block; in-history: the message is still in the history sent; not-refreshed: a
 * newer text waits for the next rebuild (the prompt was reused to keep the engine's cache).
 */
export type MemoryLeftOutReason = 'budget' | 'no-room' | 'in-history' | 'not-refreshed';

export interface InspectorMemoryItem {
  id: string;
  tokens: number;
  taken: boolean;
  reason?: MemoryLeftOutReason;
  /** Recall only: the retrieval score (higher is better). */
  score?: number;
}

export interface InspectorMemory {
  summary?: InspectorMemoryItem & { covers: number };
  pins: InspectorMemoryItem[];
  recalled: InspectorMemoryItem[];
  authorsNote?: InspectorMemoryItem & { depth: number };
}

/** One scene retrieval found for a turn, with the evidence for it (for the inspector). */
export interface RetrievalHit {
  id: string;
  title?: string;
  source?: Scene['source'];
  kind?: SceneKind;
  /** The score the prompt builder ranked by: RRF for hybrid search, BM25 for keyword search alone. */
  score: number;
  keywordRank?: number;
  keywordScore?: number;
  vectorRank?: number;
  vectorScore?: number;
  /** The new message's own best keyword match, put first (the scene the talk is moving to). */
  focus?: true;
}

/**
 * How the scenes for one turn were found. mode none: the character has no scenes (or the query
 * has no searchable words). `vectorsOff` says why cosine search did not take part in a keyword search.
 */
export interface RetrievalTrace {
  mode: 'keyword' | 'hybrid' | 'none';
  query: string;
  /** Scenes the character has (what was searched). */
  sceneCount: number;
  /** Scenes with a vector of the embedding model used (hybrid only). */
  vectorCount?: number;
  embeddingModel?: string;
  vectorsOff?: 'no-embedder' | 'no-vectors' | 'embed-failed';
  hits: RetrievalHit[];
  /** Wall time of the search, query embedding included. */
  ms: number;
}

/** The inspector stored with a sent prompt: the role prompt's own, plus how its scenes were retrieved. */
export type PromptInspector = RolePromptInspector & { retrieval?: RetrievalTrace };

export interface Message {
  id: string;
  conversationId: string;
  /** Messages form a tree; siblings are swipes (regenerations, alternate greetings). */
  parentId: string | null;
  role: MessageRole;
  content: string;
  /** Earlier texts of this message, oldest first: edits never destroy text. */
  revisions: string[];
  status: MessageStatus;
  errorCode?: string;
  createdAt: number;
  updatedAt: number;
  /** Soft delete, so a delete can be undone. */
  deletedAt?: number;
  model?: string;
  prompt?: SentPrompt;
  /** The settings this reply was sent: only those its engine takes (older replies: all of them). */
  sampling?: SamplingOverride;
  usage?: Usage;
  /** The person's stars for this reply (this swipe, as it reads now: an edit clears them). */
  rating?: Rating;
  /** In a group chat: the member who wrote this reply (their character id). */
  speakerId?: string;
  /** In a group chat: that member's name when they wrote it, so the line stays readable after they are deleted. */
  speakerName?: string;
}

/** Character.AI's reply rating: 1 (bad) to 4 (great) stars. */
export type Rating = 1 | 2 | 3 | 4;
export const RATINGS: readonly Rating[] = [1, 2, 3, 4];

export interface ChatTurn {
  role: MessageRole;
  content: string;
}

export interface SamplingSettings {
  temperature: number;
  topP: number;
  /** 0 turns top-k off. */
  topK: number;
  /** 0 turns min-p off. */
  minP: number;
  maxTokens: number;
  repetitionPenalty: number;
  presencePenalty: number;
  frequencyPenalty: number;
  /** Texts that end a reply where they appear (at most MAX_STOP_STRINGS, each at most MAX_STOP_LENGTH). */
  stop: string[];
  seed?: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = {
  temperature: 0.8,
  topP: 0.95,
  topK: 40,
  minP: 0.05,
  maxTokens: 384,
  repetitionPenalty: 1.1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  stop: [],
};

/**
 * The range of each sampling figure the app accepts (the settings form clamps to it, a backup's
 * settings are checked against it): outside it an engine refuses the request or misbehaves (a
 * reply length of -5, a top-p of 7).
 */
export const SAMPLING_LIMITS = {
  temperature: { min: 0, max: 2 },
  topP: { min: 0, max: 1 },
  topK: { min: 0, max: 200 },
  minP: { min: 0, max: 1 },
  maxTokens: { min: 16, max: 4096 },
  repetitionPenalty: { min: 0.5, max: 2 },
  presencePenalty: { min: -2, max: 2 },
  frequencyPenalty: { min: -2, max: 2 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const satisfies Record<Exclude<keyof SamplingSettings, 'stop'>, { min: number; max: number }>;

/** Stop strings: engines slow down (and llama.cpp rescans every token) with many long ones. */
export const MAX_STOP_STRINGS = 8;
export const MAX_STOP_LENGTH = 40;

/** Some sampling figures set over the ones below them (a preset, a character's or a chat's override). */
export type SamplingOverride = Partial<SamplingSettings>;

/** A named set of sampling figures: built in (Balanced, Creative, Precise) or the person's own. */
export interface SamplingPreset {
  id: string;
  name: string;
  values: SamplingOverride;
}

export interface Persona {
  id: string;
  name: string;
  description: string;
  /** data: URL of the persona's picture, shown on the person's messages; absent: initials. */
  avatar?: string;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

/** 'server': a model server of the person's own (OpenAI-compatible), the one engine that sends text off the device. */
export type EngineKind = LocalEngineKind | 'server';
/** The engines that run the model in this browser; only their models are downloaded and listed as installed. */
export type LocalEngineKind = 'webllm' | 'wllama';

export interface InstalledModel {
  /** web-llm model id, or `gguf:<name>` for GGUF files. */
  id: string;
  engine: LocalEngineKind;
  label: string;
  sizeBytes: number;
  contextWindow: number;
  source: 'catalog' | 'file' | 'url';
  url?: string;
  /** Where the weights are kept: 'opfs' = a GGUF copied into this origin's private files. */
  stored?: 'opfs';
  /** A web-llm model from custom URLs (or a folder picked from disk): its absolute model and library URLs. */
  modelUrl?: string;
  modelLibUrl?: string;
  addedAt: number;
  lastUsedAt: number;
}

export interface Setting<T = unknown> {
  key: string;
  value: T;
}

// ---- evaluation runs (issue 16): the `evalRuns` table ------------------------------------------

/**
 * Where a test question came from. held-out: an exchange of the character's corpus (the line
 * addressed to it and its original reply); rolebench: an imported RoleBench row; generated: an
 * accepted self-generated pair; written: a question the person wrote (no reference reply).
 */
export type EvalSource = 'held-out' | 'rolebench' | 'generated' | 'written';

export interface EvalQuestion {
  id: string;
  source: EvalSource;
  /** The line put to the character. */
  prompt: string;
  /** The reply the character gave in its corpus; absent for written questions. */
  reference?: string;
  /** The scene the question was taken from: kept out of retrieval while the run lasts. */
  sceneId?: string;
}

/**
 * How much of the role prompt a configuration uses, each adding to the one before: zero-shot (the
 * system prompt alone), few-shot (RoleGPT: plus the card's example exchanges), scenes (plus retrieved
 * scenes, ChatHaruhi), memory (plus the pinned facts of the character's chats).
 */
export type EvalPromptMode = 'zero-shot' | 'few-shot' | 'scenes' | 'memory';
export const EVAL_PROMPT_MODES: readonly EvalPromptMode[] = ['zero-shot', 'few-shot', 'scenes', 'memory'];

export interface EvalConfig {
  id: string;
  mode: EvalPromptMode;
  /** The model id its replies are written by (the run waits for that model to be loaded). */
  model: string;
}

export interface EvalScores {
  /** Rouge-L F against the reference (0–1); absent without a reference. */
  rougeL?: number;
  /** Cosine similarity of the reply to the reference, with the embedding model; absent without one. */
  cosineReference?: number;
  /** Cosine similarity of the reply to the nearest of the character's own lines; absent without an embedder. */
  cosineLines?: number;
  /** The name the judge picked as the speaker of the reply; absent when the check could not run. */
  identityPick?: string;
  /** True when the judge picked the character itself. */
  identityRight?: boolean;
  /** How many out-of-character markers (mentions of being an AI) the reply holds. */
  oocMarkers: number;
  /** The reply's length in characters. */
  length: number;
}

export interface EvalResult {
  questionId: string;
  configId: string;
  reply: string;
  scores: EvalScores;
  at: number;
}

export interface EvalRun {
  id: string;
  characterId: string;
  title: string;
  questions: EvalQuestion[];
  configs: EvalConfig[];
  /** One per question and configuration that is done, in the order they were written. */
  results: EvalResult[];
  /** The four names the identity check chooses among (the character's first). */
  identityChoices: string[];
  /** The embedding model the cosine scores were computed with, when one was ready. */
  embeddingModel?: string;
  /** The background job running it (absent once the job is gone). */
  jobId?: string;
  createdAt: number;
  updatedAt: number;
  /** When every question and configuration had a result. */
  finishedAt?: number;
}
