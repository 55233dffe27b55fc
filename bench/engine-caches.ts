// Engines simulated by their KV-cache rules (research/webllm-engine.md §1), for the benchmarks that
// count the tokens a turn must prefill:
// - web-llm: the KV cache is reused only when the new prompt's messages[:-1] equal the previous
//   prompt's messages plus the reply; then only the last message is prefilled, else all of it.
// - llama.cpp (wllama): the longest common prefix of the rendered prompt (ChatML here) with what is
//   in the cache (previous prompt + reply) is reused; the rest is prefilled. Tokens are estimated
//   on the characters after the common prefix.

import { estimatePromptTokens, estimateTokens } from '../src/core/tokens';
import type { ChatTurn } from '../src/core/types';

export interface EngineCache {
  /** Tokens the engine prefills for `messages`, given what its cache holds. */
  prefill(messages: readonly ChatTurn[]): number;
  /** The cache after the reply to `messages`. */
  finish(messages: readonly ChatTurn[], reply: string): void;
}

function renderChatML(messages: readonly ChatTurn[]): string {
  return messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
}

const sameMessages = (a: readonly ChatTurn[], b: readonly ChatTurn[]) =>
  a.length === b.length && a.every((m, i) => m.role === b[i].role && m.content === b[i].content);

export class WebLLMCache implements EngineCache {
  #conversation: ChatTurn[] | null = null;
  prefill(messages: readonly ChatTurn[]): number {
    const hit = this.#conversation !== null && sameMessages(messages.slice(0, -1), this.#conversation);
    return hit ? estimatePromptTokens(messages.slice(-1)) : estimatePromptTokens(messages);
  }
  finish(messages: readonly ChatTurn[], reply: string): void {
    this.#conversation = [...messages, { role: 'assistant', content: reply }];
  }
}

export class LlamaCppCache implements EngineCache {
  #cached = '';
  prefill(messages: readonly ChatTurn[]): number {
    const text = renderChatML(messages);
    let common = 0;
    const max = Math.min(text.length, this.#cached.length);
    while (common < max && text.charCodeAt(common) === this.#cached.charCodeAt(common)) common++;
    return Math.max(1, estimateTokens(text) - estimateTokens(text.slice(0, common)));
  }
  finish(messages: readonly ChatTurn[], reply: string): void {
    this.#cached = renderChatML(messages) + reply + '<|im_end|>\n';
  }
}
