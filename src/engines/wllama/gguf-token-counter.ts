// Exact token counts for a loaded GGUF model, read from the file's own vocabulary and chat template
// (wllama 3.x has no tokenize()): the picked file, or wllama's cached copy of a downloaded one.

import type { ModelSource } from '../../core/engine';
import { ggufTokenCounter } from './gguf-prompt-count';
import type { ModelTokenCounter } from '../../core/tokens';
import { GgufTokenizer, type GgufVocabulary } from '../../core/gguf-tokenizer';
import { openCachedGguf } from './wllama-cache';
import { readGgufHeader, type GgufHeader } from './wllama-gguf';

const VOCABULARY_ARRAYS = ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges'];

function scalar<T extends 'string' | 'number' | 'boolean'>(header: GgufHeader, key: string, type: T): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  const value = header.metadata.get(key);
  return (typeof value === type ? value : undefined) as never;
}

/** The tokenizer fields of a GGUF header read with VOCABULARY_ARRAYS. */
export function vocabularyOf(header: GgufHeader): GgufVocabulary {
  const strings = (key: string) => (header.arrays.get(key) ?? []).map(String);
  const numbers = (key: string) => header.arrays.get(key)?.map(Number);
  return {
    model: scalar(header, 'tokenizer.ggml.model', 'string') ?? '',
    pre: scalar(header, 'tokenizer.ggml.pre', 'string'),
    tokens: strings('tokenizer.ggml.tokens'),
    scores: numbers('tokenizer.ggml.scores'),
    types: numbers('tokenizer.ggml.token_type'),
    merges: strings('tokenizer.ggml.merges'),
    addSpacePrefix: scalar(header, 'tokenizer.ggml.add_space_prefix', 'boolean'),
    // llama.cpp adds BOS for SentencePiece vocabularies unless told otherwise.
    addBos: scalar(header, 'tokenizer.ggml.add_bos_token', 'boolean') ?? scalar(header, 'tokenizer.ggml.model', 'string') === 'llama',
    addEos: scalar(header, 'tokenizer.ggml.add_eos_token', 'boolean') ?? false,
    bosId: scalar(header, 'tokenizer.ggml.bos_token_id', 'number'),
    eosId: scalar(header, 'tokenizer.ggml.eos_token_id', 'number'),
  };
}

/** Counters for a GGUF file, or null when its vocabulary is of a kind we do not reproduce. */
export async function ggufFileTokenCounter(file: Blob): Promise<ModelTokenCounter | null> {
  const header = await readGgufHeader(file, { arrays: VOCABULARY_ARRAYS });
  const vocabulary = vocabularyOf(header);
  const tokenizer = GgufTokenizer.from(vocabulary);
  if (!tokenizer) return null;
  return ggufTokenCounter(tokenizer, scalar(header, 'tokenizer.chat_template', 'string'), {
    bos: tokenizer.tokenText(vocabulary.bosId),
    eos: tokenizer.tokenText(vocabulary.eosId),
  });
}

/** Counters for the GGUF a source names; null when the file cannot be had or read. */
export async function loadGgufTokenCounter(source: ModelSource): Promise<ModelTokenCounter | null> {
  let file: Blob | null = null;
  if (source.kind === 'gguf-file') file = source.file;
  else if (source.kind === 'gguf-url') file = await openCachedGguf(new URL(source.url, globalThis.location?.href).href);
  return file ? await ggufFileTokenCounter(file) : null;
}
