// A plain static host for end-to-end tests: serves a built app folder under a sub-path, with or
// without the isolation headers, and can switch to another build (a "deploy") while running.

import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.gguf': 'application/octet-stream',
  '.map': 'application/json',
};

export interface StaticHost {
  /** Origin plus sub-path, ending in `/`, e.g. `http://127.0.0.1:4321/app/`. */
  url: string;
  /** Serves another folder from now on, as a host does after a new version is deployed. */
  deploy(folder: string): void;
  close(): Promise<void>;
}

export interface StaticHostOptions {
  folder: string;
  /** The sub-path the app lives under, e.g. `/app/`. */
  base: string;
  /** Send COOP/COEP (like `npm start`); off for hosts that cannot set headers. */
  isolationHeaders?: boolean;
  /** Told of every file sent, with its size (bench/first-visit.bench.ts adds up a first visit). */
  onServe?: (path: string, bytes: number) => void;
}

/** The build folder scripts/test.mjs wrote (HEARTH_OUT_DIR), else dist/. */
export function builtAppFolder(): string {
  return resolve(process.env.HEARTH_OUT_DIR || 'dist');
}

export async function startStaticHost(options: StaticHostOptions): Promise<StaticHost> {
  let root = resolve(options.folder);
  const base = options.base.endsWith('/') ? options.base : `${options.base}/`;
  const server: Server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
    if (!path.startsWith(base)) {
      response.writeHead(404).end('not found');
      return;
    }
    const relative = normalize(path.slice(base.length) || 'index.html').replace(/^(\.\.[/\\])+/, '');
    let file = join(root, relative);
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      const headers: Record<string, string> = {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Like most static hosts: revalidate, so a new deploy (and a new service worker) is seen.
        'Cache-Control': 'no-cache',
      };
      if (options.isolationHeaders) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      response.writeHead(200, headers).end(body);
      options.onServe?.(relative, body.length);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    deploy: (folder) => {
      root = resolve(folder);
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
