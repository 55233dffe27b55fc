// Component tests' fixture: a real AppState over fake-indexeddb with a scripted engine, one
// character, one chat opened as a session; and render() of a component inside that app.

import { render } from '@testing-library/svelte';
import type { Component } from 'svelte';
import type { ChatEngine } from '../../../src/core/engine';
import type { ChatSession } from '../../../src/state/chat-session.svelte';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { appWithRepos, savedChat, type TestApp } from '../helpers/test-app';
import { makeCharacter } from '../storage/helpers';
import Harness from './Harness.svelte';

const noGpu = async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' });

export interface ChatFixture<Engine extends ChatEngine = ScriptedEngine> {
  app: TestApp;
  engine: Engine;
  session: ChatSession;
}

/**
 * An app with the character Wren ("Hello, traveller." as greeting) and an open chat with her, on
 * a scripted engine or the one given (a web-llm engine with fake workers).
 */
export async function chatFixture<Engine extends ChatEngine = ScriptedEngine>(
  { loadModel = true, engine: given }: { loadModel?: boolean; engine?: Engine } = {},
): Promise<ChatFixture<Engine>> {
  const engine = given ?? (new ScriptedEngine() as ChatEngine as Engine);
  const app = appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(`ui-${crypto.randomUUID()}`)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => engine, probeGpu: noGpu },
  });
  app.locale.lang = 'en';
  await app.start();
  await app.characterShelf.create(makeCharacter({ id: 'wren', name: 'Wren', firstMessage: 'Hello, traveller.', alternateGreetings: [] }));
  if (loadModel) await app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
  // A saved chat (a new one is only saved on its first message; that is tested in state/app.test.ts).
  const session = (await app.openChat(await savedChat(app, 'wren')))!;
  return { app, engine, session };
}

export function renderInApp<Props extends Record<string, unknown>>(app: TestApp, component: Component<Props>, props: Props) {
  return render(Harness, { props: { app, component: component as Component<Record<string, unknown>>, props } });
}

/** Waits until `check` passes (the scripted engine streams on timers and animation frames). */
export async function until(check: () => boolean, what = 'the condition'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
