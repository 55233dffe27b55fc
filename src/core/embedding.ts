// The seam between retrieval and whatever turns text into vectors (transformers.js in a worker).

import type { Lang } from './types';

/** Turns text into L2-normalised vectors with one embedding model. */
export interface TextEmbedder {
  /** The model id stored with each SceneVector, e.g. 'Xenova/bge-small-zh-v1.5'. */
  readonly modelId: string;
  readonly dim: number;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** Hands out the embedder for a character's language, or null when none is ready on this device. */
export interface EmbedderSource {
  embedderFor(lang: Lang): TextEmbedder | null;
}
