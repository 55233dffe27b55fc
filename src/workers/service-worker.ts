// The service worker: precaches the app shell and built-in characters, caches each engine's code
// the first time it is fetched, serves both offline, and adds cross-origin isolation headers on
// hosts that cannot send them.

import { cleanupOutdatedCaches, getCacheKeyForURL, matchPrecache, precache } from 'workbox-precaching';
import { engineFilesUsed, splitManifest } from './engine-files';
import { withIsolationHeaders } from './isolation-headers';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<string | { url: string; revision: string | null }>;
};

// Filled in at build time by vite-plugin-pwa (injectManifest) with every file of the built app.
const manifest = splitManifest(self.__WB_MANIFEST);
// A first visit fetches about 1 MB, not the ~50 MB of every engine's code and wasm.
precache(manifest.shell);
cleanupOutdatedCaches();

/** Engine files fetched so far. Their names carry a content hash, so a cached copy never goes stale. */
const ENGINE_CACHE = 'hearth-engine-files';
const engineUrls = new Set(manifest.engine.map((path) => new URL(path, self.location.href).href));

// Prompt mode: a new version waits until the page asks for it ("Reload to update"), so a reply
// being written is never cut by an update taking over.
self.addEventListener('message', (event) => {
  const data = event.data as { type?: string; fetched?: unknown } | null;
  if (data?.type === 'SKIP_WAITING') void self.skipWaiting();
  // A page that loaded an engine before this worker took it: keep that engine's files now, so the
  // next start works offline (their fetches never came through here).
  if (data?.type === 'ENGINES_FETCHED' && Array.isArray(data.fetched)) {
    const fetched = data.fetched.filter((url): url is string => typeof url === 'string');
    event.waitUntil(keepEngineFiles(engineFilesUsed(fetched, [...engineUrls])));
  }
});

// The first install takes the open page at once, so it works offline without a second visit. An
// update never gets here before the page asked (SKIP_WAITING above).
self.addEventListener('activate', (event) => event.waitUntil(Promise.all([self.clients.claim(), dropOldEngineFiles()])));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Model downloads from other origins go straight to the network: engines keep their own caches.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  const precached = [url.href, ...(request.mode === 'navigate' ? [appPage(url)] : [])].find((href) => getCacheKeyForURL(href));
  if (precached) {
    event.respondWith(fromPrecache(request, precached));
  } else if (engineUrls.has(url.origin + url.pathname)) {
    event.respondWith(engineFile(event, url.origin + url.pathname));
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

/** Cache first: an engine file from the cache, else from the network, kept for the next (offline) start. */
async function engineFile(event: FetchEvent, key: string): Promise<Response> {
  const cache = await caches.open(ENGINE_CACHE);
  const cached = await cache.match(key);
  if (cached) return withIsolationHeaders(cached);
  const response = await fetch(event.request);
  // Stored beside the answer, which streams on meanwhile (wasm compiles as it arrives).
  if (response.ok && !response.redirected) event.waitUntil(cache.put(key, response.clone()));
  return withIsolationHeaders(response);
}

async function keepEngineFiles(urls: readonly string[]): Promise<void> {
  const cache = await caches.open(ENGINE_CACHE);
  for (const url of urls) {
    if (await cache.match(url)) continue;
    // Most come from the browser's HTTP cache, just filled by the page; a failure waits for the next use.
    const response = await fetch(url).catch(() => null);
    if (response?.ok && !response.redirected) await cache.put(url, response);
  }
}

/** A new version's engine files have new names: the previous version's copies go when it takes over. */
async function dropOldEngineFiles(): Promise<void> {
  const cache = await caches.open(ENGINE_CACHE);
  for (const request of await cache.keys()) if (!engineUrls.has(request.url)) await cache.delete(request);
}

/** The app's page for a navigation: `/app/` and `/app/?x` are `/app/index.html`; the hash never reaches here. */
function appPage(url: URL): string {
  const page = new URL(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname, url.origin);
  return page.href;
}
