// A second tab starting while the first writes a reply leaves that reply alone (it is alive, its
// lock is held); a reply whose tab is gone is still recovered as interrupted.
import { describe, expect, it } from 'vitest';
import { replyLocks, type ReplyLockManager, type ReplyLocks } from '../../../src/platform/reply-locks';
import { createRepositories } from '../../../src/storage';
import { openDatabase } from '../../../src/storage/db';
import { appWithRepos } from '../helpers/test-app';
import { ScriptedEngine } from '../helpers/scripted-engine';
import { makeCharacter } from '../storage/helpers';

/** navigator.locks as every tab of one browser shares it. */
class SharedLocks implements ReplyLockManager {
  readonly held = new Set<string>();
  async request(name: string, callback: () => Promise<void>): Promise<void> {
    this.held.add(name);
    try {
      await callback();
    } finally {
      this.held.delete(name);
    }
  }
  async query() {
    return { held: [...this.held].map((name) => ({ name })) };
  }
}

const noGpu = async () => ({ webgpu: false, reason: 'test', shaderF16: false, maxBufferSize: 0, maxStorageBufferBindingSize: 0, vendor: '', architecture: '' });

async function tab(databaseName: string, locks: ReplyLocks, engine = new ScriptedEngine()) {
  const app = appWithRepos({
    openRepositories: async () => createRepositories(await openDatabase(databaseName)),
    loadBuiltinPacks: async () => [],
    engines: { createEngine: async () => engine, probeGpu: noGpu },
    replyLocks: locks,
  });
  app.locale.lang = 'en';
  await app.start();
  return { app, engine };
}

describe('replies being written in another tab', () => {
  it('a tab that starts meanwhile does not mark them interrupted; one whose tab is gone is', async () => {
    const name = `locks-${crypto.randomUUID()}`;
    const locks = new SharedLocks();
    const first = await tab(name, replyLocks(locks));
    await first.app.characterShelf.create(makeCharacter({ id: 'wren', name: 'Wren', firstMessage: 'Hello.', alternateGreetings: [] }));
    await first.app.models.load({ kind: 'webllm', modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' });
    const session = (await first.app.openChat(await first.app.newConversation('wren')))!;
    let release = () => {};
    let pieces = 0;
    const held = new Promise<void>((resolve) => (release = resolve));
    first.engine.replies = [{ pieces: ['Once', ' upon a time'], gate: () => (pieces++ === 1 ? held : Promise.resolve()) }];
    const sending = session.send('A story?');
    await until(() => session.streaming !== null && locks.held.size === 1);
    const replyId = session.streaming!.id;

    // A second tab opens while the reply streams.
    const second = await tab(name, replyLocks(locks));
    expect((await second.app.repos.conversations.getMessage(replyId))?.status).toBe('streaming');

    release();
    await sending;
    expect(locks.held.size).toBe(0);
    expect((await second.app.repos.conversations.getMessage(replyId))?.status).toBe('done');

    // A reply left 'streaming' by a tab that is gone (no lock) is recovered at the next start.
    await second.app.repos.conversations.updateMessage(replyId, { status: 'streaming' });
    const third = await tab(name, replyLocks(locks));
    expect((await third.app.repos.conversations.getMessage(replyId))?.status).toBe('interrupted');
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(check()).toBe(true);
}
