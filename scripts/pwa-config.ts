// The installable app's build settings: web app manifest and service worker (vite-plugin-pwa, injectManifest).

import type { VitePWAOptions } from 'vite-plugin-pwa';

/** Largest file the service worker's file list holds: the engines' wasm (wllama ~10 MB, onnxruntime ~27 MB) must fit. */
const MAX_PRECACHED_BYTES = 64 * 1024 * 1024;

export const THEME_COLOR = '#2b2140';

export const pwaOptions: Partial<VitePWAOptions> = {
  strategies: 'injectManifest',
  srcDir: 'src/workers',
  filename: 'service-worker.ts',
  // Registered by src/platform/pwa-registration.ts, which defers updates while a reply is written.
  injectRegister: false,
  registerType: 'prompt',
  manifest: {
    id: './',
    name: 'Hearth — private role-play',
    short_name: 'Hearth',
    description: 'Private role-play chat with characters. The model runs in your browser; nothing leaves your device.',
    lang: 'en',
    theme_color: THEME_COLOR,
    background_color: '#17121f',
    display: 'standalone',
    // Relative to the manifest, so the app installs from any sub-path (base is './').
    start_url: './',
    scope: './',
    categories: ['entertainment', 'productivity'],
    icons: [
      { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  // public/ files (icons included) are matched by globPatterns below; listing them again would duplicate them.
  includeManifestIcons: false,
  injectManifest: {
    // Every file of the build: the shell, the built-in characters (lazy chunks), icons, and every
    // engine chunk and wasm. The service worker precaches the first ones and caches the engines'
    // files when first fetched (src/workers/engine-files.ts). Source maps and test models stay out.
    globPatterns: ['**/*.{js,mjs,css,html,svg,png,wasm,webmanifest,json}'],
    // The plugin adds the manifest itself.
    globIgnores: ['**/*.map', '**/node_modules/**', 'manifest.webmanifest'],
    maximumFileSizeToCacheInBytes: MAX_PRECACHED_BYTES,
  },
  devOptions: { enabled: false },
};
