// The installed app's lifecycle as the person sees it: a new version waiting, "works offline" once
// cached, the network state, and reloading only when that cuts nothing (a reply, a model load).

/** What the page is doing that a reload would destroy. */
export interface PageActivity {
  /** A reply is being written. */
  streaming: boolean;
  /** A model is loading or loaded (a model picked from a file would have to be picked again). */
  modelInUse: boolean;
}

/** The service worker registration, as far as this class needs it (src/platform/pwa-registration.ts). */
export interface UpdateHooks {
  /** Tells the waiting version to take over; `tookOver()` follows when it has. */
  activateWaiting(): Promise<void>;
  reload(): void;
}

export class AppUpdate {
  /** A new version has been downloaded (or has taken over from another tab) and needs a reload. */
  available = $state(false);
  /** The person chose "Later" for this version. */
  dismissed = $state(false);
  /** The app and its engines are cached: it starts without a network from now on. */
  offlineReady = $state(false);
  online = $state(true);

  #activity: () => PageActivity;
  #hooks: UpdateHooks | null = null;
  #accepted = false;
  /** Another tab let the new version take over already: there is nothing left to activate. */
  #alreadyInControl = false;

  constructor(activity: () => PageActivity) {
    this.#activity = activity;
  }

  /** "Reload to update" is shown only while no reply is being written, so it can never cut one. */
  get offered(): boolean {
    return this.available && !this.dismissed && !this.#activity().streaming;
  }

  connect(hooks: UpdateHooks): void {
    this.#hooks = hooks;
  }

  /** A new version is installed and waiting (the service worker does not take over on its own). */
  versionWaiting(): void {
    this.available = true;
    this.dismissed = false;
  }

  /**
   * The new version controls the page now. When the person asked for it here, reload; when another
   * tab did, this page keeps its version and offers the reload like a waiting one.
   */
  tookOver(): void {
    if (this.#accepted && this.#hooks) {
      this.#hooks.reload();
      return;
    }
    this.#alreadyInControl = true;
    this.versionWaiting();
  }

  /** The person pressed "Reload to update". Refused (false) while a reply is being written. */
  async accept(): Promise<boolean> {
    if (!this.available || !this.#hooks || this.#activity().streaming) return false;
    this.#accepted = true;
    this.available = false;
    if (this.#alreadyInControl) this.#hooks.reload();
    else await this.#hooks.activateWaiting();
    return true;
  }

  dismiss(): void {
    this.dismissed = true;
  }

  markOfflineReady(): void {
    this.offlineReady = true;
  }

  setOnline(online: boolean): void {
    this.online = online;
  }

  /**
   * The page is not cross-origin isolated (a static host without COOP/COEP) but the service worker,
   * which adds them, now controls it: one reload makes multi-threaded wasm possible. Only done while
   * the page is idle; otherwise the CPU engine runs single-threaded until the next visit.
   */
  reloadForIsolation(): boolean {
    const activity = this.#activity();
    if (!this.#hooks || activity.streaming || activity.modelInUse) return false;
    this.#hooks.reload();
    return true;
  }
}
