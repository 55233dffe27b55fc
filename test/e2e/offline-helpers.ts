// Steps of the offline end-to-end tests: waiting for the service worker, going offline, recording
// where requests went, and reading the web app manifest.

import { expect, type BrowserContext, type Page, type Request } from '@playwright/test';

/** Waits until a service worker is active and controls the page; returns its scope. */
export async function waitForServiceWorker(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((done) => navigator.serviceWorker.addEventListener('controllerchange', done, { once: true }));
    }
    return registration.scope;
  });
}

export interface RequestLog {
  /** Every request the page and its workers made, in order. */
  all: Request[];
  /** Requests to another origin than `origin`. */
  foreign(): string[];
  /** App files the page or its workers asked for that the service worker did not answer. */
  notFromServiceWorker(): Promise<string[]>;
}

/** Starts recording requests (page and dedicated workers) of a context. */
export function recordRequests(context: BrowserContext, origin: string): RequestLog {
  const all: Request[] = [];
  context.on('request', (request) => all.push(request));
  return {
    all,
    foreign: () => all.map((r) => r.url()).filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin),
    notFromServiceWorker: async () => {
      const missed: string[] = [];
      for (const request of all) {
        const url = request.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) continue;
        // The worker's own fetches, and the browser's update check of the worker script, which
        // fails offline by design, are not app files the page asked for.
        if (request.serviceWorker() || new URL(url).pathname.endsWith('/service-worker.js')) continue;
        const response = await request.response();
        if (!response?.fromServiceWorker()) missed.push(url);
      }
      return missed;
    },
  };
}

/**
 * Cuts the network (page, workers and the service worker's own fetches) and reloads; the app must
 * start from the service worker's cache. Returns the log of requests made while offline.
 */
export async function goOfflineAndReload(page: Page, origin: string, hash = '#/'): Promise<RequestLog> {
  const context = page.context();
  await context.setOffline(true);
  const log = recordRequests(context, origin);
  await page.goto(new URL(hash, page.url()).href);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  return log;
}

export interface ManifestIcon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
}

export interface WebAppManifest {
  name: string;
  short_name: string;
  description: string;
  icons: ManifestIcon[];
  theme_color: string;
  background_color: string;
  display: string;
  start_url: string;
  scope: string;
}

/** The manifest linked from the page, with its URL (members resolve against it). */
export async function readManifest(page: Page): Promise<{ url: string; manifest: WebAppManifest }> {
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href, 'the page links a web app manifest').toBeTruthy();
  const url = new URL(href!, page.url()).href;
  const response = await page.request.get(url);
  expect(response.ok()).toBe(true);
  return { url, manifest: (await response.json()) as WebAppManifest };
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1'), 'a PNG signature').toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
