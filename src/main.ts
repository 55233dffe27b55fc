// Composition root: builds storage, engines and state once, then mounts the app.

import { mount } from 'svelte';
import App from './ui/App.svelte';
import { AppState } from './state/app.svelte';
import { loadBuiltinPacks } from './state/builtin-packs';
import { registerServiceWorker } from './platform/pwa-registration';
import { browserSnapshotFiles } from './platform/opfs-snapshot-files';
import { replyLocks } from './platform/reply-locks';
import { browserSpeech } from './platform/speech';
import { openDatabase } from './storage/db';
import { createRepositories } from './storage';
import { browserModelLock, browserModelStore } from './engines/model-store';
import { createEmbeddingService } from './engines/embedding/embedding-client';
import type { ChatEngine } from './core/engine';
import type { EngineKind } from './core/types';
import './ui/theme.css';

// Engines load on demand: they are large and most visits use only one of them.
async function createEngine(kind: EngineKind): Promise<ChatEngine> {
  if (kind === 'webllm') {
    const { WebLlmEngine } = await import('./engines/webllm/webllm-engine');
    return new WebLlmEngine();
  }
  if (kind === 'server') {
    const { ServerEngine } = await import('./engines/server/server-engine');
    return new ServerEngine();
  }
  const { WllamaEngine } = await import('./engines/wllama/wllama-engine');
  return new WllamaEngine();
}

const app = new AppState({
  openRepositories: async (hooks) => createRepositories(await openDatabase('hearth', hooks)),
  loadBuiltinPacks,
  engines: {
    createEngine,
    probeGpu: async () => (await import('./engines/gpu-probe')).probeGpu(),
    lock: browserModelLock(),
    // Exact token counts: web-llm's cached tokenizer.json, or the GGUF's own vocabulary and chat
    // template; loaded on demand, off the main bundle.
    loadTokenizer: async (model, source) => {
      if (source.kind === 'webllm') {
        const count = await (await import('./engines/webllm/model-tokenizer')).loadModelTokenizer(model, source);
        return count ? { count } : null;
      }
      return (await import('./engines/wllama/gguf-token-counter')).loadGgufTokenCounter(source);
    },
  },
  modelStore: browserModelStore(),
  // The embedding worker starts on first use (a model download, or a chat with a prepared model).
  embeddingService: createEmbeddingService(),
  snapshotFiles: browserSnapshotFiles(),
  replyLocks: replyLocks(),
  speech: browserSpeech(),
});

const started = app.start();
mount(App, { target: document.getElementById('app')!, props: { app } });
// After the first screen: the service worker's precaching (about 1 MB) then does not compete with
// the page's own files for the network, and a first visit shows its characters sooner.
void started.finally(() => registerServiceWorker(app.updates));
