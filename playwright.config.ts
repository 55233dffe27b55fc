// End-to-end tests: the built app (vite preview, cross-origin isolated) in Debian's headless Chromium.

import { defineConfig, type LaunchOptions } from '@playwright/test';

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const launch = (extra: string[] = []): LaunchOptions => ({ executablePath, args: [...args, ...extra] });
const port = Number(process.env.E2E_PORT || 4173);

export default defineConfig({
  testDir: 'test/e2e',
  // Separate folders let two checkouts' test runs share a machine (see README, "Running tests").
  outputDir: process.env.HEARTH_TEST_RESULTS || 'test-results',
  globalSetup: './test/e2e/global-setup.ts',
  // Real inference runs on the CPU; the machines have 2 cores.
  workers: 2,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  // scripts/test.mjs reads the JSON file for the closing "N passed, N failed" line.
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_FILE || 'playwright-report/results.json' }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    // The app's service worker serves precached files, which page.route() cannot see; specs about
    // it (offline.spec.ts) allow it, the rest run without it so their routes stay in force.
    serviceWorkers: 'block',
  },
  projects: [
    { name: 'cpu', testIgnore: /\.webgpu\.spec\.ts$/, use: { browserName: 'chromium', launchOptions: launch() } },
    // SwiftShader WebGPU (no shader-f16, 1 GiB buffers) for the GPU probe and model-fit flows.
    { name: 'webgpu', testMatch: /\.webgpu\.spec\.ts$/, use: { browserName: 'chromium', launchOptions: launch(['--enable-unsafe-webgpu']) } },
  ],
  webServer: {
    // dist/ is built by scripts/test.mjs before Playwright starts.
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
