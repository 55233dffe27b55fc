// The one interface every chat engine implements (web-llm in a worker, wllama on CPU, a model server, scripted in tests).

import type { JsonSchema } from './json-schema';
import type { ServerConfig } from './model-server';
import type { ChatTurn, EngineKind, Usage } from './types';

export type ModelSource =
  | { kind: 'webllm'; modelId: string; custom?: CustomWebLlmModel }
  | { kind: 'gguf-file'; file: Blob; name: string }
  | { kind: 'gguf-url'; url: string }
  | { kind: 'server'; server: ServerConfig };

/** A web-llm model outside the prebuilt list: absolute URLs of its files and of its model library (wasm). */
export interface CustomWebLlmModel {
  model: string;
  modelLib: string;
}

export interface LoadProgress {
  /** 0..1, or null while the total is unknown. */
  fraction: number | null;
  phase: 'download' | 'load' | 'init';
  /** What is happening now, in words (engine text, e.g. "Fetching param cache[3/20]"). */
  text: string;
  loadedBytes?: number;
  totalBytes?: number;
}

export interface LoadedModel {
  id: string;
  label: string;
  engine: EngineKind;
  contextWindow: number;
  sizeBytes?: number;
}

/**
 * One reply's settings. Temperature, top-p and the length are always sent; the optional samplers
 * only when the engine lists them in `capabilities().samplers` (core/sampling.ts: toGenerateOptions).
 */
export interface GenerateOptions {
  maxTokens: number;
  temperature: number;
  topP: number;
  /** 0: off. */
  topK?: number;
  /** 0: off. */
  minP?: number;
  repetitionPenalty?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  stop?: string[];
  /**
   * The last turn is the assistant's unfinished reply: write on from its end, in the same turn
   * (prefill), instead of starting a new one. Only sent to an engine whose capabilities say
   * `continueReply`; the deltas are the new text only.
   */
  continueLast?: boolean;
  /**
   * Write the person's next line (Write my line): the last turn is only the request standing in
   * for it; an engine whose capabilities say `personTurn` drops it, opens the person's turn in the
   * model's own template and completes that instead.
   */
  openPersonTurn?: boolean;
  /**
   * The reply must be JSON matching this schema: an engine whose capabilities say
   * `structuredOutput` constrains its decoding to it (a grammar), so even a weak model writes a
   * well-formed record. Callers still check the reply (core/json-schema.ts parseJsonReply).
   */
  jsonSchema?: JsonSchema;
}

/** The optional samplers of GenerateOptions, by name. */
export type SamplerName = 'topK' | 'minP' | 'repetitionPenalty' | 'presencePenalty' | 'frequencyPenalty' | 'seed' | 'stop';

/** What an engine that does not list its samplers is sent (what every engine took before the list existed). */
export const BASIC_SAMPLERS: readonly SamplerName[] = ['repetitionPenalty', 'seed', 'stop'];

export type FinishReason = 'stop' | 'length' | 'abort';

export type ChatEvent =
  | { type: 'delta'; text: string }
  | { type: 'done'; finishReason: FinishReason; usage: Usage };

export interface EngineCapabilities {
  gpu: boolean;
  multiThread: boolean;
  /** The optional samplers it honours (absent: BASIC_SAMPLERS); settings show only these. */
  samplers?: readonly SamplerName[];
  /** It can write on from the end of an assistant turn (GenerateOptions.continueLast). */
  continueReply?: boolean;
  /** It can write the person's next turn as a raw continuation of their opened turn (GenerateOptions.openPersonTurn). */
  personTurn?: boolean;
  /** It constrains a reply to GenerateOptions.jsonSchema. */
  structuredOutput?: boolean;
}

export interface ChatEngine {
  readonly kind: EngineKind;
  /** Loads a model; rejects with AppError('aborted') when the signal fires. */
  load(source: ModelSource, onProgress: (progress: LoadProgress) => void, signal?: AbortSignal): Promise<LoadedModel>;
  /**
   * Streams a reply. Aborting the signal ends the stream with a `done` event whose finishReason is
   * 'abort' (the text so far stays valid). Errors are thrown as AppError.
   */
  chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent>;
  unload(): Promise<void>;
  capabilities(): EngineCapabilities;
  /**
   * Raw text completion: the prompt goes as written (the model's chat template already applied by
   * the caller) and the model writes on from its last character; events as chat(). For Continue and
   * Impersonate. Engines without one leave it out (a model server: /v1/completions).
   */
  complete?(prompt: string, options: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent>;
  /** The model's own token count for a text, where the engine can ask (llama-server /tokenize); null where it cannot. */
  countTokens?(text: string, signal?: AbortSignal): Promise<number | null>;
}
