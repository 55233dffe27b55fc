// The composition root of state: opens storage, builds one owner per concept (characters,
// conversations, persona and sampling, models, imports, backup, embeddings) and wires them
// together; it owns only the open chat session, the language and the notices.

import { getContext, setContext } from 'svelte';
import { version as appVersion } from '../../package.json';
import type { EmbedderSource } from '../core/embedding';
import type { LoadedModel, ModelSource } from '../core/engine';
import { AppError, toAppError } from '../core/errors';
import { DamagedRowError } from '../core/row-schemas';
import { expandMacros } from '../core/macros';
import { resolveSampling } from '../core/sampling';
import { characterDisplayName } from '../core/macro-names';
import type { SnapshotFiles } from '../core/snapshots';
import type { Character, Conversation, InstalledModel, Persona, SamplingSettings } from '../core/types';
import type { EmbeddingService } from '../engines/embedding/embedding-client';
import type { Repositories } from '../storage';
import type { BeforeUpgrade } from '../storage/pre-upgrade';
import { AppUpdate } from './app-update.svelte';
import { BackupState } from './backup.svelte';
import type { BackupReader } from './backup-reader';
import { AutoBackups } from './snapshots.svelte';
import type { LoadedPack } from './builtin-packs';
import { CharacterRetrieval } from './character-retrieval';
import { savedIndexesIn } from './saved-keyword-indexes';
import { CharacterShelf } from './characters.svelte';
import { ChatFiles } from './chat-files.svelte';
import { ChatSearch } from './chat-search.svelte';
import { ChatMemory } from './chat-memory.svelte';
import { ChatSession, type ChatSessionDeps } from './chat-session.svelte';
import type { GroupCast } from './group-cast';
import { Conversations } from './conversations.svelte';
import { LorebookEditor, type LorebookSource } from './lorebook-editor.svelte';
import { CorpusBrowser } from './corpus-browser.svelte';
import { EmbeddingsState } from './embeddings.svelte';
import { ImportJob } from './import-job.svelte';
import { GeneratedScenes } from './generated-scenes.svelte';
import { DialogueGen } from './dialogue-gen.svelte';
import { DialogueGenRunner } from './dialogue-gen-job';
import { downloadFile } from '../platform/browser-images';
import type { ReplyLocks } from '../platform/reply-locks';
import type { Speech } from '../platform/speech';
import { Locale } from './locale.svelte';
import { ModelLoader, type ModelLoaderOptions } from './model-loader.svelte';
import { ModelManager, type ModelStore } from './model-manager.svelte';
import { ModelServerState } from './model-server.svelte';
import { PersonaSettings, type ChatPersona } from './persona.svelte';
import { BackgroundJobs } from './background-jobs.svelte';
import { withoutReasoning } from '../core/reasoning';
import { EngineTurns } from './engine-turns.svelte';
import { EvaluationPanel } from './evaluation.svelte';
import { EVALUATION_JOB, evaluationRunner, type EvaluationJobParams, type EvaluationJobState } from './evaluation-runner';
import { ReadAloud } from './read-aloud.svelte';
import { Router } from './router.svelte';
import { stopAndSettle } from './stop-session';
import { Toasts } from './toasts.svelte';

export { REMOVED_BUILTINS_KEY } from './characters.svelte';
const LANG_KEY = 'ui.lang';
/**
 * The small tables every screen reads at start; messages and scenes (the large ones) are checked
 * when a backup is read, not on every start.
 */
const STARTUP_CHECKED_TABLES = ['settings', 'characters', 'personas', 'lorebooks', 'conversations', 'models'] as const;
/** Enough best matches to read through in the corpus view; the chat itself takes far fewer. */
const CORPUS_SEARCH_RESULTS = 100;

/** Which open chat an operation is about: one character's, or one conversation. */
export interface ChatMatch {
  characterId?: string;
  conversationId?: string;
  /** Leave a chat that is preparing or streaming a reply open. */
  unlessBusy?: boolean;
}

/** What opening storage tells the app on the way (the rows of an older database before its upgrade). */
export interface OpenHooks {
  beforeUpgrade: BeforeUpgrade;
}

export interface AppDeps {
  openRepositories: (hooks: OpenHooks) => Promise<Repositories>;
  loadBuiltinPacks: () => Promise<LoadedPack[]>;
  engines: Omit<ModelLoaderOptions, 'onLoaded'>;
  /** Embedding models for hybrid scene retrieval; keyword search alone without it. */
  embedders?: EmbedderSource;
  /** The embedding worker; without it there are no embedding models and no background embedding. */
  embeddingService?: EmbeddingService;
  /** Where models are kept (OPFS, engine caches); without it the model manager lists nothing. */
  modelStore?: ModelStore | null;
  /** Where automatic snapshots are kept (OPFS); without it there are none. */
  snapshotFiles?: SnapshotFiles | null;
  /** How a restore reads a backup file; a worker in the browser by default. */
  readBackup?: BackupReader;
  /** Which replies some tab is writing (Web Locks); without it every 'streaming' reply at start-up was cut off. */
  replyLocks?: ReplyLocks;
  /** The browser's speech synthesis; without it nothing is read aloud (the controls say so). */
  speech?: Speech | null;
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
  /** Every character, kept live from storage, and whole-character writes. */
  readonly characterShelf: CharacterShelf;
  /** Each character's chats: live lists, new, rename, delete with undo. */
  readonly conversations: Conversations;
  /** Chats out as SillyTavern JSONL, Markdown or text, and SillyTavern chats in. */
  readonly chatFiles: ChatFiles;
  /** The person's persona and sampling settings. */
  readonly profile: PersonaSettings;
  readonly models: ModelLoader;
  /** Importing cards, packs and lorebooks (and the imported lorebooks). */
  readonly imports: ImportJob;
  /** Models kept on this device: list, load, delete, space, persistence. */
  readonly manager: ModelManager;
  /** The model server card: address, key, model, consent per host. */
  readonly modelServer: ModelServerState;
  readonly backup: BackupState;
  /** Automatic snapshots: daily and before a restore or delete all, the newest few kept. */
  readonly autoBackups: AutoBackups;
  /** Embedding models per language and the background job that embeds scenes (null without a service). */
  readonly embeddings: EmbeddingsState | null;
  /** Reading replies and greetings aloud in the character's voice. */
  readonly voice: ReadAloud;
  /** Who uses the loaded model now: a reply in the chat always before background work. */
  readonly engineTurns = new EngineTurns();
  /** Background jobs on the loaded model (generated dialogues, evaluation runs), kept across reloads. */
  readonly jobs: BackgroundJobs;

  /** 'damaged': storage works but a saved row is broken; the person restores a backup or deletes all data. */
  status = $state<'starting' | 'ready' | 'failed' | 'damaged'>('starting');
  startupError = $state.raw<AppError | null>(null);
  /** Where the damaged row is (table, row, id, field, expected, received), for the sentence. */
  damagedRow = $state.raw<Record<string, string | number> | null>(null);
  /** The model used last, when it can be loaded again without picking a file. */
  lastModel = $state.raw<InstalledModel | null>(null);

  #session = $state.raw<ChatSession | null>(null);
  #deps: AppDeps;
  #repos: Repositories | null = null;
  #retrieval: CharacterRetrieval | null = null;

  constructor(deps: AppDeps) {
    this.#deps = deps;
    this.characterShelf = new CharacterShelf(() => this.#storage);
    this.profile = new PersonaSettings({
      personas: () => this.#storage.personas,
      settings: () => this.#storage.settings,
      fallbackName: () => (this.locale.lang === 'zh' ? '你' : 'User'),
    });
    this.voice = new ReadAloud({ speech: deps.speech ?? null, settings: () => this.#storage.settings });
    this.jobs = new BackgroundJobs({ repo: () => this.#storage.jobs, turns: this.engineTurns, engine: () => this.models.ready });
    this.jobs.register(
      new DialogueGenRunner({
        character: (id) => this.character(id),
        scenes: (id) => this.#storage.scenes.listForCharacter(id),
        attachedBooks: async (id) => (await this.#storage.lorebooks.activeFor(id)).filter((book) => book.characterId === id).map((book) => book.book),
      }),
    );
    this.jobs.register(evaluationRunner({
      runs: () => this.#storage.evalRuns,
      character: (id) => this.character(id),
      scenes: (id) => this.#storage.scenes.listForCharacter(id),
      retrieval: () => this.retrieval,
      lorebooks: (id) => this.#storage.lorebooks.activeFor(id),
      pins: (id) => this.#pinsOf(id),
      persona: () => this.personaForPrompt,
      sampling: (character) => resolveSampling(this.profile.sampling, character.sampling),
      embedder: (lang) => (this.#deps.embedders ?? this.embeddings)?.embedderFor(lang) ?? null,
    }));
    this.conversations = new Conversations({
      repo: () => this.#storage.conversations,
      character: (id) => this.character(id),
      locale: this.locale,
      toasts: this.toasts,
      settle: async (id) => {
        if (this.session?.conversation?.id === id) await stopAndSettle(this.session);
      },
      closed: (id) => this.closeChat({ conversationId: id }),
    });
    this.chatFiles = new ChatFiles({
      repo: () => this.#storage.conversations,
      characters: () => this.characters,
      character: (id) => this.character(id),
      userName: () => this.personaForPrompt.name,
      createGroup: (group) => this.characterShelf.create(group),
    });
    this.imports = new ImportJob({
      imports: () => this.#storage.imports,
      lorebooks: () => this.#storage.lorebooks,
      characters: () => this.characters,
      refresh: async () => {
        // The live list would catch up by itself; read it now because the check below needs it.
        await this.characterShelf.refresh();
        // A replacing import moved the open chat to the new character: reopen it with that one.
        if (this.session && !this.character(this.session.character.id)) this.closeChat();
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
    this.modelServer = new ModelServerState({ settings: () => this.#storage.settings, loader: this.models });
    this.manager = new ModelManager({
      store: deps.modelStore ?? null,
      loader: this.models,
      repos: () => this.#storage,
      onKept: (model) => (this.lastModel = model),
      // A deleted model is not offered as "load again"; the next kept one is, as after a restart.
      onRemoved: async (id) => {
        if (this.lastModel?.id !== id) return;
        this.lastModel = (await this.#storage.models.list()).find((model) => model.source !== 'file' || model.stored === 'opfs') ?? null;
      },
    });
    this.autoBackups = new AutoBackups({
      files: deps.snapshotFiles ?? null,
      create: async (createdAt) => (await this.#storage.backup.create({ appVersion, createdAt })).bytes,
      hasData: () => this.#storage.backup.hasUserData(),
    });
    this.backup = new BackupState({
      repository: () => this.#storage.backup,
      snapshots: this.autoBackups,
      readBackup: deps.readBackup,
      reload: async () => {
        await this.reloadFromStorage();
        // A restore or "delete all data" from the damaged-data screen leaves nothing broken behind.
        if (this.status === 'damaged') this.#becomeReady();
        // Restored scenes may lack vectors for the embedding model prepared on this device.
        this.embeddings?.onImported(this.characters.map((c) => c.id));
      },
      // Waits for a stopped reply's last write, so it cannot land in the restored data.
      stopWriters: () => (this.session ? stopAndSettle(this.session) : undefined),
      appVersion,
      estimate: async () => (typeof navigator !== 'undefined' ? navigator.storage?.estimate() : undefined),
    });
  }

  /** Private: only the owners built here read and write storage (components never do). */
  get #storage(): Repositories {
    if (!this.#repos) throw new AppError('storage-unavailable', 'Storage is not open');
    return this.#repos;
  }

  /** The open chat, if any; only AppState opens and closes it. */
  get session(): ChatSession | null {
    return this.#session;
  }

  // Shortcuts to the owners' values for state code and tests; components read the owners themselves.

  /** The default persona (the profile's). */
  get persona(): Persona | null {
    return this.profile.persona;
  }

  /** Sampling for replies (the profile's). */
  get sampling(): SamplingSettings {
    return this.profile.sampling;
  }

  savePersona(name: string, description: string): Promise<void> {
    return this.profile.savePersona(name, description);
  }

  saveSampling(sampling: SamplingSettings): Promise<void> {
    return this.profile.saveSampling(sampling);
  }

  /** Every character, by name (the shelf's live list). */
  get characters(): Character[] {
    return this.characterShelf.list;
  }

  async start(): Promise<void> {
    void this.models.probe();
    try {
      this.#repos = await this.#deps.openRepositories({
        beforeUpgrade: ({ rows, toVersion }) => this.autoBackups.takeBeforeUpgrade(rows, toVersion, appVersion),
      });
      // A broken row (an old bug, a hand-edited database) would otherwise hang a list on "Loading…"
      // or be blamed on the browser: name it, and offer the two ways out.
      await this.#repos.backup.checkStoredRows(STARTUP_CHECKED_TABLES);
      await this.reloadFromStorage();
      this.#becomeReady();
    } catch (error) {
      if (error instanceof DamagedRowError) {
        this.damagedRow = error.details;
        this.status = 'damaged';
        return;
      }
      this.startupError = toAppError(error, 'storage-unavailable');
      this.status = 'failed';
    }
  }

  #becomeReady(): void {
    this.damagedRow = null;
    // From here on the lists follow storage by themselves, including other tabs' writes.
    this.characterShelf.watch();
    this.profile.watch();
    this.voice.start();
    this.imports.lorebooks.watch();
    this.status = 'ready';
    void this.manager.start();
    void this.embeddings?.start({ scenes: this.#storage.scenes, settings: this.#storage.settings });
    this.autoBackups.scheduleDaily();
  }

  /**
   * Everything the app shows, read again from storage (at startup, and after a restore or
   * "delete all data"): built-ins missing from storage are installed as new, the open chat closes.
   */
  async reloadFromStorage(): Promise<void> {
    this.closeChat();
    this.#retrieval = null;
    const savedLang = await this.#storage.settings.get<string | null>(LANG_KEY, null);
    if (savedLang === 'en' || savedLang === 'zh') this.locale.lang = savedLang;
    await this.#storage.conversations.recoverInterrupted(await this.#deps.replyLocks?.live());
    await this.characterShelf.installBuiltins(await this.#deps.loadBuiltinPacks());
    await this.characterShelf.refresh();
    await this.profile.refresh();
    this.lastModel = (await this.#storage.models.list()).find((model) => model.source !== 'file' || model.stored === 'opfs') ?? null;
    await this.modelServer.restore();
    await this.jobs.load();
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
    await this.#repos?.settings.set(LANG_KEY, lang);
  }

  /** Scene search for chats, one cached index per character; `invalidate(id)` after its scenes change. */
  get retrieval(): CharacterRetrieval {
    this.#retrieval ??= new CharacterRetrieval({
      scenes: this.#storage.scenes,
      savedIndexes: savedIndexesIn(this.#storage.settings),
      embedder: (lang) => (this.#deps.embedders ?? this.embeddings)?.embedderFor(lang) ?? null,
    });
    return this.#retrieval;
  }

  /** A character's corpus a page at a time, searched the way the chat searches it. */
  corpusOf(characterId: string): CorpusBrowser {
    return new CorpusBrowser(this.#storage.scenes, characterId, async (query) => {
      const character = this.character(characterId);
      if (!character) return [];
      // The same search the chat uses to pick scenes: BM25 with CJK bigrams, by meaning too once embedded.
      const { scenes } = await this.retrieval.search(character, query, undefined, CORPUS_SEARCH_RESULTS);
      return scenes.map((scene) => scene.id);
    });
  }

  /** Write example dialogues for a character: its latest job and the review of what it kept. */
  dialogueGenOf(characterId: string): DialogueGen {
    return new DialogueGen(characterId, {
      jobs: this.jobs,
      scenes: () => this.#storage.scenes,
      character: () => this.character(characterId),
      title: (name) => this.locale.t('dialogueGen.jobTitle', { name }),
      changed: () => this.retrieval.invalidate(characterId),
    });
  }

  /** A character's generated scenes, shown apart in the corpus view. */
  generatedScenesOf(characterId: string): GeneratedScenes {
    return new GeneratedScenes(this.#storage.scenes, characterId, () => this.retrieval.invalidate(characterId));
  }

  character(id: string): Character | undefined {
    return this.characterShelf.byId(id);
  }

  /** A group as its chats read it now: its settings and the members that still exist. */
  groupCast(groupId: string): GroupCast | null {
    const group = this.character(groupId);
    if (!group?.group) return null;
    const members = group.group.members.map((id) => this.character(id)).filter((m): m is Character => m !== undefined);
    return { name: group.name, spec: group.group, members };
  }

  /** The Evaluate page of a character (call load(), and dispose() when the page closes). */
  evaluation(character: Character): EvaluationPanel {
    return new EvaluationPanel({
      character,
      runs: () => this.#storage.evalRuns.watch(character.id),
      saveRun: (run) => this.#storage.evalRuns.put(run),
      removeRun: async (id) => {
        const run = await this.#storage.evalRuns.get(id);
        if (run?.jobId) await this.jobs.remove(run.jobId);
        await this.#storage.evalRuns.remove(id);
      },
      scenes: () => this.#storage.scenes.listForCharacter(character.id),
      otherNames: () => this.characters.map((c) => c.name),
      models: async () => {
        const installed = (await this.#storage.models.list()).map((m) => ({ id: m.id, label: m.label }));
        const loaded = this.models.loaded;
        return loaded && !installed.some((m) => m.id === loaded.id) ? [{ id: loaded.id, label: loaded.label }, ...installed] : installed;
      },
      loadedModel: () => this.models.ready?.modelId ?? null,
      ratedReplies: () => this.conversations.ratedReplies(character.id),
      runJob: async (run) => {
        const job = await this.jobs.start<EvaluationJobParams, EvaluationJobState>(EVALUATION_JOB, {
          title: this.locale.t('eval.title', { name: character.name }),
          characterId: character.id,
          params: { runId: run.id },
          state: { done: run.results.length },
          total: run.questions.length * run.configs.length,
        });
        await this.#storage.evalRuns.setJob(run.id, job.id);
      },
      download: downloadFile,
    });
  }

  /** The pinned facts of every chat with a character, oldest first (an evaluation's memory configuration). */
  async #pinsOf(characterId: string): Promise<{ id: string; text: string }[]> {
    const chats = await this.#storage.conversations.listForCharacter(characterId);
    const memories = await Promise.all(chats.map((chat) => this.#storage.memories.list(chat.id)));
    return memories.flat().filter((m) => m.kind === 'pin').sort((a, b) => a.createdAt - b.createdAt).map((m) => ({ id: m.id, text: m.text }));
  }

  /** A standalone lorebook, or a character's own, opened in the editor (call load()). */
  lorebookEditor(source: LorebookSource): LorebookEditor {
    return new LorebookEditor(
      { lorebooks: () => this.#storage.lorebooks, characters: () => this.#storage.characters, conversations: () => this.#storage.conversations },
      source,
    );
  }

  /** A search through chats for one page (it stops with the page: call stop()). */
  chatSearch(): ChatSearch {
    return new ChatSearch({ repo: () => this.#storage.conversations, character: (id) => this.character(id) });
  }

  /** The name and description the character knows the person by (the default persona). */
  get personaForPrompt(): ChatPersona {
    return this.profile.forPrompt;
  }

  /**
   * Card text as the person should read it: {{char}} and {{user}} filled in, as the model sees them
   * (`user`: the chat's persona name; the default persona's by default).
   */
  displayText(character: Pick<Character, 'name' | 'nickname' | 'language'>, text: string, user = this.personaForPrompt.name): string {
    return expandMacros(withoutReasoning(text), { char: characterDisplayName(character), user });
  }

  conversationsFor(characterId: string): Promise<Conversation[]> {
    return this.conversations.list(characterId);
  }

  /** Starts a conversation with the greeting (alternate greetings are its swipes); saved on its first message. */
  async newConversation(characterId: string): Promise<string> {
    return this.conversations.draft(characterId);
  }

  /** The character's most recently active chat, or a new one when it has none: what clicking a character opens. */
  async chatFor(characterId: string): Promise<string> {
    const [last] = await this.conversations.list(characterId);
    return last?.id ?? this.newConversation(characterId);
  }

  deleteConversation(id: string): Promise<void> {
    return this.conversations.remove(id);
  }

  /** True when the open chat matches (any open chat when `which` names nothing). */
  #matches(session: ChatSession, which: ChatMatch): boolean {
    if (which.characterId !== undefined && session.character.id !== which.characterId) return false;
    if (which.conversationId !== undefined && session.conversation?.id !== which.conversationId) return false;
    return true;
  }

  /** Stops a reply streaming into the matching open chat and waits for its last write. */
  async settleChat(which: ChatMatch = {}): Promise<void> {
    const session = this.session;
    if (session && this.#matches(session, which)) await stopAndSettle(session);
  }

  /** Closes the matching open chat, so the next visit opens it afresh (with an edited character, say). */
  closeChat(which: ChatMatch = {}): void {
    const session = this.session;
    if (!session || !this.#matches(session, which)) return;
    if (which.unlessBusy && (session.streaming || session.preparing)) return;
    session.dispose();
    this.#session = null;
  }

  /** Opens (or keeps) the session for a conversation; null when it does not exist. */
  async openChat(conversationId: string): Promise<ChatSession | null> {
    if (this.session?.conversation?.id === conversationId) return this.session;
    const stored = await this.#storage.conversations.get(conversationId);
    const draft = stored ? undefined : this.conversations.draftOf(conversationId);
    const conversation = stored ?? draft?.conversation;
    const character = conversation && this.character(conversation.characterId);
    if (!conversation || !character) {
      this.closeChat();
      return null;
    }
    const deps: ChatSessionDeps = {
      conversations: this.#storage.conversations,
      character,
      persona: (personaId) => this.profile.chatPersona(personaId, character.personaId),
      sampling: () => this.profile.sampling,
      // The loader knows what is loaded and how to count its tokens; a reply stops background work.
      engine: () => this.engineTurns.foreground(this.models.ready),
      onEngineLost: (error) => this.models.markLost(error),
      scenes: this.retrieval,
      lorebooks: (id) => this.#storage.lorebooks.activeFor(id),
      ...(character.group ? { cast: () => this.groupCast(character.id) } : {}),
      holdReply: this.#deps.replyLocks?.hold,
      // In a group, each reply in its member's voice.
      replyText: (replyId, text, done) => {
        const reply = this.session?.tree.get(replyId);
        this.voice.hearReply(replyId, text, done, (reply && this.session?.memberOf(reply)) ?? character);
      },
      memory: new ChatMemory({
        memories: this.#storage.memories,
        conversations: this.#storage.conversations,
        character,
        persona: () => this.personaForPrompt,
        engine: () => this.engineTurns.foreground(this.models.ready),
        embedder: () => (this.#deps.embedders ?? this.embeddings)?.embedderFor(character.language === 'zh' ? 'zh' : 'en') ?? null,
      }, conversationId),
    };
    const session = draft ? ChatSession.unsaved(deps, draft.conversation, draft.messages) : await ChatSession.open(deps, conversationId);
    this.#session?.dispose();
    this.#session = session;
    session?.watch();
    // Index the character's scenes while the person reads and types, not when they press Send.
    // A group has no scenes of its own: each member's are searched when they speak.
    for (const id of character.group?.members ?? [character.id]) void this.retrieval.warm(id);
    return session;
  }

  async #rememberModel(model: LoadedModel, source: ModelSource): Promise<void> {
    // A server model is no download: its address lives with the model server settings.
    if (source.kind === 'server' || model.engine === 'server') return;
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
