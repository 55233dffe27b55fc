// The messages between a ChatEngine running in a worker and its client on the page.

import type { ChatEvent, GenerateOptions, LoadedModel, LoadProgress, ModelSource, EngineCapabilities } from '../../core/engine';
import { AppError, toAppError, type ErrorCode } from '../../core/errors';
import type { ChatTurn } from '../../core/types';

export type EngineRequest =
  | { type: 'load'; id: number; source: ModelSource }
  | { type: 'chat'; id: number; messages: ChatTurn[]; options: GenerateOptions }
  | { type: 'abort'; id: number }
  | { type: 'unload'; id: number };

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details: Record<string, string | number>;
}

export type EngineReply =
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'loaded'; id: number; model: LoadedModel; capabilities: EngineCapabilities }
  | { type: 'event'; id: number; event: ChatEvent }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  const appError = toAppError(error);
  return { code: appError.code, message: appError.message, details: appError.details };
}

export function deserializeError(error: SerializedError): AppError {
  return new AppError(error.code, error.message, error.details);
}
