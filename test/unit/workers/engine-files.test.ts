import { describe, expect, it } from 'vitest';
import { engineFilesUsed, splitManifest } from '../../../src/workers/engine-files';

// File names as a build writes them (vite's content hashes).
const BUILD = [
  { url: 'index.html', revision: 'a1' },
  'assets/index-CtFfb5Gc.js',
  'assets/index-D7YfXGo7.css',
  'assets/character-PlleNb_k.js',
  'assets/avatar-BoneDZbJ.js',
  'assets/import.worker-C2UrObnX.js',
  'assets/backup.worker-DIOhaPtq.js',
  'assets/wllama-engine-DTHmDhLs.js',
  'icon-192.png',
  'assets/wllama-CO25czjY.wasm',
  'assets/ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm',
  'assets/ort-wasm-simd-threaded.asyncify-DXIbolS2.mjs',
  'assets/wllama.worker-DsFdlw0Z.js',
  'assets/webllm.worker-DPr0tEkz.js',
  'assets/embedding.worker-BRpfk9sz.js',
  'assets/lib-CECpFLTr.js',
];

describe('the service worker file list', () => {
  it('precaches the shell, the built-in characters and the import and backup workers, and leaves every engine file to its first use', () => {
    const { shell, engine } = splitManifest(BUILD);
    expect(shell).toEqual([
      { url: 'index.html', revision: 'a1' },
      'assets/index-CtFfb5Gc.js',
      'assets/index-D7YfXGo7.css',
      'assets/character-PlleNb_k.js',
      'assets/avatar-BoneDZbJ.js',
      'assets/import.worker-C2UrObnX.js',
      'assets/backup.worker-DIOhaPtq.js',
      'assets/wllama-engine-DTHmDhLs.js',
      'icon-192.png',
    ]);
    expect(engine).toEqual([
      'assets/wllama-CO25czjY.wasm',
      'assets/ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm',
      'assets/ort-wasm-simd-threaded.asyncify-DXIbolS2.mjs',
      'assets/wllama.worker-DsFdlw0Z.js',
      'assets/webllm.worker-DPr0tEkz.js',
      'assets/embedding.worker-BRpfk9sz.js',
      'assets/lib-CECpFLTr.js',
    ]);
  });
});

describe('engines used before the service worker took the page', () => {
  const engineUrls = splitManifest(BUILD).engine.map((path) => `https://app.test/${path}`);

  it('keeps every file of each engine whose worker the page started, and nothing of the others', () => {
    const fetched = ['https://app.test/assets/index-CtFfb5Gc.js', 'https://app.test/assets/wllama.worker-DsFdlw0Z.js'];
    expect(engineFilesUsed(fetched, engineUrls)).toEqual(['https://app.test/assets/wllama-CO25czjY.wasm', 'https://app.test/assets/wllama.worker-DsFdlw0Z.js']);
    expect(engineFilesUsed(['https://app.test/assets/webllm.worker-DPr0tEkz.js', 'https://app.test/assets/embedding.worker-BRpfk9sz.js'], engineUrls)).toEqual([
      'https://app.test/assets/ort-wasm-simd-threaded.asyncify-CxOG5pUO.wasm',
      'https://app.test/assets/ort-wasm-simd-threaded.asyncify-DXIbolS2.mjs',
      'https://app.test/assets/webllm.worker-DPr0tEkz.js',
      'https://app.test/assets/embedding.worker-BRpfk9sz.js',
      'https://app.test/assets/lib-CECpFLTr.js',
    ]);
    expect(engineFilesUsed(['https://app.test/assets/index-CtFfb5Gc.js'], engineUrls)).toEqual([]);
  });
});
