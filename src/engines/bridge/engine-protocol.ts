// The calls between a ChatEngine running in a worker and its client on the page (over core/rpc.ts).

import type { ChatEvent, EngineCapabilities, GenerateOptions, LoadedModel, LoadProgress, ModelSource } from '../../core/engine';
import type { RpcMethod } from '../../core/rpc';
import type { ChatTurn } from '../../core/types';

/** A chat event as it crosses to the page: pieces come batched (delta-batcher.ts), with their count. */
export type WireChatEvent = { type: 'delta'; text: string; pieces: number } | Extract<ChatEvent, { type: 'done' }>;

export interface EngineProtocol {
  /** Load with progress events; ends with the model and what the engine can do. */
  load: RpcMethod<{ source: ModelSource }, LoadProgress, { model: LoadedModel; capabilities: EngineCapabilities }>;
  /** One reply, streamed as the model writes it. */
  chat: RpcMethod<{ messages: ChatTurn[]; options: GenerateOptions }, WireChatEvent, void>;
  unload: RpcMethod<void, never, void>;
}
