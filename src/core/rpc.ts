// One small typed request/reply protocol over a MessagePort-like object, for every worker the app
// starts (chat engines, embeddings, import): calls by id, a stream of events per call (progress,
// chat deltas, parts of a big reply), one end with the result, errors through the one serializer,
// abort by id, and transfer lists both ways. Pure: it touches nothing but the port it is given.

import { deserializeError, serializeError, type HearthError, type SerializedError } from './errors';

/** What a Worker, a worker's `self` and a MessagePort have in common. */
export interface RpcPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** One method: what the call sends, the events it streams back, and what it ends with. */
export interface RpcMethod<Request = unknown, Event = never, Result = void> {
  request: Request;
  event: Event;
  result: Result;
}

/** A protocol: method name -> RpcMethod. */
export type RpcProtocol<P> = { [M in keyof P]: RpcMethod<unknown, unknown, unknown> };

export type RpcRequest<P, M extends keyof P> = P[M] extends RpcMethod<infer R, unknown, unknown> ? R : never;
export type RpcEvent<P, M extends keyof P> = P[M] extends RpcMethod<unknown, infer E, unknown> ? E : never;
export type RpcResult<P, M extends keyof P> = P[M] extends RpcMethod<unknown, unknown, infer R> ? R : never;
type Request<P, M extends keyof P> = RpcRequest<P, M>;
type Event<P, M extends keyof P> = RpcEvent<P, M>;
type Result<P, M extends keyof P> = RpcResult<P, M>;

/** Page -> worker. */
export type RpcCall = { rpc: 'call'; id: number; method: string; request: unknown } | { rpc: 'abort'; id: number };

/** Worker -> page. */
export type RpcReply =
  | { rpc: 'event'; id: number; event: unknown }
  | { rpc: 'end'; id: number; result: unknown }
  | { rpc: 'error'; id: number; error: SerializedError };

/** A handler's result with the buffers to transfer rather than copy. */
export class Transferred<T> {
  constructor(
    readonly value: T,
    readonly transfer: Transferable[],
  ) {}
}

export function transferred<T>(value: T, transfer: Transferable[]): Transferred<T> {
  return new Transferred(value, transfer);
}

export interface RpcContext<E> {
  /** Aborted when the page aborts this call. */
  signal: AbortSignal;
  /** Posts one event of this call at once (the host never waits for the page). */
  emit(event: E, transfer?: Transferable[]): void;
}

export type RpcHandlers<P extends RpcProtocol<P>> = {
  [M in keyof P]: (request: Request<P, M>, context: RpcContext<Event<P, M>>) => Result<P, M> | Transferred<Result<P, M>> | Promise<Result<P, M> | Transferred<Result<P, M>>>;
};

export interface ServeOptions {
  /** Anything a handler throws -> the typed error the page gets back (e.g. toAppError). */
  toError(error: unknown): HearthError;
}

/**
 * Serve `handlers` on `port` (the worker side). Each call starts at once, in the order the calls
 * arrive; calls may run side by side (a handler that must not overlap another has to wait for it).
 */
export function serveRpc<P extends RpcProtocol<P>>(port: RpcPort, handlers: RpcHandlers<P>, options: ServeOptions): void {
  const aborts = new Map<number, AbortController>();
  port.addEventListener('message', (message) => {
    const call = message.data as RpcCall;
    if (call?.rpc === 'abort') {
      aborts.get(call.id)?.abort();
      return;
    }
    if (call?.rpc !== 'call') return;
    const { id } = call;
    const controller = new AbortController();
    aborts.set(id, controller);
    const context: RpcContext<unknown> = {
      signal: controller.signal,
      emit: (event, transfer) => port.postMessage({ rpc: 'event', id, event } satisfies RpcReply, transfer),
    };
    new Promise<unknown>((resolve) => {
      const handler = (handlers as Record<string, (request: unknown, context: RpcContext<unknown>) => unknown>)[call.method];
      if (typeof handler !== 'function') throw new Error(`No such method: ${call.method}`);
      // Called right here, not in a later task, so the work starts in the order the calls came.
      resolve(handler(call.request, context));
    })
      .then(
        (result) => {
          if (result instanceof Transferred) port.postMessage({ rpc: 'end', id, result: result.value } satisfies RpcReply, result.transfer);
          else port.postMessage({ rpc: 'end', id, result } satisfies RpcReply);
        },
        (error: unknown) => port.postMessage({ rpc: 'error', id, error: serializeError(options.toError(error)) } satisfies RpcReply),
      )
      .finally(() => aborts.delete(id));
  });
}

export interface RpcCallOptions<E> {
  signal?: AbortSignal;
  /** Each event of the call, in order, before the call settles. */
  onEvent?: (event: E) => void;
  /** Buffers in the request to transfer rather than copy. */
  transfer?: Transferable[];
  /**
   * What an abort during the call does, besides telling the host: 'reject' (the default) settles
   * the call at once with the abort error; 'wait' keeps the call open until the host ends it, so
   * the events the host sends while it stops still arrive (a chat's last usage figures).
   */
  onAbort?: 'reject' | 'wait';
}

export interface RpcClientOptions {
  /** The error for a call aborted before or (with onAbort 'reject') while it runs. */
  abortError(): Error;
}

interface Pending {
  onEvent?: (event: unknown) => void;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** The page's side: calls by id over `port`, with events, abort and typed errors. */
export class RpcClient<P extends RpcProtocol<P>> {
  readonly #port: RpcPort;
  readonly #options: RpcClientOptions;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(port: RpcPort, options: RpcClientOptions) {
    this.#port = port;
    this.#options = options;
    port.addEventListener('message', (message) => {
      const reply = message.data as RpcReply;
      const pending = this.#pending.get(reply?.id);
      if (!pending) return;
      if (reply.rpc === 'event') pending.onEvent?.(reply.event);
      else if (reply.rpc === 'end') pending.resolve(reply.result);
      else if (reply.rpc === 'error') pending.reject(deserializeError(reply.error));
    });
  }

  /** Calls now waiting for their end. */
  get pending(): number {
    return this.#pending.size;
  }

  call<M extends keyof P & string>(method: M, request: Request<P, M>, options: RpcCallOptions<Event<P, M>> = {}): Promise<Result<P, M>> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(this.#options.abortError());
    const id = this.#nextId++;
    return new Promise<Result<P, M>>((resolve, reject) => {
      const onAbort = () => {
        this.#port.postMessage({ rpc: 'abort', id } satisfies RpcCall);
        if (options.onAbort === 'wait') return;
        settle();
        reject(this.#options.abortError());
      };
      const settle = () => {
        this.#pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#pending.set(id, {
        onEvent: options.onEvent as ((event: unknown) => void) | undefined,
        resolve: (result) => {
          settle();
          resolve(result as Result<P, M>);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#port.postMessage({ rpc: 'call', id, method, request } satisfies RpcCall, options.transfer);
    });
  }

  /**
   * The call's events as an async stream that ends when the call ends (the result is the
   * iterator's return value) and throws when it fails.
   */
  async *stream<M extends keyof P & string>(method: M, request: Request<P, M>, options: Omit<RpcCallOptions<Event<P, M>>, 'onEvent'> = {}): AsyncGenerator<Event<P, M>, Result<P, M>> {
    type Item = { event: Event<P, M> } | { end: Result<P, M> } | { error: unknown };
    const queue: Item[] = [];
    let wake: (() => void) | null = null;
    const push = (item: Item) => {
      queue.push(item);
      wake?.();
    };
    this.call(method, request, { ...options, onEvent: (event) => push({ event }) }).then(
      (end) => push({ end }),
      (error: unknown) => push({ error }),
    );
    while (true) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const item = queue.shift()!;
      if ('event' in item) yield item.event;
      else if ('end' in item) return item.end;
      else throw item.error;
    }
  }

  /** Fail every call still waiting (the worker crashed or was stopped: none of them will end). */
  failAll(error: Error): void {
    for (const pending of [...this.#pending.values()]) pending.reject(error);
    this.#pending.clear();
  }
}
