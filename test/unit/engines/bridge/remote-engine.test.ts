import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/core/errors';
import type { ChatEvent } from '../../../../src/core/engine';
import { serveEngine } from '../../../../src/engines/bridge/engine-host';
import { RemoteEngine } from '../../../../src/engines/bridge/remote-engine';
import { ScriptedEngine } from '../../helpers/scripted-engine';

/** A Worker stand-in: a MessageChannel with the engine host on the far end. */
function fakeWorker(engine: ScriptedEngine): Worker & { crash(message: string): void } {
  const channel = new MessageChannel();
  serveEngine(engine, channel.port2 as unknown as Parameters<typeof serveEngine>[1]);
  channel.port2.start();
  const errorListeners: ((event: ErrorEvent) => void)[] = [];
  const worker = {
    postMessage: (message: unknown) => channel.port1.postMessage(message),
    addEventListener: (type: string, listener: (event: never) => void) => {
      if (type === 'message') channel.port1.addEventListener('message', listener as never);
      else errorListeners.push(listener as never);
      channel.port1.start();
    },
    terminate: () => channel.port1.close(),
    crash: (message: string) => errorListeners.forEach((l) => l({ message, preventDefault() {} } as ErrorEvent)),
  };
  return worker as unknown as Worker & { crash(message: string): void };
}

async function collect(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const options = { maxTokens: 10, temperature: 0.7, topP: 0.9 };

describe('an engine in a worker', () => {
  it('loads with progress and streams a reply', async () => {
    const core = new ScriptedEngine();
    const engine = new RemoteEngine('wllama', () => fakeWorker(core));
    const progress: (number | null)[] = [];
    const model = await engine.load({ kind: 'gguf-url', url: 'https://x.invalid/m.gguf' }, (p) => progress.push(p.fraction));
    expect(model.label).toBe('Scripted');
    expect(progress).toEqual([0.5, 1]);
    core.replies.push({ pieces: ['Hel', 'lo'] });
    const events = await collect(engine.chat([{ role: 'user', content: 'Hi' }], options));
    expect(events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text).join('')).toBe('Hello');
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop', usage: { completionTokens: 2 } });
  });

  it('ends exactly where Stop was pressed, even if the worker wrote more meanwhile', async () => {
    const core = new ScriptedEngine();
    const engine = new RemoteEngine('wllama', () => fakeWorker(core));
    await engine.load({ kind: 'gguf-url', url: 'https://x.invalid/m.gguf' }, () => {});
    core.replies.push({ pieces: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const controller = new AbortController();
    const seen: ChatEvent[] = [];
    for await (const event of engine.chat([{ role: 'user', content: 'Go' }], options, controller.signal)) {
      seen.push(event);
      if (seen.length === 2) controller.abort();
    }
    // Nothing arrives after the Stop, and the usage counts the pieces shown (one letter each).
    expect(seen.filter((e) => e.type === 'delta')).toHaveLength(2);
    const shown = seen.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    expect(seen.at(-1)).toMatchObject({ type: 'done', finishReason: 'abort', usage: { completionTokens: shown.length } });
  });

  it('sends a fast model\'s pieces to the page in batches: fewer messages, all the text in order, every piece counted', async () => {
    const core = new ScriptedEngine();
    const engine = new RemoteEngine('wllama', () => fakeWorker(core));
    await engine.load({ kind: 'gguf-url', url: 'https://x.invalid/m.gguf' }, () => {});
    const pieces = Array.from({ length: 200 }, (_, i) => `${i} `);
    core.replies.push({ pieces });
    const events = await collect(engine.chat([{ role: 'user', content: 'Count' }], options));
    const deltas = events.filter((e) => e.type === 'delta');
    expect(deltas.map((e) => e.text).join('')).toBe(pieces.join(''));
    // The first piece is not held back; the rest, written at once, come in far fewer messages.
    expect(deltas[0]).toEqual({ type: 'delta', text: '0 ' });
    expect(deltas.length).toBeLessThan(pieces.length / 10);
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop', usage: { completionTokens: 200 } });
  });

  it('a failing reply still brings the text written before the failure to the page', async () => {
    const core = new ScriptedEngine();
    const engine = new RemoteEngine('wllama', () => fakeWorker(core));
    await engine.load({ kind: 'gguf-url', url: 'https://x.invalid/m.gguf' }, () => {});
    core.replies.push({ pieces: ['The ', 'lamp ', 'flick'], failWith: new AppError('engine-crashed', 'trap') });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of engine.chat([{ role: 'user', content: 'Go' }], options)) if (event.type === 'delta') seen.push(event.text);
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'engine-crashed' });
    expect(seen.join('')).toBe('The lamp flick');
  });

  it('brings typed errors across, and a crashed worker fails its requests instead of hanging', async () => {
    const core = new ScriptedEngine();
    core.load = async () => { throw new AppError('not-gguf', 'Not a GGUF', { file: 'cat.png' }); };
    let worker!: ReturnType<typeof fakeWorker>;
    const engine = new RemoteEngine('wllama', () => (worker = fakeWorker(core)));
    const refused = await engine.load({ kind: 'gguf-file', file: new Blob(['x']), name: 'cat.png' }, () => {}).catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'not-gguf', details: { file: 'cat.png' } });

    core.load = () => new Promise(() => {}); // never settles, as a wasm crash would leave it
    const pending = engine.load({ kind: 'gguf-url', url: 'https://x.invalid/m.gguf' }, () => {});
    await new Promise((resolve) => setTimeout(resolve, 10));
    worker.crash('out of memory');
    await expect(pending).rejects.toMatchObject({ code: 'model-load-failed' });
  });
});
