#!/usr/bin/env node
// `npm test`: unit tests (vitest), then a production build and the end-to-end tests (Playwright in
// headless Chromium), closing with one "N passed, N failed" line over both.
//
//   node scripts/test.mjs                 unit + build + e2e
//   node scripts/test.mjs --e2e-only      build + e2e (npm run test:e2e)
//   node scripts/test.mjs --unit-only     unit only
//   node scripts/test.mjs --no-build      e2e against the dist/ already there
//   anything else is passed to `playwright test` (a spec file, --project webgpu, -g "title"…)

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flags = new Set(argv.filter((a) => ['--e2e-only', '--unit-only', '--no-build'].includes(a)));
const playwrightArgs = argv.filter((a) => !flags.has(a));
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const bin = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const reports = mkdtempSync(join(tmpdir(), 'hearth-tests-'));

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Debian/Ubuntu packages first, then the browser Playwright downloads for itself, if present. */
async function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  for (const path of candidates) if (existsSync(path)) return path;
  try {
    const { chromium } = await import('playwright-core');
    const path = chromium.executablePath();
    if (path && existsSync(path)) return path;
  } catch {
    // playwright-core not installed or no browser registered for this version.
  }
  return null;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let failed = false;

async function unitTests() {
  const out = join(reports, 'vitest.json');
  const code = await run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  const report = readJson(out);
  if (report) {
    totals.passed += report.numPassedTests ?? 0;
    totals.failed += report.numFailedTests ?? 0;
    totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  }
  if (code !== 0) {
    failed = true;
    // A run that broke before reporting (a file that does not compile, a crash) still counts as a failure.
    if (!report || (report.numFailedTests ?? 0) === 0) totals.failed += 1;
    console.error(`\nunit tests failed (exit ${code})`);
  }
}

async function e2eTests() {
  let chromium = await findChromium();
  if (!chromium) {
    console.error(
      [
        '',
        'No Chromium found for the end-to-end tests. Get one of:',
        '  Debian/Ubuntu:       sudo apt-get install chromium',
        '  where network allows: npx playwright install chromium',
        '  or point CHROMIUM_PATH at a Chromium/Chrome binary.',
        '',
      ].join('\n'),
    );
    if (!inCI) {
      console.error('Trying `npx playwright install chromium` once…');
      await run('npx', ['playwright', 'install', 'chromium']);
      chromium = await findChromium();
    }
    if (!chromium) {
      failed = true;
      totals.failed += 1;
      console.error('end-to-end tests not run: no Chromium');
      return;
    }
  }
  console.log(`\nChromium: ${chromium}`);

  if (!flags.has('--no-build')) {
    const code = await run(bin('vite'), ['build', '--logLevel', 'warn']);
    if (code !== 0) {
      failed = true;
      totals.failed += 1;
      console.error(`\nbuild failed (exit ${code}); end-to-end tests not run`);
      return;
    }
  }

  const out = join(reports, 'playwright.json');
  const code = await run(bin('playwright'), ['test', ...playwrightArgs], {
    CHROMIUM_PATH: chromium,
    PLAYWRIGHT_JSON_OUTPUT_FILE: out,
  });
  const stats = readJson(out)?.stats;
  if (stats) {
    totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    totals.failed += stats.unexpected ?? 0;
    totals.skipped += stats.skipped ?? 0;
  }
  if (code !== 0) {
    failed = true;
    if (!stats || (stats.unexpected ?? 0) === 0) totals.failed += 1;
    console.error(`\nend-to-end tests failed (exit ${code})`);
  }
}

try {
  if (!flags.has('--e2e-only')) await unitTests();
  if (!flags.has('--unit-only')) await e2eTests();
} finally {
  rmSync(reports, { recursive: true, force: true });
}

console.log('');
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(failed || totals.failed > 0 ? 1 : 0);
