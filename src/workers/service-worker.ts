// The service worker: precaches the app shell, built-in characters and engine wasm, serves them
// offline, and adds cross-origin isolation headers on hosts that cannot send them.

import { cleanupOutdatedCaches, getCacheKeyForURL, matchPrecache, precache } from 'workbox-precaching';
import { withIsolationHeaders } from './isolation-headers';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<string | { url: string; revision: string | null }>;
};

// Filled in at build time by vite-plugin-pwa (injectManifest) with every file of the built app.
precache(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Prompt mode: a new version waits until the page asks for it ("Reload to update"), so a reply
// being written is never cut by an update taking over.
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// The first install takes the open page at once, so it works offline without a second visit. An
// update never gets here before the page asked (SKIP_WAITING above).
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Model downloads from other origins go straight to the network: engines keep their own caches.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  const precached = [url.href, ...(request.mode === 'navigate' ? [appPage(url)] : [])].find((href) => getCacheKeyForURL(href));
  if (precached) {
    event.respondWith(fromPrecache(request, precached));
  } else if (request.mode === 'navigate') {
    // A page outside the build: the network's answer, with the headers the host may lack.
    event.respondWith(fetch(request).then(withIsolationHeaders));
  }
  // Anything else (a GGUF served beside the app) is left to the network untouched, so large
  // downloads do not stream through the worker.
});

async function fromPrecache(request: Request, precachedUrl: string): Promise<Response> {
  const cached = await matchPrecache(precachedUrl);
  // Evicted by the browser or cleared: the network still has it while online.
  return withIsolationHeaders(cached ?? (await fetch(request)));
}

/** The app's page for a navigation: `/app/` and `/app/?x` are `/app/index.html`; the hash never reaches here. */
function appPage(url: URL): string {
  const page = new URL(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname, url.origin);
  return page.href;
}
