// The app's root state: storage, characters, the open chat, the model loader, language and notices.

import { getContext, setContext } from 'svelte';
import { version as appVersion } from '../../package.json';
import { characterFromPack, mergeBuiltinUpdate } from '../core/builtin-characters';
import type { EmbedderSource } from '../core/embedding';
import type { LoadedModel, ModelSource } from '../core/engine';
import { AppError, toAppError } from '../core/errors';
import { expandMacros } from '../core/macros';
import { characterDisplayName } from '../core/macro-names';
import {
  DEFAULT_SAMPLING,
  type Character,
  type Conversation,
  type InstalledModel,
  type Message,
  type Persona,
  type SamplingSettings,
} from '../core/types';
import type { EmbeddingService } from '../engines/embedding/embedding-client';
import type { Repositories } from '../storage';
import { AppUpdate } from './app-update.svelte';
import { BackupState } from './backup.svelte';
import type { LoadedPack } from './builtin-packs';
import { CharacterRetrieval } from './character-retrieval';
import { ChatSession } from './chat-session.svelte';
import { EmbeddingsState } from './embeddings.svelte';
import { ImportJob } from './import-job.svelte';
import { Locale } from './locale.svelte';
import { ModelLoader, type ModelLoaderOptions } from './model-loader.svelte';
import { ModelManager, type ModelStore } from './model-manager.svelte';
import { Router } from './router.svelte';
import { settledMessages, stopAndSettle } from './stop-session';
import { Toasts } from './toasts.svelte';

/** Ids of built-ins the person deleted, so startup does not install them again. */
export const REMOVED_BUILTINS_KEY = 'builtins.removed';
const SAMPLING_KEY = 'sampling';
const LANG_KEY = 'ui.lang';

export interface AppDeps {
  openRepositories: () => Promise<Repositories>;
  loadBuiltinPacks: () => Promise<LoadedPack[]>;
  engines: Omit<ModelLoaderOptions, 'onLoaded'>;
  /** Embedding models for hybrid scene retrieval; keyword search alone without it. */
  embedders?: EmbedderSource;
  /** The embedding worker; without it there are no embedding models and no background embedding. */
  embeddingService?: EmbeddingService;
  /** Where models are kept (OPFS, engine caches); without it the model manager lists nothing. */
  modelStore?: ModelStore | null;
}

export class AppState {
  readonly locale = Locale.fromBrowser();
  readonly router = new Router();
  readonly toasts = new Toasts((error) => this.locale.describe(error));
  /** New versions, offline readiness and the network; main.ts connects the service worker. */
  readonly updates = new AppUpdate(() => ({
    streaming: this.session?.busy ?? false,
    modelInUse: this.models.status === 'loading' || this.models.status === 'ready',
  }));
  readonly models: ModelLoader;
  /** Importing cards, packs and lorebooks (and the imported lorebooks). */
  readonly imports: ImportJob;
  /** Models kept on this device: list, load, delete, space, persistence. */
  readonly manager: ModelManager;
  readonly backup: BackupState;
  /** Embedding models per language and the background job that embeds scenes (null without a service). */
  readonly embeddings: EmbeddingsState | null;

  status = $state<'starting' | 'ready' | 'failed'>('starting');
  startupError = $state.raw<AppError | null>(null);
  characters = $state.raw<Character[]>([]);
  persona = $state.raw<Persona | null>(null);
  sampling = $state.raw<SamplingSettings>(DEFAULT_SAMPLING);
  session = $state.raw<ChatSession | null>(null);
  /** The model used last, when it can be loaded again without picking a file. */
  lastModel = $state.raw<InstalledModel | null>(null);

  #deps: AppDeps;
  #repos: Repositories | null = null;
  #retrieval: CharacterRetrieval | null = null;

  constructor(deps: AppDeps) {
    this.#deps = deps;
    this.imports = new ImportJob({
      imports: () => this.repos.imports,
      lorebooks: () => this.repos.lorebooks,
      characters: () => this.characters,
      refresh: async () => {
        this.characters = await this.repos.characters.list();
        // A replacing import moved the open chat to the new character: reopen it with that one.
        if (this.session && !this.character(this.session.character.id)) this.session = null;
      },
    });
    this.models = new ModelLoader({
      ...deps.engines,
      onLoaded: (model, source) => this.#rememberModel(model, source),
      language: () => this.locale.lang,
    });
    this.embeddings = deps.embeddingService
      ? new EmbeddingsState({ service: deps.embeddingService, characters: () => this.characters, onEmbedded: (id) => this.#retrieval?.invalidate(id) })
      : null;
    this.imports.onImported((ids) => this.embeddings?.onImported(ids));
    this.manager = new ModelManager({
      store: deps.modelStore ?? null,
      loader: this.models,
      repos: () => this.repos,
      onKept: (model) => (this.lastModel = model),
      // A deleted model is not offered as "load again"; the next kept one is, as after a restart.
      onRemoved: async (id) => {
        if (this.lastModel?.id !== id) return;
        this.lastModel = (await this.repos.models.list()).find((model) => model.source !== 'file' || model.stored === 'opfs') ?? null;
      },
    });
    this.backup = new BackupState({
      repository: () => this.repos.backup,
      reload: async () => {
        await this.reloadFromStorage();
        // Restored scenes may lack vectors for the embedding model prepared on this device.
        this.embeddings?.onImported(this.characters.map((c) => c.id));
      },
      // Waits for a stopped reply's last write, so it cannot land in the restored data.
      stopWriters: () => (this.session ? stopAndSettle(this.session) : undefined),
      appVersion,
      estimate: async () => (typeof navigator !== 'undefined' ? navigator.storage?.estimate() : undefined),
    });
  }

  get repos(): Repositories {
    if (!this.#repos) throw new AppError('storage-unavailable', 'Storage is not open');
    return this.#repos;
  }

  async start(): Promise<void> {
    void this.models.probe();
    try {
      this.#repos = await this.#deps.openRepositories();
      await this.reloadFromStorage();
      this.status = 'ready';
      void this.manager.start();
      void this.embeddings?.start({ scenes: this.repos.scenes, settings: this.repos.settings });
    } catch (error) {
      this.startupError = toAppError(error, 'storage-unavailable');
      this.status = 'failed';
    }
  }

  /**
   * Everything the app shows, read again from storage (at startup, and after a restore or
   * "delete all data"): built-ins missing from storage are installed as new, the open chat closes.
   */
  async reloadFromStorage(): Promise<void> {
    this.session = null;
    this.#retrieval = null;
    const savedLang = await this.repos.settings.get<string | null>(LANG_KEY, null);
    if (savedLang === 'en' || savedLang === 'zh') this.locale.lang = savedLang;
    await this.repos.conversations.recoverInterrupted();
    await this.#installBuiltins();
    this.characters = await this.repos.characters.list();
    this.persona = (await this.repos.personas.getDefault()) ?? null;
    this.sampling = { ...DEFAULT_SAMPLING, ...(await this.repos.settings.get(SAMPLING_KEY, DEFAULT_SAMPLING)) };
    this.lastModel = (await this.repos.models.list()).find((model) => model.source !== 'file' || model.stored === 'opfs') ?? null;
  }

  /** Loads the model used last (from the browser's cache for web-llm and downloaded GGUFs). */
  reloadLastModel(): Promise<unknown> {
    const model = this.lastModel;
    if (!model) return Promise.resolve();
    // The manager knows where each model is kept (OPFS copy, engine caches, custom web-llm URLs).
    return this.manager.loadInstalled(model);
  }

  async setLang(lang: 'en' | 'zh'): Promise<void> {
    this.locale.lang = lang;
    if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    await this.#repos?.settings.set(LANG_KEY, lang);
  }

  /** Scene search for chats, one cached index per character; `invalidate(id)` after its scenes change. */
  get retrieval(): CharacterRetrieval {
    this.#retrieval ??= new CharacterRetrieval({
      scenes: this.repos.scenes,
      embedder: (lang) => (this.#deps.embedders ?? this.embeddings)?.embedderFor(lang) ?? null,
    });
    return this.#retrieval;
  }

  character(id: string): Character | undefined {
    return this.characters.find((c) => c.id === id);
  }

  /** The name and description the character knows the person by. */
  get personaForPrompt(): { name: string; description: string } {
    const fallback = this.locale.lang === 'zh' ? '你' : 'User';
    return { name: this.persona?.name.trim() || fallback, description: this.persona?.description ?? '' };
  }

  /** Card text as the person should read it: {{char}} and {{user}} filled in, as the model sees them. */
  displayText(character: Character, text: string): string {
    return expandMacros(text, { char: characterDisplayName(character), user: this.personaForPrompt.name });
  }

  async savePersona(name: string, description: string): Promise<void> {
    const now = Date.now();
    const persona: Persona = this.persona
      ? { ...this.persona, name, description, updatedAt: now }
      : { id: crypto.randomUUID(), name, description, isDefault: true, createdAt: now, updatedAt: now };
    await this.repos.personas.put(persona);
    await this.repos.personas.setDefault(persona.id);
    this.persona = persona;
  }

  async saveSampling(sampling: SamplingSettings): Promise<void> {
    await this.repos.settings.set(SAMPLING_KEY, sampling);
    this.sampling = sampling;
  }

  conversationsFor(characterId: string): Promise<Conversation[]> {
    return this.repos.conversations.listForCharacter(characterId);
  }

  /** Starts a conversation with the greeting; alternate greetings are its swipes. */
  async newConversation(characterId: string): Promise<string> {
    const character = this.character(characterId);
    if (!character) throw new AppError('unknown', `No character ${characterId}`);
    const now = Date.now();
    const id = crypto.randomUUID();
    const greetings = [character.firstMessage, ...character.alternateGreetings].filter((g) => g.trim() !== '');
    const messages: Message[] = greetings.map((content, index) => ({
      id: crypto.randomUUID(),
      conversationId: id,
      parentId: null,
      role: 'assistant',
      content,
      revisions: [],
      status: 'done',
      // Later greetings are slightly newer so their order as swipes is stable.
      createdAt: now + index,
      updatedAt: now + index,
    }));
    const title = this.locale.t('chat.conversationWith', { name: character.name });
    const conversation: Conversation = {
      id,
      characterId,
      title: `${title} · ${new Date(now).toLocaleString(this.locale.lang === 'zh' ? 'zh-CN' : 'en')}`,
      leafId: messages[0]?.id ?? null,
      createdAt: now,
      updatedAt: now,
      messageCount: messages.length,
    };
    await this.repos.conversations.create(conversation, messages);
    return id;
  }

  async deleteConversation(id: string): Promise<void> {
    // A reply streaming into this chat would go on writing after it is gone: stop it first.
    if (this.session?.conversation?.id === id) await stopAndSettle(this.session);
    const conversation = await this.repos.conversations.get(id);
    if (!conversation) return;
    const messages = await this.repos.conversations.messages(id);
    await this.repos.conversations.remove(id);
    if (this.session?.conversation?.id === id) this.session = null;
    this.toasts.show(this.locale.t('character.chatDeleted'), {
      label: this.locale.t('common.undo'),
      run: () => this.repos.conversations.create(conversation, settledMessages(messages)),
    });
  }

  /** Opens (or keeps) the session for a conversation; null when it does not exist. */
  async openChat(conversationId: string): Promise<ChatSession | null> {
    if (this.session?.conversation?.id === conversationId) return this.session;
    const conversation = await this.repos.conversations.get(conversationId);
    const character = conversation && this.character(conversation.characterId);
    if (!conversation || !character) {
      this.session = null;
      return null;
    }
    const session = await ChatSession.open({
      conversations: this.repos.conversations,
      character,
      persona: () => this.personaForPrompt,
      sampling: () => this.sampling,
      engine: () => {
        const engine = this.models.engine;
        const loaded = this.models.loaded;
        return engine && loaded
          ? { engine, modelId: loaded.id, contextWindow: loaded.contextWindow, estimator: this.models.estimator, countTokens: this.models.countTokens ?? undefined }
          : null;
      },
      onEngineLost: (error) => this.models.markLost(error),
      scenes: this.retrieval,
      lorebooks: () => this.repos.lorebooks.activeFor(character.id),
    }, conversationId);
    this.session = session;
    // Index the character's scenes while the person reads and types, not when they press Send.
    void this.retrieval.warm(character.id);
    return session;
  }

  async #installBuiltins(): Promise<void> {
    const packs = await this.#deps.loadBuiltinPacks();
    const removed = new Set(await this.repos.settings.get<string[]>(REMOVED_BUILTINS_KEY, []));
    const now = Date.now();
    const updates: Character[] = [];
    for (const { pack, avatar } of packs) {
      if (removed.has(pack.id)) continue;
      const existing = await this.repos.characters.get(pack.id);
      if (!existing) {
        updates.push(characterFromPack(pack, avatar, now));
        continue;
      }
      const merged = mergeBuiltinUpdate(existing, pack, avatar, now);
      if (merged) updates.push(merged);
    }
    if (updates.length) await this.repos.characters.bulkPut(updates);
  }

  async #rememberModel(model: LoadedModel, source: ModelSource): Promise<void> {
    const now = Date.now();
    const existing = await this.#repos?.models.get(model.id);
    const record: InstalledModel = {
      ...existing, // keeps what the model manager knows (stored copy, custom URLs)
      id: model.id,
      engine: model.engine,
      label: model.label,
      sizeBytes: model.sizeBytes ?? existing?.sizeBytes ?? 0,
      contextWindow: model.contextWindow,
      source: source.kind === 'webllm' ? (existing?.source ?? 'catalog') : source.kind === 'gguf-url' ? 'url' : 'file',
      url: source.kind === 'gguf-url' ? source.url : undefined,
      addedAt: existing?.addedAt ?? now,
      lastUsedAt: now,
    };
    await this.#repos?.models.put(record);
    if (record.source !== 'file' || record.stored === 'opfs') this.lastModel = record;
  }
}

const APP_CONTEXT = Symbol('app');

export function provideApp(app: AppState): AppState {
  setContext(APP_CONTEXT, app);
  return app;
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(APP_CONTEXT);
  if (!app) throw new Error('useApp() called outside <App>');
  return app;
}
