// The CPU engine as the page sees it: wllama runs in its own worker (workers/wllama.worker.ts).
// wllama asks its wasm thread for every token; from a worker, those round trips never wait behind
// the page's rendering, so the reply streams as fast as the model writes it.

import { RemoteEngine } from '../bridge/remote-engine';

export class WllamaEngine extends RemoteEngine {
  constructor() {
    super('wllama', () => new Worker(new URL('../../workers/wllama.worker.ts', import.meta.url), { type: 'module', name: 'wllama' }));
  }
}
