// The one worker RPC over a real MessageChannel (node:worker_threads): events in order, results,
// typed errors back as their own class, abort both ways, transfer lists, a crashed worker.

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, HearthError } from '../../../src/core/errors';
import { ImportFailure, toImportFailure } from '../../../src/core/import/failure';
import { RpcClient, serveRpc, transferred, type RpcMethod, type RpcPort } from '../../../src/core/rpc';

interface TestProtocol {
  count: RpcMethod<{ to: number }, number, string>;
  bytes: RpcMethod<{ size: number }, ArrayBuffer, ArrayBuffer>;
  wait: RpcMethod<void, string, string>;
  fail: RpcMethod<{ kind: 'app' | 'import' | 'plain' }, never, void>;
}

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function connect() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const host = { sent: [] as ArrayBuffer[], signals: [] as AbortSignal[] };
  serveRpc<TestProtocol>(
    port2 as unknown as RpcPort,
    {
      count: ({ to }, { emit }) => {
        for (let i = 1; i <= to; i++) emit(i);
        return `counted to ${to}`;
      },
      bytes: ({ size }, { emit }) => {
        const event = new ArrayBuffer(size);
        const result = new ArrayBuffer(size);
        host.sent.push(event, result);
        emit(event, [event]);
        return transferred(result, [result]);
      },
      wait: (_, { signal, emit }) => {
        host.signals.push(signal);
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            emit('stopping');
            resolve('stopped');
          }),
        );
      },
      fail: async ({ kind }) => {
        if (kind === 'app') throw new AppError('quota', 'No room', { bytes: 12 });
        if (kind === 'import') throw new ImportFailure('bad-zip', 'Broken zip', { file: 'a.zip' });
        throw new Error('plain');
      },
    },
    { toError: (error) => (error instanceof HearthError ? error : toImportFailure(error)) },
  );
  port2.start();
  const client = new RpcClient<TestProtocol>(port1 as unknown as RpcPort, { abortError: () => new AppError('aborted', 'Cancelled') });
  port1.start();
  return { client, host, port1 };
}

describe('core/rpc', () => {
  it('streams a call’s events in order before it ends with the result', async () => {
    const { client } = connect();
    const events: number[] = [];
    await expect(client.call('count', { to: 5 }, { onEvent: (n) => events.push(n) })).resolves.toBe('counted to 5');
    expect(events).toEqual([1, 2, 3, 4, 5]);
    const streamed: number[] = [];
    const stream = client.stream('count', { to: 3 });
    let next = await stream.next();
    while (!next.done) {
      streamed.push(next.value);
      next = await stream.next();
    }
    expect(streamed).toEqual([1, 2, 3]);
    expect(next.value).toBe('counted to 3');
    expect(client.pending).toBe(0);
  });

  it('keeps calls apart by id when several run at once', async () => {
    const { client } = connect();
    const a: number[] = [];
    const b: number[] = [];
    const results = await Promise.all([client.call('count', { to: 2 }, { onEvent: (n) => a.push(n) }), client.call('count', { to: 3 }, { onEvent: (n) => b.push(n) })]);
    expect(results).toEqual(['counted to 2', 'counted to 3']);
    expect([a, b]).toEqual([[1, 2], [1, 2, 3]]);
  });

  it('transfers the buffers a handler names, in events and in the result', async () => {
    const { client, host } = connect();
    let event: ArrayBuffer | undefined;
    const result = await client.call('bytes', { size: 16 }, { onEvent: (buffer) => (event = buffer) });
    expect([event?.byteLength, result.byteLength]).toEqual([16, 16]);
    expect(host.sent.map((buffer) => buffer.byteLength)).toEqual([0, 0]);
  });

  it('brings errors back as their own class, with code, message and details', async () => {
    const { client } = connect();
    const app = await client.call('fail', { kind: 'app' }).catch((e: unknown) => e);
    expect(app).toBeInstanceOf(AppError);
    expect(app).toMatchObject({ name: 'AppError', code: 'quota', message: 'No room', details: { bytes: 12 } });
    const failure = await client.call('fail', { kind: 'import' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ImportFailure);
    expect(failure).toMatchObject({ reason: 'bad-zip', message: 'Broken zip', details: { file: 'a.zip' } });
    // Anything else goes through the host's toError first.
    await expect(client.call('fail', { kind: 'plain' })).rejects.toMatchObject({ name: 'ImportFailure', reason: 'unknown', message: 'plain' });
    await expect(client.call('nope' as 'count', { to: 1 })).rejects.toMatchObject({ message: 'No such method: nope' });
  });

  it('aborts by id: at once by default, or after the host’s last events with onAbort "wait"', async () => {
    const { client, host } = connect();
    const controller = new AbortController();
    const events: string[] = [];
    const rejected = client.call('wait', undefined, { signal: controller.signal, onEvent: (e) => events.push(e) });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await expect(rejected).rejects.toMatchObject({ code: 'aborted' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(host.signals[0].aborted).toBe(true);
    expect(events).toEqual([]); // the call was over before the host's event came

    const waiting = new AbortController();
    const waited = client.call('wait', undefined, { signal: waiting.signal, onEvent: (e) => events.push(e), onAbort: 'wait' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    waiting.abort();
    await expect(waited).resolves.toBe('stopped');
    expect(events).toEqual(['stopping']);

    // Already aborted: nothing is sent.
    await expect(client.call('wait', undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(host.signals).toHaveLength(2);
  });

  it('fails every waiting call when the worker is gone', async () => {
    const { client } = connect();
    const pending = client.call('wait', undefined);
    expect(client.pending).toBe(1);
    client.failAll(new AppError('model-load-failed', 'The engine worker stopped'));
    await expect(pending).rejects.toMatchObject({ code: 'model-load-failed' });
    expect(client.pending).toBe(0);
  });
});
