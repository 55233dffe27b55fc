// The built app's Content-Security-Policy (scripts/csp.ts): sent by `vite preview` (npm start) as a
// header and written into index.html as a <meta> tag; injected script does not run, and loading the
// app and a model (wllama: blob: workers, wasm) breaks none of its rules.

import { expect, test, type Page } from '@playwright/test';
import { cspHeader, cspMeta } from '../../scripts/csp';
import { loadTinyModel } from './app';

/** Console lines about the policy, from the page and its workers (Chrome logs violations there). */
function watchViolations(page: Page): string[] {
  const lines: string[] = [];
  const watch = (text: string) => {
    if (/Content Security Policy/i.test(text)) lines.push(text);
  };
  page.on('console', (message) => watch(message.text()));
  page.on('worker', (worker) => worker.on('console', (message) => watch(message.text())));
  return lines;
}

test.describe('Content-Security-Policy', () => {
  test('the page carries the policy as a header and as a meta tag', async ({ page }) => {
    const response = await page.goto('/');
    expect(response?.headers()['content-security-policy']).toBe(cspHeader());
    const meta = page.locator('meta[http-equiv="Content-Security-Policy"]');
    await expect(meta).toHaveAttribute('content', cspMeta());
    // First in <head>: a meta policy covers only what comes after it.
    expect(await page.evaluate(() => document.head.firstElementChild?.getAttribute('http-equiv'))).toBe('Content-Security-Policy');
  });

  test('an injected inline script does not run and is reported', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    const result = await page.evaluate(async () => {
      const violation = new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true });
      });
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.append(script);
      const directive = await Promise.race([violation, new Promise<string>((resolve) => setTimeout(() => resolve('none'), 2000))]);
      return { ran: (window as unknown as { __injected?: boolean }).__injected === true, directive };
    });
    expect(result.ran).toBe(false);
    expect(result.directive).toMatch(/^script-src/);
  });

  test('loading the app and a model breaks no rule of the policy', async ({ page }) => {
    const lines = watchViolations(page);
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`));
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    await loadTinyModel(page);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    expect(lines).toEqual([]);
  });
});
