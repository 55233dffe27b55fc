// Turns a model server's refusals and the browser's fetch failures into typed AppErrors the person can act on.

import { AppError, isAbort } from '../../core/errors';
import { isContextOverflow } from '../../core/model-server';

/** The message and extra facts of an error body: OpenAI's {error:{message}}, llama-server's {error:{n_ctx}}, Ollama's {error:"…"}. */
function readErrorBody(body: string): { message: string; type: string; promptTokens?: number; contextWindow?: number } {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = parsed.error;
    if (typeof error === 'string') return { message: error, type: '' };
    if (error && typeof error === 'object') {
      const e = error as { message?: unknown; type?: unknown; code?: unknown; n_prompt_tokens?: unknown; n_ctx?: unknown };
      return {
        message: typeof e.message === 'string' ? e.message : body,
        type: [e.type, e.code].filter((v) => typeof v === 'string').join(' '),
        ...(typeof e.n_prompt_tokens === 'number' ? { promptTokens: e.n_prompt_tokens } : {}),
        ...(typeof e.n_ctx === 'number' ? { contextWindow: e.n_ctx } : {}),
      };
    }
    if (typeof parsed.message === 'string') return { message: parsed.message, type: '' };
    if (typeof parsed.detail === 'string') return { message: parsed.detail, type: '' };
  } catch {
    // not JSON: the text itself
  }
  return { message: body.trim().slice(0, 300), type: '' };
}

/** A context overflow, with the sizes when the server stated them (so the prompt can be rebuilt to fit). */
function contextExceeded(message: string, promptTokens?: number, contextWindow?: number): AppError {
  const sizes = /\((\d+) tokens\)[^(]*\((\d+) tokens\)/.exec(message);
  const details: Record<string, number> = {};
  const prompt = promptTokens ?? (sizes ? Number(sizes[1]) : undefined);
  const window = contextWindow ?? (sizes ? Number(sizes[2]) : undefined);
  if (prompt !== undefined) details.promptTokens = prompt;
  if (window !== undefined) details.contextWindow = window;
  return new AppError('context-exceeded', message, details);
}

/** An HTTP answer that was not a success, or an error event inside a stream (status 0). */
export function describeServerError(status: number, body: string, host: string, model?: string): AppError {
  const { message, type, promptTokens, contextWindow } = readErrorBody(body);
  const details = { host, status, detail: message || `HTTP ${status}`, ...(model ? { model } : {}) };
  if (status === 401 || status === 403) return new AppError('server-unauthorized', message, details);
  if (status === 429 || /rate.?limit|quota/i.test(type)) return new AppError('server-rate-limited', message, details);
  if (/exceed_context|context_length/i.test(type) || isContextOverflow(message)) return contextExceeded(message, promptTokens, contextWindow);
  if (status === 404 || /model.*not (found|exist)|no such model|model_not_found/i.test(`${type} ${message}`)) {
    return new AppError('server-model-missing', message, details);
  }
  return new AppError('server-failed', message, details);
}

/**
 * fetch() rejected: no answer could be read. The browser gives the same TypeError for a server that
 * is down and for one whose answer CORS hides; `reachable` (a no-cors request, whose opaque answer
 * proves the server is up) tells them apart.
 */
export async function describeFetchFailure(error: unknown, host: string, reachable: () => Promise<boolean>): Promise<AppError> {
  if (error instanceof AppError) return error;
  if (isAbort(error)) return new AppError('aborted', 'Cancelled', {}, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  const up = await reachable().catch(() => false);
  return new AppError(up ? 'server-cors' : 'server-unreachable', message, { host }, { cause: error });
}
