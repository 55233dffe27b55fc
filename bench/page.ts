// The benchmark page: the real app, plus hooks the benchmark runner calls to seed data and to time
// wllama on its own in the same page (built only by `vite build --mode bench`).

import '../src/main';
import { Wllama } from '@wllama/wllama/esm/index.js';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import { defaultThreadCount, llamaServerSampling } from '../src/engines/wllama/wllama-core';
import type { GenerateOptions } from '../src/core/engine';
import { createRepositories } from '../src/storage';
import { openDatabase } from '../src/storage/db';
import type { ChatTurn, Conversation, Message, SamplingSettings } from '../src/core/types';

export interface StreamTiming {
  tokens: number;
  /** Time from the first to the last visible piece of text, in ms. */
  spanMs: number;
}

/** User Timing marks around the streamed text, for the CPU figures of a trace (bench/cpu-trace.ts). */
function markStreamWindow(first: number, last: number): void {
  performance.mark('stream:first', { startTime: first });
  performance.mark('stream:last', { startTime: last });
}

async function repositories() {
  return createRepositories(await openDatabase());
}

const hooks = {
  async configure(sampling: SamplingSettings): Promise<void> {
    await (await repositories()).settings.set('sampling', sampling);
  },

  /** Writes a conversation of `count` messages (alternating, as a chain) and returns its id and last text. */
  async seedConversation(characterId: string, count: number): Promise<{ id: string; lastText: string }> {
    const repos = await repositories();
    const id = crypto.randomUUID();
    const start = Date.now() - count * 1000;
    const messages: Message[] = [];
    let parentId: string | null = null;
    for (let i = 0; i < count; i++) {
      const role = i % 2 === 0 ? 'assistant' : 'user';
      const content = role === 'user'
        ? `Message ${i}: tell me more about the lighthouse, and the *storm* last night.`
        : `*She sets down the lamp.* "Message ${i}. The storm took the north shutter again; we'll mend it at dawn." **Mind the stairs.**`;
      const message: Message = {
        id: crypto.randomUUID(), conversationId: id, parentId, role, content, revisions: [], status: 'done',
        createdAt: start + i * 1000, updatedAt: start + i * 1000,
      };
      messages.push(message);
      parentId = message.id;
    }
    const conversation: Conversation = {
      id, characterId, title: `Benchmark ${count}`, leafId: parentId, createdAt: start, updatedAt: Date.now(), messageCount: count,
    };
    await repos.conversations.create(conversation, messages);
    return { id, lastText: messages.at(-1)!.content };
  },

  /** The prompt and usage of the newest assistant message in a conversation. */
  async lastReply(conversationId: string): Promise<{ prompt: ChatTurn[]; sampling: GenerateOptions; completionTokens: number; status: string; engineRate?: number }> {
    const messages = await (await repositories()).conversations.messages(conversationId);
    const reply = messages.filter((m) => m.role === 'assistant' && m.prompt).at(-1);
    if (!reply?.prompt || !reply.usage || !reply.sampling) throw new Error(`No finished reply (status ${reply?.status}, ${reply?.errorCode ?? 'no error'})`);
    // What the app sent: the settings for the engine it had (GenerateOptions, stored as an override).
    return { prompt: reply.prompt.messages, sampling: reply.sampling as GenerateOptions, completionTokens: reply.usage.completionTokens, status: reply.status, engineRate: reply.usage.tokensPerSecond };
  },

  /**
   * Streams with wllama directly (no app code in the loop) and times it the same way as the UI: the
   * app's load settings and the very request the app sent (`options`, as stored with its reply), so
   * that the two differ only by the app around the engine.
   */
  async rawWllama(modelUrl: string, messages: ChatTurn[], options: GenerateOptions): Promise<StreamTiming> {
    const wllama = new Wllama({ default: wasmUrl }, { suppressNativeLog: true, logger: { ...console, debug: () => {}, log: () => {} } });
    const blob = await (await fetch(modelUrl)).blob();
    await wllama.loadModel([blob], { n_ctx: 4096, n_threads: defaultThreadCount(navigator.hardwareConcurrency, crossOriginIsolated), n_gpu_layers: 0, n_parallel: 1 });
    // The first generation of a fresh instance compiles and warms up; the app's engine is warm too.
    for await (const chunk of await wllama.createChatCompletion({ messages: [{ role: 'user', content: 'Hi' }], stream: true, max_tokens: 16 })) void chunk;
    const stream = await wllama.createChatCompletion({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
      return_progress: true,
      ...llamaServerSampling(options),
    } as Parameters<typeof wllama.createChatCompletion>[0] & { stream: true });
    let first = 0;
    let last = 0;
    let tokens = 0;
    for await (const chunk of stream) {
      if (!chunk.choices[0]?.delta?.content) continue;
      last = performance.now();
      if (tokens === 0) first = last;
      tokens += 1;
    }
    markStreamWindow(first, last);
    await wllama.exit();
    return { tokens, spanMs: last - first };
  },

  /** Starts timing the streaming reply as the person sees it: each change of its rendered text. */
  watchStreaming(): void {
    const seen = { first: 0, last: 0, text: '' };
    const w = window as unknown as { __seen: typeof seen; __observer?: MutationObserver };
    w.__seen = seen;
    w.__observer?.disconnect();
    w.__observer = new MutationObserver(() => {
      const live = document.querySelector('article[data-status="streaming"] .content');
      const text = live?.textContent ?? '';
      if (!live || text === seen.text) return;
      seen.text = text;
      seen.last = performance.now();
      if (!seen.first) seen.first = seen.last;
    });
    w.__observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  },

  streamingSpan(): number {
    const seen = (window as unknown as { __seen: { first: number; last: number } }).__seen;
    markStreamWindow(seen.first, seen.last);
    return seen.last - seen.first;
  },

  /**
   * Grows a paragraph styled as a streaming reply's open one (Markup's own scoped classes, in the
   * newest message) by `piece`, `updates` times, laying the chat out after each, as a stream does;
   * the marks bound it for a trace. Returns the final length.
   */
  growOpenParagraph(piece: string, updates: number): number {
    const markup = [...document.querySelectorAll('article.message .markup')].at(-1) as HTMLElement;
    const list = document.querySelector('.list') as HTMLElement;
    const scoped = [...markup.classList].filter((c) => c.startsWith('svelte-'));
    const paragraph = document.createElement('p');
    paragraph.classList.add('open', ...scoped);
    markup.append(paragraph);
    let text = '';
    const first = performance.now();
    for (let i = 0; i < updates; i++) {
      text += piece;
      paragraph.textContent = text;
      void list.scrollHeight;
    }
    markStreamWindow(first, performance.now());
    paragraph.remove();
    return text.length;
  },

  /** Navigates to a conversation and resolves when its newest message is on screen (next frame). */
  async timeOpen(conversationId: string, lastText: string): Promise<number> {
    const started = performance.now();
    location.hash = `#/chat/${encodeURIComponent(conversationId)}`;
    await new Promise<void>((resolve) => {
      const check = () => {
        const articles = document.querySelectorAll('article.message .content');
        if (articles.length && articles[articles.length - 1].textContent?.includes(lastText.slice(0, 20))) resolve();
        else requestAnimationFrame(check);
      };
      check();
    });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    return performance.now() - started;
  },
};

(window as unknown as { __bench: typeof hooks }).__bench = hooks;
export type BenchHooks = typeof hooks;
