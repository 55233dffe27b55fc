// A scripted ChatEngine for unit tests of state: replies with fixed pieces, honours abort, can fail (and a run that overflows the context once).

import type { ChatEngine, ChatEvent, EngineCapabilities, GenerateOptions, LoadedModel, LoadProgress, ModelSource } from '../../../src/core/engine';
import { AppError } from '../../../src/core/errors';
import type { ChatTurn } from '../../../src/core/types';

export interface ScriptedReply {
  pieces: string[];
  /** Throw this error after the pieces instead of finishing. */
  failWith?: AppError;
  /** Wait for this promise before each piece (lets a test stop mid-reply). */
  gate?: () => Promise<void>;
  /** The prompt size the engine reports for this reply (default 10). */
  promptTokens?: (messages: ChatTurn[]) => number;
}

export class ScriptedEngine implements ChatEngine {
  readonly kind = 'wllama' as const;
  readonly calls: { messages: ChatTurn[]; options: GenerateOptions }[] = [];
  replies: ScriptedReply[] = [];
  loads = 0;
  /** What capabilities() answers (a test sets samplers or continueReply). */
  caps: EngineCapabilities = { gpu: false, multiThread: false };

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
    yield { type: 'done', finishReason: 'stop', usage: { promptTokens: reply.promptTokens?.(messages) ?? 10, completionTokens: completion, tokensPerSecond: 42 } };
  }

  async unload(): Promise<void> {}

  capabilities(): EngineCapabilities {
    return this.caps;
  }
}

/** How big the chat grows before the refusal, and what the engine claims when it refuses. */
export interface OverflowScript {
  /** Times the long sentence is repeated in each filler message and reply. */
  repeat: number;
  /** Filler exchanges sent before the question. */
  turns: number;
  /** The prompt size the refusal reports. */
  promptTokens: number;
  message?: string;
}

/**
 * Drives `session` to the point where the engine refuses a prompt as too long: `turns` long
 * exchanges, then 'One more question.', refused once and then answered 'Fits now.'. Kept in one place
 * because the session and role-prompt tests both check the retry that follows; `engine.calls` is
 * cleared before the question, so it holds just the refused call and the retry.
 */
export async function sendPastContextLimit(
  session: { send(text: string): Promise<unknown> },
  engine: ScriptedEngine,
  script: OverflowScript,
): Promise<void> {
  const long = 'The tide came in over the rocks and the lamp turned slowly above us. '.repeat(script.repeat);
  for (let i = 0; i < script.turns; i++) {
    engine.replies.push({ pieces: [long] });
    await session.send(`${long} (${i})`);
  }
  engine.calls.length = 0;
  engine.replies.push({ pieces: [], failWith: new AppError('context-exceeded', script.message ?? 'too long', { promptTokens: script.promptTokens }) });
  engine.replies.push({ pieces: ['Fits now.'] });
  await session.send('One more question.');
}
