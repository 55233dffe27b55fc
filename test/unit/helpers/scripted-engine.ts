// A scripted ChatEngine for unit tests of state: replies with fixed pieces, honours abort, can fail.

import type { ChatEngine, ChatEvent, GenerateOptions, LoadedModel, LoadProgress, ModelSource } from '../../../src/core/engine';
import { AppError } from '../../../src/core/errors';
import type { ChatTurn } from '../../../src/core/types';

export interface ScriptedReply {
  pieces: string[];
  /** Throw this error after the pieces instead of finishing. */
  failWith?: AppError;
  /** Wait for this promise before each piece (lets a test stop mid-reply). */
  gate?: () => Promise<void>;
}

export class ScriptedEngine implements ChatEngine {
  readonly kind = 'wllama' as const;
  readonly calls: { messages: ChatTurn[]; options: GenerateOptions }[] = [];
  replies: ScriptedReply[] = [];
  loads = 0;

  async load(source: ModelSource, onProgress: (p: LoadProgress) => void, _signal?: AbortSignal): Promise<LoadedModel> {
    this.loads += 1;
    onProgress({ fraction: 0.5, phase: 'load', text: 'halfway' });
    onProgress({ fraction: 1, phase: 'load', text: 'done' });
    const engine = source.kind === 'webllm' ? 'webllm' : 'wllama';
    return { id: source.kind === 'webllm' ? source.modelId : 'scripted', label: 'Scripted', engine, contextWindow: 2048 };
  }

  async *chat(messages: ChatTurn[], options: GenerateOptions, signal?: AbortSignal): AsyncIterable<ChatEvent> {
    this.calls.push({ messages: structuredClone(messages), options });
    const reply = this.replies.shift() ?? { pieces: ['Hello', ' there'] };
    let completion = 0;
    for (const piece of reply.pieces) {
      await reply.gate?.();
      if (signal?.aborted) {
        yield { type: 'done', finishReason: 'abort', usage: { promptTokens: 10, completionTokens: completion } };
        return;
      }
      completion += 1;
      yield { type: 'delta', text: piece };
    }
    if (reply.failWith) throw reply.failWith;
    yield { type: 'done', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: completion, tokensPerSecond: 42 } };
  }

  async unload(): Promise<void> {}

  capabilities() {
    return { gpu: false, multiThread: false };
  }
}
