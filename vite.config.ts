import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { VitePWA } from 'vite-plugin-pwa';
import { pwaOptions } from './scripts/pwa-config.js';
import { cspHeader, cspMetaPlugin } from './scripts/csp.js';

// Multi-threaded wasm (wllama) needs SharedArrayBuffer, which needs cross-origin isolation.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The built app's Content-Security-Policy (scripts/csp.ts) for `vite preview` / npm start; the build
// also writes it into index.html as a <meta> tag. Not for the dev server: HMR needs inline and eval.
const previewHeaders = { ...isolationHeaders, 'Content-Security-Policy': cspHeader() };

export default defineConfig(({ mode }) => ({
  base: './',
  plugins: [svelte(), VitePWA(pwaOptions), cspMetaPlugin()],
  server: { headers: isolationHeaders },
  preview: { headers: previewHeaders },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 8000,
    // `vite build --mode bench` adds the benchmark page (the app plus measuring hooks) in its own folder.
    ...(mode === 'bench'
      ? { outDir: 'dist-bench', rollupOptions: { input: { index: 'index.html', bench: 'bench/index.html' } } }
      : { outDir: process.env.HEARTH_OUT_DIR || 'dist', emptyOutDir: true }),
  },
  optimizeDeps: { exclude: ['@wllama/wllama', '@mlc-ai/web-llm'] },
  test: {
    projects: [
      {
        // State, storage, core, engines: Node, with fake-indexeddb.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/ui/**'],
          environment: 'node',
          setupFiles: ['test/unit/setup.ts'],
        },
      },
      {
        // Components (test/unit/ui mirrors src/ui): a DOM from happy-dom, Svelte's browser build,
        // and @testing-library/svelte's cleanup after each test.
        extends: true,
        // Its own cleanup hook is added by path, which misses when node_modules is a link: ui/setup.ts does it.
        plugins: [svelteTesting({ autoCleanup: false })],
        test: {
          name: 'ui',
          include: ['test/unit/ui/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['test/unit/setup.ts', 'test/unit/ui/setup.ts'],
        },
      },
    ],
  },
}));
