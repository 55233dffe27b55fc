// One open chat's long-term memory (core/memory): its pins and summaries (live from storage), what
// goes into the next prompt, and the rolling summary the loaded model writes while the chat is idle.
//
// The summary pass runs only between replies: the session pauses it before it builds a prompt (the
// pass is aborted and its partial text dropped, so a reply never waits on it) and calls idle() once
// the reply is saved, which starts the pass again when one is due. Embeddings of the chat's messages
// (for recall by meaning) are made at the same idle time; a send embeds only its own message.

import type { TextEmbedder } from '../core/embedding';
import { toAppError, type AppError } from '../core/errors';
import { recallCandidates } from '../core/memory/recall';
import { cleanSummary, pathHash, summaryDue, summaryForBranch, summaryRequest, type BranchSummary } from '../core/memory/summary';
import { characterDisplayName, defaultUserName } from '../core/macro-names';
import { VectorMatrix } from '../core/retrieval';
import { estimatePromptTokens } from '../core/tokens';
import type { MemoryInput } from '../core/role-prompt';
import type { Character, ChatTurn, Conversation, MemoryRecord, Message, SentPrompt } from '../core/types';
import type { ConversationRepository } from '../storage/conversations';
import type { MemoryRepository } from '../storage/memories';
import type { ReadyEngine } from './model-loader.svelte';

/** Reply length of a summary pass: room for SUMMARY_WORDS and a little more. */
const SUMMARY_TOKENS = 320;
/** Messages embedded per idle turn, at most (the rest follow on later idle turns). */
const EMBED_BATCH = 32;

export interface ChatMemoryDeps {
  memories: MemoryRepository;
  conversations: ConversationRepository;
  character: Character;
  persona: () => { name: string };
  engine: () => ReadyEngine | null;
  /** The embedder for the character's language, when one is ready (recall by meaning). */
  embedder?: () => TextEmbedder | null;
  now?: () => number;
  newId?: () => string;
}

export class ChatMemory {
  records = $state.raw<MemoryRecord[]>([]);
  /** A summary pass is running. */
  writing = $state(false);
  error = $state.raw<AppError | null>(null);
  readonly pins = $derived(this.records.filter((r) => r.kind === 'pin'));

  readonly conversationId: string;
  #deps: ChatMemoryDeps;
  #following: { unsubscribe(): void } | null = null;
  #pass: { abort: AbortController; done: Promise<void> } | null = null;
  /** Message vectors by message id, for the embedder's model. */
  #vectors = new Map<string, Float32Array>();
  #vectorModel = '';

  constructor(deps: ChatMemoryDeps, conversationId: string) {
    this.#deps = deps;
    this.conversationId = conversationId;
  }

  get #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  /** Follow this chat's memories (this tab's writes and other tabs') until dispose(). */
  watch(): void {
    this.#following?.unsubscribe();
    this.#following = this.#deps.memories.watch(this.conversationId).subscribe((records) => (this.records = records));
  }

  dispose(): void {
    this.#following?.unsubscribe();
    this.#following = null;
    this.#pass?.abort.abort();
  }

  async reload(): Promise<void> {
    this.records = await this.#deps.memories.list(this.conversationId);
  }

  /** The summary that belongs to this branch, if any. */
  summaryFor(branch: readonly Message[]): BranchSummary | undefined {
    return summaryForBranch(this.records, branch.map((m) => m.id));
  }

  /** What the next prompt gets: summary, pins, recall candidates and the chat's author's note. */
  async forPrompt(conversation: Conversation | undefined, branch: readonly Message[], history: readonly ChatTurn[], historyIds: readonly string[]): Promise<MemoryInput> {
    const summary = this.summaryFor(branch);
    const embedder = this.#deps.embedder?.() ?? null;
    const vectors = embedder ? await this.#queryVectors(embedder, history, historyIds).catch(() => null) : null;
    return {
      ...(summary ? { summary: { id: summary.record.id, text: summary.record.text, covers: summary.covers } } : {}),
      pins: this.pins.map((p) => ({ id: p.id, text: p.text })),
      recall: recallCandidates(history, historyIds, vectors ?? {}),
      ...(conversation?.authorsNote?.text.trim() ? { authorsNote: conversation.authorsNote } : {}),
    };
  }

  /** Cached message vectors and the new message's, when the embedder's model is the cached one. */
  async #queryVectors(embedder: TextEmbedder, history: readonly ChatTurn[], ids: readonly string[]): Promise<{ vectors: VectorMatrix; queryVector: Float32Array } | null> {
    if (embedder.modelId !== this.#vectorModel || this.#vectors.size === 0) return null;
    const [queryVector] = await embedder.embed([history.at(-1)?.content ?? '']);
    const vectors = new VectorMatrix(embedder.dim);
    for (const id of ids) {
      const vector = this.#vectors.get(id);
      if (vector) vectors.set(id, vector);
    }
    return { vectors, queryVector };
  }

  // ---- pins and the summary, edited by the person

  async pinMessage(message: Message): Promise<void> {
    if (this.pins.some((p) => p.messageId === message.id)) return;
    await this.#put({ kind: 'pin', text: message.content.trim(), messageId: message.id });
  }

  async addPin(text: string): Promise<void> {
    if (text.trim()) await this.#put({ kind: 'pin', text: text.trim() });
  }

  async editPin(id: string, text: string): Promise<void> {
    const pin = this.records.find((r) => r.id === id);
    if (!pin) return;
    if (!text.trim()) return this.remove(id);
    await this.#deps.memories.put({ ...pin, text: text.trim(), updatedAt: this.#now });
  }

  async remove(id: string): Promise<void> {
    await this.#deps.memories.remove(id);
    this.records = this.records.filter((r) => r.id !== id);
  }

  /** The person's own wording of the branch's summary (it keeps covering what it covered). */
  async editSummary(branch: readonly Message[], text: string): Promise<void> {
    const summary = this.summaryFor(branch);
    if (!summary) return;
    await this.#deps.memories.put({ ...summary.record, text: text.trim(), updatedAt: this.#now });
  }

  /** The chat's author's note and scenario (empty text removes them). */
  async saveSettings(note: { text: string; depth: number }, scenario: string): Promise<void> {
    const depth = Math.max(0, Math.min(100, Math.floor(note.depth) || 0));
    await this.#deps.conversations.updateSettings(this.conversationId, {
      authorsNote: note.text.trim() ? { text: note.text.trim(), depth } : undefined,
      scenario: scenario.trim() ? scenario.trim() : undefined,
    });
  }

  async #put(fields: Pick<MemoryRecord, 'kind' | 'text'> & Partial<MemoryRecord>): Promise<MemoryRecord> {
    const now = this.#now;
    const record: MemoryRecord = { id: (this.#deps.newId ?? (() => crypto.randomUUID()))(), conversationId: this.conversationId, createdAt: now, updatedAt: now, ...fields };
    await this.#deps.memories.put(record);
    this.records = [...this.records.filter((r) => r.id !== record.id), record];
    return record;
  }

  // ---- the rolling summary, written by the loaded model between replies

  /** Stops a running pass (its text is dropped) and waits until the engine is free for the reply. */
  async pause(): Promise<void> {
    const pass = this.#pass;
    if (!pass) return;
    pass.abort.abort();
    await pass.done;
  }

  /**
   * The chat is idle after `prompt` was answered on `branch`: writes the summary when enough
   * messages fell out of the prompt, and embeds messages for recall. Resolves when done or paused.
   */
  idle(branch: readonly Message[], prompt: SentPrompt | undefined): Promise<void> {
    const due = summaryDue(outOfPrompt(branch, prompt), this.summaryFor(branch)?.covers ?? 0);
    return this.#start(async (signal) => {
      if (due) await this.#summarise(branch, due, signal, false);
      await this.#embedMessages(branch, signal);
    });
  }

  /** Writes the branch's summary again from what fell out of `prompt` (the panel's Regenerate). */
  regenerate(branch: readonly Message[], prompt: SentPrompt | undefined): Promise<void> {
    const to = Math.max(outOfPrompt(branch, prompt), this.summaryFor(branch)?.covers ?? 0);
    if (to === 0) return Promise.resolve();
    return this.#start((signal) => this.#summarise(branch, summaryDue(to, 0) ?? { from: 0, to }, signal, true));
  }

  #start(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.#pass) return this.#pass.done;
    const abort = new AbortController();
    this.writing = true;
    const done = work(abort.signal)
      .catch((error) => {
        if (!abort.signal.aborted) this.error = toAppError(error);
      })
      .finally(() => {
        this.#pass = null;
        this.writing = false;
      });
    this.#pass = { abort, done };
    return done;
  }

  async #summarise(branch: readonly Message[], range: { from: number; to: number }, signal: AbortSignal, fromScratch: boolean): Promise<void> {
    const ready = this.#deps.engine();
    if (!ready) return;
    const character = this.#deps.character;
    const lang = character.language === 'zh' ? 'zh' : 'en';
    const names = { char: characterDisplayName(character), user: this.#deps.persona().name.trim() || defaultUserName(lang) };
    const previous = fromScratch ? undefined : this.summaryFor(branch)?.record.text;
    // The request and the summary must fit the model's window: a pass reads fewer new messages
    // when they do not (the next idle turn goes on from where it stopped).
    const measure = ready.countPrompt ?? ((messages: readonly ChatTurn[]) => Math.ceil(estimatePromptTokens(messages) * ready.estimator.ratio));
    const requestFor = (to: number) => summaryRequest(lang, names, previous, branch.slice(range.from, to).map((m) => ({ role: m.role, content: m.content, speaker: m.speakerName })));
    let to = range.to;
    while (to > range.from + 1 && measure(requestFor(to)) + SUMMARY_TOKENS > ready.contextWindow) to--;
    range = { from: range.from, to };
    let text = '';
    let aborted = false;
    for await (const event of ready.engine.chat(requestFor(to), { maxTokens: SUMMARY_TOKENS, temperature: 0.3, topP: 0.9, repetitionPenalty: 1.1 }, signal)) {
      if (event.type === 'delta') text += event.text;
      else aborted = event.finishReason === 'abort';
    }
    const summary = cleanSummary(lang, text);
    if (aborted || signal.aborted || !summary) return;
    const ids = branch.map((m) => m.id);
    await this.#put({ kind: 'summary', text: summary, coversId: ids[range.to - 1], coversHash: pathHash(ids.slice(0, range.to)), coversCount: range.to });
    this.error = null;
  }

  async #embedMessages(branch: readonly Message[], signal: AbortSignal): Promise<void> {
    const embedder = this.#deps.embedder?.() ?? null;
    if (!embedder) return;
    if (embedder.modelId !== this.#vectorModel) {
      this.#vectors.clear();
      this.#vectorModel = embedder.modelId;
    }
    const missing = branch.filter((m) => m.role !== 'system' && m.content.trim() && !this.#vectors.has(m.id)).slice(-EMBED_BATCH);
    if (missing.length === 0 || signal.aborted) return;
    const vectors = await embedder.embed(missing.map((m) => m.content), signal);
    missing.forEach((m, i) => this.#vectors.set(m.id, vectors[i]));
  }
}

/**
 * How many of the branch's first messages the prompt no longer holds: its dropped history turns,
 * counted over the messages with text (as the prompt builder counts them).
 */
export function outOfPrompt(branch: readonly Message[], prompt: SentPrompt | undefined): number {
  const dropped = prompt?.droppedMessages ?? 0;
  let seen = 0;
  for (let i = 0; i < branch.length; i++) {
    if (seen === dropped) return i;
    if (branch[i].content.trim() !== '') seen++;
  }
  return seen === dropped ? branch.length : 0;
}
