// What the benchmark scripts share: the median of timings, the Markdown tables they print, and headless Chromium.

// Node and Playwright are imported inside launchChromium, never at the top: retrieval.bench.ts is
// also bundled by Vite and run in the page, where a static `import 'node:fs'` would not load.
import type { Browser } from '@playwright/test';

/** The middle sample; of an even count, the upper of the two middle ones (not their mean). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A Markdown table, each column as wide as its widest cell, every cell aligned left. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One line of a summary table: what was measured, the figure, its target and whether it met it. */
export interface Row {
  figure: string;
  value: string;
  target: string;
  verdict: string;
}

/** The summary table of `rows`; `firstHeader` names the first column. */
export function rowsTable(rows: readonly Row[], firstHeader = 'figure'): string {
  return markdownTable([firstHeader, 'value', 'target', 'verdict'], rows.map((row) => [row.figure, row.value, row.target, row.verdict]));
}

/**
 * Headless Chromium: CHROMIUM_PATH or the system's. When neither is there, `ifMissing: 'fail'` stops
 * with a sentence saying what to install, and 'bundled' lets Playwright use its own download.
 */
export async function launchChromium(ifMissing: 'fail' | 'bundled' = 'fail'): Promise<Browser> {
  const [{ chromium }, { existsSync }] = await Promise.all([import('@playwright/test'), import('node:fs')]);
  const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path && existsSync(path));
  if (!executablePath && ifMissing === 'fail') throw new Error('No Chromium found: set CHROMIUM_PATH or install it (sudo apt-get install chromium).');
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
