// Shared Playwright helpers: where the tiny model is, and a guard that keeps every request on localhost.

import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

/** Written by global-setup (test/fixtures/make-tiny-gguf.ts): a ~0.5 MB random llama GGUF. */
export const tinyGgufPath = fileURLToPath(new URL('../fixtures/out/tiny.gguf', import.meta.url));

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLocal(url: URL): boolean {
  return url.protocol === 'data:' || url.protocol === 'blob:' || LOCAL_HOSTS.has(url.hostname);
}

/**
 * Aborts every request that would leave localhost and returns the list of their URLs (filled in as
 * they happen), so a test can assert `expect(list).toEqual([])`. Route on the context, not the page:
 * context routes also see requests from dedicated workers (wllama's, web-llm's). Requests a service
 * worker makes itself are not seen; tests that must see them create the context with
 * `serviceWorkers: 'block'`.
 */
export async function blockExternalRequests(target: Page | BrowserContext): Promise<string[]> {
  const blocked: string[] = [];
  await target.route((url) => !isLocal(url), async (route) => {
    blocked.push(route.request().url());
    await route.abort('blockedbyclient');
  });
  return blocked;
}

/**
 * `test` with an automatic `externalRequests` fixture: every test runs with outside requests blocked
 * and fails at the end if any was attempted.
 */
export const test = base.extend<{ externalRequests: string[] }>({
  externalRequests: [
    async ({ context }, use) => {
      const blocked = await blockExternalRequests(context);
      await use(blocked);
      expect(blocked, 'requests that tried to leave localhost').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
