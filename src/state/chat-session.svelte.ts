// One open conversation: its message tree, the visible branch, and sending, streaming, stopping,
// regenerating, continuing, swiping, editing and deleting messages — every change saved as it
// happens — and Impersonate (the person's next line drafted by the model, saved nowhere).
// Prompts are role prompts (core/role-prompt/) built in chat-prompt.ts; each reply keeps its own.
// In a group chat (deps.cast) each reply is a member's, with that member's own role prompt
// (group-cast.ts): who answers is the group's mode, a manual pick, or a Let them talk run.

import { AppError, toAppError } from '../core/errors';
import { MessageTree } from '../core/message-tree';
import { cleanImpersonation, impersonationRequest } from '../core/impersonate';
import { resolveSampling, toGenerateOptions } from '../core/sampling';
import { estimatePromptTokens } from '../core/tokens';
import type { Character, Conversation, Message, Rating, SamplingOverride, SamplingSettings, SentPrompt, StoredLorebook } from '../core/types';
import type { ConversationRepository } from '../storage/conversations';
import type { RetrievalResult } from './character-retrieval';
import type { MemoryInput } from '../core/role-prompt';
import type { ChatMemory } from './chat-memory.svelte';
import { findScenes, fitChatPrompt, historyIdsOf, historyOf, previousPrompt, steadyCount, type SceneFinder } from './chat-prompt';
import { createThrottle } from '../platform/throttle';
import type { ReadyEngine } from './model-loader.svelte';
import type { ChatPersona } from './persona.svelte';
import { lastSpeakerOf, nextSpeaker, speakerView, type GroupCast, type SpeakerView } from './group-cast';

export type { ChatPersona, ReadyEngine };

/**
 * Streamed text is saved and then shown at most this often: 20 updates a second reads as smooth,
 * and each update not drawn is CPU time left to a model running on the same cores.
 */
const STREAM_UPDATE_MS = 50;
/** Tries at fitting a prompt the engine rejected as too long (each learns the real size). */
const MAX_PROMPT_ATTEMPTS = 3;

export interface ChatSessionDeps {
  conversations: ConversationRepository;
  character: Character;
  /** The persona a chat is written as: its own choice (`personaId`), else the character's or the default. */
  persona: (personaId: string | undefined) => ChatPersona;
  sampling: () => SamplingSettings;
  /** The engine to use now, or null when no model is ready. */
  engine: () => ReadyEngine | null;
  onEngineLost: (error: AppError) => void;
  /** The character's scenes for a new message (none when absent). */
  scenes?: SceneFinder;
  /** The enabled standalone lorebooks for a character (global and attached): this one, or a group member. */
  lorebooks?: (characterId: string) => Promise<StoredLorebook[]>;
  /** In a group chat: the group's settings and members as they are now (edits show at once). */
  cast?: () => GroupCast | null;
  /** Random numbers for natural order (tests pass a seeded one). */
  random?: () => number;
  /** A reply's text each time more of it shows, and once more when it ends (`done`), e.g. to read it aloud. */
  replyText?: (id: string, text: string, done: boolean) => void;
  /** Marks a reply as being written (so another tab starting up does not call it interrupted); returns the release. */
  holdReply?: (id: string) => () => void;
  /** The chat's long-term memory: read for each prompt, paused while a reply is written, resumed after. */
  memory?: ChatMemory;
  now?: () => number;
  newId?: () => string;
}

export interface StreamingReply {
  id: string;
  text: string;
}

export class ChatSession {
  conversation = $state.raw<Conversation>();
  messages = $state.raw<Message[]>([]);
  leafId = $state<string | null>(null);
  streaming = $state.raw<StreamingReply | null>(null);
  error = $state.raw<AppError | null>(null);

  readonly tree = $derived(new MessageTree(this.messages));
  readonly path = $derived(this.tree.path(this.leafId));
  /** Finding scenes and building the prompt, before the reply starts to stream. */
  preparing = $state(false);
  /** The person's next line being drafted (Impersonate); the text grows here until it is done. */
  impersonating = $state.raw<{ text: string } | null>(null);
  /** Let them talk: replies still to write without the person (stop() ends the run). */
  talkingLeft = $state(0);
  readonly busy = $derived(this.streaming !== null || this.preparing || this.impersonating !== null || this.talkingLeft > 0);

  readonly character: Character;
  #deps: ChatSessionDeps;
  #abort: AbortController | null = null;
  #watching = false;
  #following: { unsubscribe(): void } | null = null;
  /** A new chat not in storage yet: the first message or change saves it (see #saveIfNew). */
  #unsaved = false;

  constructor(deps: ChatSessionDeps, conversation: Conversation, messages: Message[]) {
    this.#deps = deps;
    this.character = deps.character;
    this.#show(conversation, messages);
  }

  /** A session over a chat not saved yet (its greetings only): nothing is stored until the person acts. */
  static unsaved(deps: ChatSessionDeps, conversation: Conversation, messages: Message[]): ChatSession {
    const session = new ChatSession(deps, conversation, messages);
    session.#unsaved = true;
    return session;
  }

  /** Saves a new chat, with its greetings, before its first write. */
  async #saveIfNew(): Promise<void> {
    if (!this.#unsaved) return;
    await this.#deps.conversations.create({ ...this.conversation!, leafId: this.leafId }, this.messages);
    this.#unsaved = false;
  }

  #show(conversation: Conversation, messages: Message[]): void {
    this.conversation = conversation;
    this.messages = messages;
    this.leafId = conversation.leafId && messages.some((m) => m.id === conversation.leafId)
      ? conversation.leafId
      : new MessageTree(messages).defaultLeaf();
  }

  /** The chat's long-term memory (absent in sessions built without one). */
  get memory(): ChatMemory | undefined {
    return this.#deps.memory;
  }

  /** Follow writes to this conversation (and its memory) from elsewhere (another tab's messages, edits, swipes) until dispose(). */
  watch(): void {
    this.#watching = true;
    this.#follow();
    this.#deps.memory?.watch();
  }

  dispose(): void {
    this.#watching = false;
    this.#unfollow();
    this.#deps.memory?.dispose();
  }

  #follow(): void {
    this.#unfollow();
    this.#following = this.#deps.conversations.watchConversation(this.conversation!.id).subscribe(({ conversation, messages }) => {
      // A reply prepared or written here owns the view until it is saved; following starts again
      // with a fresh read after it. A deleted chat keeps what is on screen.
      if (this.busy || !conversation) return;
      this.#show(conversation, messages);
    });
  }

  #unfollow(): void {
    this.#following?.unsubscribe();
    this.#following = null;
  }

  static async open(deps: ChatSessionDeps, conversationId: string): Promise<ChatSession | null> {
    const conversation = await deps.conversations.get(conversationId);
    if (!conversation) return null;
    const messages = await deps.conversations.messages(conversationId);
    return new ChatSession(deps, conversation, messages);
  }

  /** The persona this chat is written as (see ChatSessionDeps.persona). */
  get persona(): ChatPersona {
    return this.#deps.persona(this.conversation?.personaId);
  }

  get #now(): number {
    return (this.#deps.now ?? Date.now)();
  }

  #id(): string {
    return (this.#deps.newId ?? (() => crypto.randomUUID()))();
  }

  /** Sends the person's message and streams the character's reply. Returns false if nothing was sent. */
  async send(text: string): Promise<boolean> {
    const content = text.trim();
    if (!content || this.busy) return false;
    const ready = this.#deps.engine();
    if (!ready) {
      this.error = new AppError('no-model', 'No model loaded');
      return false;
    }
    const message = this.#newMessage('user', content, this.leafId);
    this.preparing = true; // a second Enter before the reply starts must not send twice
    try {
      await this.#add(message);
    } catch (error) {
      this.preparing = false;
      throw error;
    }
    const cast = this.cast;
    if (!cast) {
      await this.#generate(message.id);
      return true;
    }
    // In a group, the mode picks who answers; in manual mode nobody does until the person picks.
    const speaker = nextSpeaker(cast, this.tree.path(message.id), cast.spec.mode, this.#random);
    if (speaker) await this.#generate(message.id, undefined, speaker);
    else this.preparing = false;
    return true;
  }

  /** The group this chat is with (its settings and members now); null in a one-character chat. */
  get cast(): GroupCast | null {
    return this.#deps.cast?.() ?? null;
  }

  get #random(): () => number {
    return this.#deps.random ?? Math.random;
  }

  /** The group member who wrote a reply, as they are now; undefined outside groups (and for one deleted since). */
  memberOf(message: Pick<Message, 'speakerId'>): Character | undefined {
    return message.speakerId ? this.cast?.members.find((m) => m.id === message.speakerId) : undefined;
  }

  /** The member who wrote the newest reply shown (group chats). */
  get lastSpeakerId(): string | undefined {
    return lastSpeakerOf(this.path);
  }

  /** Makes one member of the group reply now, after the last message shown (the manual pick). */
  async replyAs(memberId: string): Promise<void> {
    if (this.busy || !this.cast || this.leafId === null) return;
    if (!this.#deps.engine()) {
      this.error = new AppError('no-model', 'No model loaded');
      return;
    }
    await this.#generate(this.leafId, undefined, memberId);
  }

  /**
   * Lets the members talk among themselves for `turns` replies, without the person: each speaker
   * chosen as the group's mode says (natural order when the mode is manual). stop() ends the run.
   */
  async letThemTalk(turns: number): Promise<void> {
    const cast = this.cast;
    if (this.busy || !cast || this.leafId === null) return;
    if (!this.#deps.engine()) {
      this.error = new AppError('no-model', 'No model loaded');
      return;
    }
    const mode = cast.spec.mode === 'manual' ? 'natural' : cast.spec.mode;
    // While they talk the chat is busy: the person's send waits for the run to end (or Stop).
    try {
      for (this.talkingLeft = turns; this.talkingLeft > 0 && this.leafId !== null; this.talkingLeft--) {
        const now = this.cast;
        const speaker = now && nextSpeaker(now, this.path, mode, this.#random);
        if (!speaker) break;
        await this.#generate(this.leafId, undefined, speaker);
        const reply = this.path.at(-1);
        if (this.error || reply?.status !== 'done') break;
      }
    } finally {
      this.talkingLeft = 0;
    }
  }

  /** A new version of an assistant reply, kept beside the old ones as a swipe. */
  async regenerate(messageId?: string): Promise<void> {
    if (this.busy) return;
    const last = this.path.at(-1);
    const target = messageId ? this.tree.get(messageId) : last;
    if (!target) return;
    // A reply regenerates under its user message; a user message without a reply gets one.
    const parentId = target.role === 'user' ? target.id : target.parentId;
    if (parentId === null) return; // greetings are swiped, not regenerated
    if (!this.#deps.engine()) {
      this.error = new AppError('no-model', 'No model loaded');
      return;
    }
    const cast = this.cast;
    if (!cast) {
      await this.#generate(parentId);
      return;
    }
    // A member's reply is written again by them; a message left unanswered gets the next speaker.
    const speaker = target.role === 'assistant' ? target.speakerId : nextSpeaker(cast, this.tree.path(parentId), cast.spec.mode === 'manual' ? 'natural' : cast.spec.mode, this.#random);
    if (speaker) await this.#generate(parentId, undefined, speaker);
  }

  /**
   * Writes on from where the last reply stopped (it hit the length limit, or was stopped), in the
   * same message: its text so far becomes a revision, and the new text is added to its end.
   * Only the reply at the end of the visible branch continues, and only on an engine that can.
   */
  async continue(messageId?: string): Promise<void> {
    if (this.busy) return;
    const target = messageId ? this.tree.get(messageId) : this.path.at(-1);
    if (!target || target.role !== 'assistant' || target.id !== this.leafId || target.parentId === null) return;
    const ready = this.#deps.engine();
    if (!ready) {
      this.error = new AppError('no-model', 'No model loaded');
      return;
    }
    if (!ready.engine.capabilities().continueReply) return;
    await this.#generate(target.parentId, target, target.speakerId);
  }

  /**
   * Drafts the person's next line in their persona, for the message box: the text grows in
   * `impersonating` and is returned (trimmed of a leading "Name:"), or null when nothing came
   * (no model, stopped before a word, a failure, shown in `error`). Nothing is saved.
   */
  async impersonate(): Promise<string | null> {
    if (this.busy) return null;
    const ready = this.#deps.engine();
    if (!ready) {
      this.error = new AppError('no-model', 'No model loaded');
      return null;
    }
    const persona = this.persona;
    const abort = new AbortController();
    this.#abort = abort;
    this.impersonating = { text: '' };
    this.error = null;
    let text = '';
    try {
      const shown = this.tree.path(this.leafId);
      // In a group, the draft answers the member who spoke last (or the first one).
      const cast = this.cast;
      const speakerId = cast ? (this.lastSpeakerId ?? cast.members[0]?.id) : undefined;
      const speaker = (speakerId && this.memberOf({ speakerId })) || this.character;
      // The request stands in for the person's new message (a role prompt ends with theirs).
      const request = this.#newMessage('user', impersonationRequest({ user: persona.name, char: speaker.name }, speaker.language), this.leafId);
      const branch = [...shown, request];
      const view = cast && speakerId ? speakerView(cast, speakerId, branch, persona.name) : undefined;
      // The engine is the draft's now: a summary being written stops and resumes afterwards.
      await this.#deps.memory?.pause();
      const [found, lorebooks, memory] = await Promise.all([
        findScenes(this.#deps.scenes, speaker, historyOf(shown)),
        (this.#deps.lorebooks?.(speaker.id) ?? Promise.resolve([])).catch((): StoredLorebook[] => []),
        this.#deps.memory?.forPrompt(this.conversation, shown, historyOf(shown), historyIdsOf(shown)).catch(() => undefined),
      ]);
      const prompt = this.#buildPrompt(this.leafId, ready, found, lorebooks, false, { branch, memory, view });
      const capabilities = ready.engine.capabilities();
      const options = toGenerateOptions(this.sampling, capabilities);
      // Where the engine can, the model writes on from the person's opened turn instead of answering the request.
      for await (const event of ready.engine.chat(prompt.messages, capabilities.personTurn ? { ...options, openPersonTurn: true } : options, abort.signal)) {
        if (event.type === 'delta') {
          text += event.text;
          this.impersonating = { text };
        }
      }
    } catch (error) {
      const appError = toAppError(error, 'generation-failed');
      if (appError.code !== 'aborted') this.error = appError;
      if (appError.code === 'device-lost' || appError.code === 'engine-crashed') this.#deps.onEngineLost(appError);
    } finally {
      if (this.#abort === abort) this.#abort = null;
      this.impersonating = null;
      const shown = this.tree.path(this.leafId);
      void this.#deps.memory?.idle(shown, shown.at(-1)?.prompt);
    }
    return cleanImpersonation(text, persona.name) || null;
  }

  /** The settings replies in this chat use: the person's, then the character's override, then the chat's. */
  get sampling(): SamplingSettings {
    return resolveSampling(this.#deps.sampling(), this.character.sampling, this.conversation?.sampling);
  }

  /** Sets this chat's own sampling override (undefined: use the character's or the person's). */
  async setSampling(override: SamplingOverride | undefined): Promise<void> {
    await this.#saveIfNew();
    const sampling = override && Object.keys(override).length > 0 ? $state.snapshot(override) : undefined;
    await this.#deps.conversations.setSampling(this.conversation!.id, sampling);
    this.conversation = { ...this.conversation!, sampling };
  }

  stop(): void {
    this.talkingLeft = 0;
    this.#abort?.abort();
  }

  /** Show the previous (-1) or next (+1) sibling version of a message. */
  async swipe(messageId: string, direction: -1 | 1): Promise<void> {
    if (this.busy) return;
    const siblings = this.tree.siblings(messageId);
    const index = siblings.findIndex((m) => m.id === messageId);
    const target = siblings[index + direction];
    if (!target) return;
    await this.#setLeaf(this.tree.deepestLeaf(target.id));
  }

  /**
   * Brings a message into the visible branch (a search result on a swipe or branch not shown),
   * following its newest replies down as a swipe does. Nothing changes if it is shown already.
   */
  async reveal(messageId: string): Promise<void> {
    if (this.busy || !this.tree.isVisible(messageId) || this.path.some((m) => m.id === messageId)) return;
    await this.#setLeaf(this.tree.deepestLeaf(messageId));
  }

  /**
   * Replaces a message's text; `from` is its text when the edit began. When another tab changed the
   * message since, nothing is saved (AppError 'message-conflict'), so that change is not undone.
   */
  async edit(messageId: string, text: string, from: string): Promise<void> {
    const message = this.tree.get(messageId);
    if (!message || text === from || (this.streaming?.id === messageId)) return;
    await this.#saveIfNew();
    const edited = await this.#deps.conversations.editMessage(messageId, text, from, this.#now);
    if (edited === 'gone') throw new AppError('chat-gone', `Message ${messageId} was deleted while it was being edited.`);
    if (edited === 'changed') throw new AppError('message-conflict', `Message ${messageId} was changed elsewhere while it was being edited.`);
    this.#replace(edited);
  }

  /** Hides a message (and keeps it, so the deletion can be undone). */
  async remove(messageId: string): Promise<void> {
    const message = this.tree.get(messageId);
    if (!message || this.streaming?.id === messageId) return;
    const deletedAt = this.#now;
    await this.#saveIfNew();
    await this.#deps.conversations.updateMessage(messageId, { deletedAt });
    const onPath = this.path.some((m) => m.id === messageId);
    const wasLeaf = this.leafId === messageId;
    this.#replace({ ...message, deletedAt });
    if (onPath && wasLeaf) {
      const remaining = this.tree.path(message.parentId);
      await this.#setLeaf(remaining.at(-1)?.id ?? this.tree.defaultLeaf());
    }
  }

  async restore(messageId: string, leafId: string | null): Promise<void> {
    const message = this.tree.get(messageId) ?? this.messages.find((m) => m.id === messageId);
    if (!message) return;
    await this.#deps.conversations.updateMessage(messageId, { deletedAt: undefined });
    this.#replace({ ...message, deletedAt: undefined });
    if (leafId) await this.#setLeaf(leafId);
  }

  /**
   * Gives a reply 1–4 stars, or takes them away (null). They belong to this version of the reply:
   * each swipe has its own, kept with the message. Greetings answer nothing and are not rated.
   */
  async rate(messageId: string, rating: Rating | null): Promise<void> {
    const message = this.tree.get(messageId);
    if (!message || message.role !== 'assistant' || message.parentId === null || this.streaming?.id === messageId) return;
    await this.#saveIfNew();
    const stars = rating ?? undefined;
    await this.#deps.conversations.updateMessage(messageId, { rating: stars });
    this.#replace({ ...message, rating: stars });
  }

  /** Writes this chat as another persona from the next message on (the name on the person's messages changes at once). */
  async setPersona(personaId: string): Promise<void> {
    const conversation = this.conversation!;
    if (conversation.personaId === personaId) return;
    if (!this.#unsaved) await this.#deps.conversations.setPersona(conversation.id, personaId);
    this.conversation = { ...conversation, personaId };
  }

  dismissError(): void {
    this.error = null;
  }

  /**
   * The prompt for a reply under `parentId`. `replay` passes the previous prompt so the cache-aware
   * layout can reuse it; a retry after the engine rejected the size builds afresh instead.
   */
  #buildPrompt(
    parentId: string | null, ready: ReadyEngine, found: RetrievalResult | null, lorebooks: StoredLorebook[], replay: boolean,
    extra: { continued?: Message; branch?: Message[]; memory?: MemoryInput; view?: SpeakerView } = {},
  ): SentPrompt {
    const { continued, branch = this.tree.path(parentId), memory, view } = extra;
    const count = countFor(ready, replay);
    const prompt = fitChatPrompt({
      character: view?.character ?? this.character,
      ...(view ? { turns: view.turns } : {}),
      persona: { name: this.persona.name, description: this.persona.description },
      branch,
      contextWindow: ready.contextWindow,
      // A continued reply's text so far is in the window too, before the new text.
      replyTokens: this.sampling.maxTokens + (continued ? count(continued.content) : 0),
      countTokens: count,
      previous: replay && parentId !== null ? previousPrompt(this.tree, parentId, view?.speaker.id) : undefined,
      lorebooks,
      scenes: found?.scenes ?? [],
      retrieval: found?.trace,
      seed: this.conversation?.id,
      engine: ready.engine.kind,
      memory,
      scenario: this.conversation?.scenario,
    }, ready.countPrompt);
    // Continuing: the reply so far is the open last turn the engine writes on from (prefill).
    return continued ? { ...prompt, messages: [...prompt.messages, { role: 'assistant', content: continued.content }] } : prompt;
  }

  /**
   * Writes a reply under `parentId` (or on from the end of `continued`, a reply there), not
   * following other tabs' writes meanwhile (see #follow).
   */
  async #generate(parentId: string, continued?: Message, speakerId?: string): Promise<void> {
    this.#unfollow();
    try {
      await this.#reply(parentId, continued, speakerId);
    } finally {
      if (this.#watching) this.#follow();
    }
  }

  /** `speakerId`: the group member who writes the reply (group chats). */
  async #reply(parentId: string, continued?: Message, speakerId?: string): Promise<void> {
    const ready = this.#deps.engine();
    const cast = this.cast;
    const view = cast && speakerId !== undefined ? speakerView(cast, speakerId, this.tree.path(parentId), this.persona.name) : undefined;
    // A member deleted or removed from the group since cannot write.
    if (!ready || (cast && !view)) {
      this.preparing = false;
      return;
    }
    const speaker = view?.speaker ?? this.character;
    const sent = toGenerateOptions(this.sampling, ready.engine.capabilities());
    let prompt: SentPrompt;
    let found: RetrievalResult | null;
    let lorebooks: StoredLorebook[];
    let memory: MemoryInput | undefined;
    this.preparing = true;
    try {
      // A summary being written stops here: the reply never waits for it (it resumes after).
      await this.#deps.memory?.pause();
      const branch = this.tree.path(parentId);
      // Retrieval runs here, on send, never while the person types (BM25 is well under a millisecond).
      [found, lorebooks, memory] = await Promise.all([
        findScenes(this.#deps.scenes, speaker, historyOf(branch)),
        // Unreadable lorebooks cost their entries, not the reply.
        (this.#deps.lorebooks?.(speaker.id) ?? Promise.resolve([])).catch((): StoredLorebook[] => []),
        // Unreadable memory costs the memory, not the reply.
        this.#deps.memory?.forPrompt(this.conversation, branch, historyOf(branch), historyIdsOf(branch)).catch(() => undefined),
      ]);
      prompt = this.#buildPrompt(parentId, ready, found, lorebooks, true, { continued, memory, view });
    } catch (error) {
      this.error = toAppError(error, 'generation-failed');
      this.preparing = false;
      return;
    }
    /** The reply's text before this run: a continued reply's so far, which the new text follows. */
    const base = continued?.content ?? '';
    const reply: Message = {
      ...(continued
        ? { ...continued, revisions: [...continued.revisions, continued.content], errorCode: undefined }
        : this.#newMessage('assistant', '', parentId)),
      status: 'streaming',
      model: ready.modelId,
      prompt,
      sampling: sent,
      ...(view ? { speakerId: view.speaker.id, speakerName: view.speaker.name } : {}),
    };
    try {
      if (continued) {
        await this.#deps.conversations.updateMessage(reply.id, {
          revisions: reply.revisions, status: 'streaming', errorCode: undefined, model: reply.model, prompt, sampling: sent,
        });
        this.#replace(reply);
      } else {
        await this.#add(reply);
      }
    } finally {
      this.preparing = false;
    }

    const releaseReply = this.#deps.holdReply?.(reply.id) ?? (() => {});
    const abort = new AbortController();
    this.#abort = abort;
    this.error = null;
    const started = performance.now();
    /** What the engine wrote (after `base`), and the reply as shown: a member's cut to their own line. */
    let written = base;
    let text = base;
    /** The member's reply went on into another's line: it ended there, as if the model had stopped. */
    let cutShort = false;
    let savedText = base;
    /** The write in flight; one at a time, the next update carries the newest text. */
    let saving: Promise<void> | null = null;
    this.streaming = { id: reply.id, text: base };
    // Text is drawn only once it is stored, so a reload mid-reply keeps at least what was on screen.
    const update = createThrottle(() => {
      if (this.streaming?.id !== reply.id || saving || text === savedText) return;
      const snapshot = text;
      saving = this.#deps.conversations.saveStreamingText(reply.id, snapshot).then(
        () => {},
        () => {}, // not fatal: the final write below carries the whole text; the reply still shows
      ).then(() => {
        savedText = snapshot;
        saving = null;
        if (this.streaming?.id === reply.id) {
          this.streaming = { id: reply.id, text: snapshot };
          this.#deps.replyText?.(reply.id, snapshot, false);
        }
        if (text !== snapshot) update.request();
      });
    }, STREAM_UPDATE_MS);

    let final: Partial<Message> = { status: 'done' };
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const event of ready.engine.chat(prompt.messages, continued ? { ...sent, continueLast: true } : sent, abort.signal)) {
          if (event.type === 'delta') {
            written += event.text;
            const shown = view ? view.cut(written) : { text: written, cut: false };
            text = shown.text;
            update.request();
            if (shown.cut) {
              cutShort = true;
              abort.abort();
              break;
            }
          } else {
            const seconds = (performance.now() - started) / 1000;
            ready.estimator.observe(estimatePromptTokens(prompt.messages), event.usage.promptTokens, { whole: reportsWholePrompt(ready) });
            final = {
              status: event.finishReason === 'abort' ? 'stopped' : 'done',
              usage: {
                ...event.usage,
                tokensPerSecond: event.usage.tokensPerSecond ?? (seconds > 0 ? event.usage.completionTokens / seconds : undefined),
              },
            };
          }
        }
        if (abort.signal.aborted) final.status = cutShort ? 'done' : 'stopped';
        break;
      } catch (error) {
        const appError = toAppError(error, 'generation-failed');
        // Our token count is an estimate; when the engine says the prompt did not fit, learn the
        // real size and build a smaller prompt, as long as nothing has been written yet.
        if (appError.code === 'context-exceeded' && text === base && attempt < MAX_PROMPT_ATTEMPTS && !abort.signal.aborted) {
          const estimated = estimatePromptTokens(prompt.messages);
          const counted = Number(appError.details.promptTokens);
          const reported = counted || Math.ceil(estimated * ready.estimator.ratio * 1.75);
          ready.estimator.observe(estimated, reported, { whole: counted > 0 && reportsWholePrompt(ready) });
          try {
            prompt = this.#buildPrompt(parentId, ready, found, lorebooks, false, { continued, memory, view });
            await this.#deps.conversations.updateMessage(reply.id, { prompt });
            continue;
          } catch (rebuildError) {
            final = { status: 'error', errorCode: toAppError(rebuildError).code };
            this.error = toAppError(rebuildError);
            break;
          }
        }
        if (appError.code === 'aborted') {
          final = { status: 'stopped' };
        } else {
          final = { status: 'error', errorCode: appError.code };
          this.error = appError;
          // The engine is gone: the loader must stop calling it loaded, and offer a reload.
          if (appError.code === 'device-lost' || appError.code === 'engine-crashed') this.#deps.onEngineLost(appError);
        }
        break;
      }
    }
    update.cancel();
    // The last partial write lands before the final one, never after it.
    await saving;
    this.#abort = null;
    const done: Message = { ...reply, prompt, ...final, content: text, updatedAt: this.#now };
    try {
      await this.#deps.conversations.updateMessage(reply.id, {
        content: done.content, status: done.status, errorCode: done.errorCode, usage: done.usage, updatedAt: done.updatedAt,
      });
    } catch (error) {
      // The reply stays on screen and the chat stays usable, even when storage refuses the last
      // write (a full disk, or the conversation deleted meanwhile); the person reads why.
      this.error = toAppError(error);
    } finally {
      releaseReply();
      this.#replace(done);
      this.streaming = null;
      this.#deps.replyText?.(reply.id, done.content, true);
    }
    // Idle again: the summary pass (if one is due) starts now, and stops at the next send.
    void this.#deps.memory?.idle(this.tree.path(reply.id), prompt);
  }

  #newMessage(role: Message['role'], content: string, parentId: string | null): Message {
    const now = this.#now;
    return {
      id: this.#id(),
      conversationId: this.conversation!.id,
      parentId,
      role,
      content,
      revisions: [],
      status: 'done',
      createdAt: now,
      updatedAt: now,
    };
  }

  async #add(message: Message): Promise<void> {
    await this.#saveIfNew();
    await this.#deps.conversations.addMessage(message, { setLeaf: true });
    this.messages = [...this.messages, message];
    this.leafId = message.id;
    this.conversation = { ...this.conversation!, leafId: message.id, updatedAt: message.createdAt, messageCount: this.conversation!.messageCount + 1 };
  }

  #replace(message: Message): void {
    this.messages = this.messages.map((m) => (m.id === message.id ? message : m));
  }

  async #setLeaf(leafId: string | null): Promise<void> {
    this.leafId = leafId;
    // Choosing a greeting is not yet a chat worth keeping: an unsaved chat is saved with it later.
    if (this.#unsaved) return;
    await this.#deps.conversations.setLeaf(this.conversation!.id, leafId);
  }
}

/** llama.cpp (wllama, a model server) reports the whole prompt's size, cached part included; web-llm only what it prefilled. */
export function reportsWholePrompt(ready: ReadyEngine): boolean {
  return ready.engine.kind !== 'webllm';
}

/**
 * How a prompt's tokens are counted: the model's own tokenizer where it is at hand, else the
 * corrected estimate. A retry after the engine said "too long" counts by the larger of the two, since
 * the exact content count missed what the chat template adds.
 */
export function countFor(ready: ReadyEngine, firstTry: boolean): (text: string) => number {
  const estimate = steadyCount(ready.estimator);
  const exact = ready.countTokens;
  if (!exact) return estimate;
  return firstTry ? exact : (text) => Math.max(exact(text), estimate(text));
}
