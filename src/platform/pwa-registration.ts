/// <reference types="vite-plugin-pwa/vanillajs" />
// Registers the service worker and feeds its events (new version, offline ready), the network
// state and the cross-origin isolation fallback to AppUpdate. Browser only; main.ts calls it.
// A browser adapter (platform/, not state/: it holds no app state, only talks to the browser).

import { registerSW } from 'virtual:pwa-register';

/**
 * What the service worker's events are told to: AppUpdate in state fits it. Declared here so this
 * adapter depends on no layer above it (main.ts hands the state object in).
 */
export interface UpdateTarget {
  setOnline(online: boolean): void;
  versionWaiting(): void;
  markOfflineReady(): void;
  connect(hooks: { activateWaiting: () => Promise<void>; reload: () => void }): void;
  tookOver(): void;
  reloadForIsolation(): boolean;
}

/** Besides the check on every start, look for a new version while the app stays open. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;
/** Set once this tab has reloaded for isolation, so a browser that ignores the headers never loops. */
const ISOLATION_RELOAD_KEY = 'hearth.isolation-reload';

export function registerServiceWorker(update: UpdateTarget): void {
  update.setOnline(navigator.onLine);
  window.addEventListener('online', () => update.setOnline(true));
  window.addEventListener('offline', () => update.setOnline(false));
  if (!('serviceWorker' in navigator)) return;

  const activateWaiting = registerSW({
    onNeedRefresh: () => update.versionWaiting(),
    // Given so the plugin does not reload on its own; takeovers are seen below, also on a first
    // visit's page, where the plugin does not report them.
    onNeedReload: () => undefined,
    onOfflineReady: () => update.markOfflineReady(),
    onRegisteredSW: (_url, registration) => {
      if (!registration) return;
      // A failed check (offline) is retried at the next interval; nothing to tell the person.
      setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
    onRegisterError: (error: unknown) => console.warn('Service worker registration failed; the app will not work offline.', error),
  });
  update.connect({ activateWaiting: () => activateWaiting(true), reload: () => window.location.reload() });
  watchController(update);
}

/**
 * The first controller is the first install taking the page (clients.claim); any later change is
 * a new version taking over, asked for here or in another tab.
 */
function watchController(update: UpdateTarget): void {
  let controlled = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (controlled) update.tookOver();
    else {
      reportEnginesFetched();
      reloadForIsolation(update);
    }
    controlled = true;
  });
  if (controlled) reloadForIsolation(update);
}

/**
 * A first visit: what the page fetched before the worker took it (an engine loaded at once) never
 * went through the worker. Tell it, so it keeps those engines' files for the next, offline start.
 */
function reportEnginesFetched(): void {
  const fetched = performance.getEntriesByType('resource').map((entry) => entry.name);
  navigator.serviceWorker.controller?.postMessage({ type: 'ENGINES_FETCHED', fetched });
}

/**
 * On a static host without COOP/COEP the first visit is not cross-origin isolated; once the
 * service worker (which adds the headers) controls the page, one reload fixes that.
 */
function reloadForIsolation(update: UpdateTarget): void {
  if (window.crossOriginIsolated || sessionStorage.getItem(ISOLATION_RELOAD_KEY)) return;
  sessionStorage.setItem(ISOLATION_RELOAD_KEY, '1');
  if (!update.reloadForIsolation()) sessionStorage.removeItem(ISOLATION_RELOAD_KEY);
}
