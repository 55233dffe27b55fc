// The Models page's "Model server" card: the server's address, API key, model and context window as
// the person enters them (kept in settings), testing the connection, asking once per server before
// any text is sent there, and connecting the server engine through the model loader.

import { AppError, toAppError } from '../core/errors';
import { normalizeServerUrl, serverHost, type ServerConfig } from '../core/model-server';
import { ServerClient, type ServerClientOptions } from '../engines/server/server-client';
import { FALLBACK_SERVER_CONTEXT } from '../engines/server/server-engine';
import type { ModelLoader } from './model-loader.svelte';

/** Settings keys: the address, model and window (backed up); the key (backed up only on request); consent (this device). */
export const SERVER_KEY = 'modelServer';
export const SERVER_API_KEY = 'modelServer.apiKey';
export const SERVER_CONSENT_KEY = 'modelServer.consent';

interface SavedServer {
  baseUrl: string;
  model: string;
  contextWindow?: number;
}

export interface ServerSettingsStore {
  get<T>(key: string, fallback: T): Promise<T>;
  set<T>(key: string, value: T): Promise<void>;
}

export interface ModelServerDeps {
  settings: () => ServerSettingsStore;
  loader: ModelLoader;
  clientOptions?: ServerClientOptions;
}

export type ServerTestStatus = 'idle' | 'testing' | 'ok' | 'error';

export class ModelServerState {
  url = $state('');
  apiKey = $state('');
  model = $state('');
  /** As typed (a number field); empty means "as the server says, else the fallback". */
  contextInput = $state<number | null>(null);
  /** Model ids the server listed at the last test. */
  models = $state.raw<string[]>([]);
  /** The window the server stated (llama-server /props) at the last test. */
  statedContext = $state<number | null>(null);
  status = $state<ServerTestStatus>('idle');
  error = $state.raw<AppError | null>(null);
  /** The host the person is being asked about before the first text goes there. */
  consentFor = $state<string | null>(null);
  /** Hosts the person agreed to send text to, on this device. */
  consented = $state.raw<string[]>([]);
  /** The configuration last used, to offer "use it again" after a reload. */
  saved = $state.raw<SavedServer | null>(null);

  readonly #deps: ModelServerDeps;

  constructor(deps: ModelServerDeps) {
    this.#deps = deps;
  }

  /** The normalized address, or null while what is typed is no URL. */
  get baseUrl(): string | null {
    return normalizeServerUrl(this.url);
  }

  /** The host text goes to while a server model is loaded; null for the local engines. */
  get activeHost(): string | null {
    const source = this.#deps.loader.source;
    return this.#deps.loader.status === 'ready' && source?.kind === 'server' ? serverHost(source.server.baseUrl) : null;
  }

  /** The host of what is typed, for "connected to …". */
  get host(): string | null {
    const baseUrl = this.baseUrl;
    return baseUrl ? serverHost(baseUrl) : null;
  }

  get contextWindow(): number | undefined {
    const entered = this.contextInput;
    return typeof entered === 'number' && Number.isFinite(entered) && entered > 0 ? Math.floor(entered) : undefined;
  }

  get fallbackContext(): number {
    return FALLBACK_SERVER_CONTEXT;
  }

  async restore(): Promise<void> {
    const settings = this.#deps.settings();
    const saved = await settings.get<SavedServer | null>(SERVER_KEY, null);
    this.saved = saved;
    this.apiKey = await settings.get<string>(SERVER_API_KEY, '');
    this.consented = await settings.get<string[]>(SERVER_CONSENT_KEY, []);
    if (saved) {
      this.url = saved.baseUrl;
      this.model = saved.model;
      this.contextInput = saved.contextWindow ?? null;
    }
  }

  /** Reads the server's models and window; picks the first model when none is chosen or the chosen one is gone. */
  async test(): Promise<boolean> {
    const baseUrl = this.baseUrl;
    this.error = null;
    if (!baseUrl) {
      this.status = 'error';
      return false;
    }
    this.status = 'testing';
    try {
      const client = new ServerClient(baseUrl, this.apiKey, this.#deps.clientOptions);
      const models = await client.listModels();
      this.models = models;
      this.statedContext = await client.contextWindow();
      if (models.length > 0 && !models.includes(this.model)) this.model = models[0];
      this.status = 'ok';
      await this.#save();
      return true;
    } catch (error) {
      this.status = 'error';
      this.error = toAppError(error, 'server-failed');
      return false;
    }
  }

  /** Loads the chosen model; the first time for a host, asks first (consentFor) and waits for accept(). */
  async connect(): Promise<void> {
    const baseUrl = this.baseUrl;
    if (!baseUrl || this.model.trim() === '') {
      this.status = 'error';
      return;
    }
    const host = serverHost(baseUrl);
    if (!this.consented.includes(host)) {
      this.consentFor = host;
      return;
    }
    await this.#save();
    const server: ServerConfig = { baseUrl, model: this.model.trim(), ...(this.apiKey.trim() ? { apiKey: this.apiKey.trim() } : {}) };
    const contextWindow = this.contextWindow;
    if (contextWindow) server.contextWindow = contextWindow;
    await this.#deps.loader.load({ kind: 'server', server });
  }

  /** The person agreed to send text to the host asked about: remember it here, then connect. */
  async accept(): Promise<void> {
    const host = this.consentFor;
    if (!host) return;
    this.consentFor = null;
    this.consented = [...this.consented, host];
    await this.#deps.settings().set(SERVER_CONSENT_KEY, [...this.consented]);
    await this.connect();
  }

  decline(): void {
    this.consentFor = null;
  }

  async #save(): Promise<void> {
    const baseUrl = this.baseUrl;
    if (!baseUrl) return;
    const saved: SavedServer = { baseUrl, model: this.model.trim(), ...(this.contextWindow ? { contextWindow: this.contextWindow } : {}) };
    const settings = this.#deps.settings();
    await settings.set(SERVER_KEY, saved);
    await settings.set(SERVER_API_KEY, this.apiKey.trim());
    this.saved = saved;
  }
}
