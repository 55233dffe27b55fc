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
  createdAt: number;
  updatedAt: number;
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
  inspector?: import('./prompt-inspector').PromptInspector;
}

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
  sampling?: SamplingSettings;
  usage?: Usage;
}

export interface ChatTurn {
  role: MessageRole;
  content: string;
}

export interface SamplingSettings {
  temperature: number;
  topP: number;
  maxTokens: number;
  repetitionPenalty: number;
  seed?: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = {
  temperature: 0.8,
  topP: 0.95,
  maxTokens: 384,
  repetitionPenalty: 1.1,
};

export interface Persona {
  id: string;
  name: string;
  description: string;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

export type EngineKind = 'webllm' | 'wllama';

export interface InstalledModel {
  /** web-llm model id, or `gguf:<name>` for GGUF files. */
  id: string;
  engine: EngineKind;
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
