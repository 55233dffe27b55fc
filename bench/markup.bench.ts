// `npx tsx bench/markup.bench.ts`: markup parse time and look-ahead work on adversarial input at
// 100 KB, 1 MB and 10 MB, and lorebook regex keys against a 1 MB message. Linear parsing shows as
// a constant ms-per-MB and work-per-character down each column. Prints tables; targets are
// reported, never asserted.

import { matchLorebook } from '../src/core/lorebook';
import { measureMarkupWork } from '../src/core/markup';
import { median, rowsTable, type Row } from './common';

const SIZES = [100_000, 1_000_000, 10_000_000];
const INPUTS: [string, string][] = [
  ['[a]( repeated', '[a]('],
  ['* alternating with letters', '*a'],
  ['**_~~ mixes', '**_~~a*_'],
  ['unclosed quotes', '"a “b 「c '],
  ['failing bare URLs', 'http://?'],
  ['bare URL + 2,000 )', 'http://a' + ')'.repeat(2000) + ' '],
  ['ordinary role-play', '*She smiles.* "Hello, [friend](https://example.com)!" **bold** `x`\n'],
];

const repeatTo = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

function time(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

const rows: Row[] = [];
for (const [name, unit] of INPUTS) {
  for (const size of SIZES) {
    const text = repeatTo(unit, size);
    const runs = size >= 10_000_000 ? 1 : 3;
    let work = 0;
    const ms = time(() => (work = measureMarkupWork(text).work), runs);
    const msPerMb = ms / (size / 1e6);
    rows.push({
      figure: `markup: ${name}, ${size / 1000} KB (ms; ms/MB; work/char)`,
      value: `${ms.toFixed(1)}; ${msPerMb.toFixed(0)}; ${(work / size).toFixed(2)}`,
      target: 'ms/MB flat across sizes',
      verdict: work <= 8 * size ? 'ok' : 'MISSED',
    });
  }
}
console.log(rowsTable(rows, 'markup parse'));

const message = 'the quiet road runs on. '.repeat(Math.ceil(1_000_000 / 24));
const keys = ['/\\bdragon(s)?\\b/i', '/^hello/m', '/(a|a)*b/', '/[a-z]*[a-z]*[a-z]*[a-z]*0/', '/\\p{Script=Han}{2}/u'];
const loreRows: Row[] = keys.map((key) => {
  const book = { extensions: {}, entries: [{ id: 1, keys: [key], secondaryKeys: [], content: 'x', enabled: true, insertionOrder: 1, extensions: {} }] };
  let warning = '';
  const ms = time(() => {
    const result = matchLorebook(book, [{ role: 'user', content: message }], { tokenBudget: 1000 });
    warning = result.warnings[0]?.problem ?? 'none';
  }, 3);
  return { figure: `lorebook key ${key} on a 1 MB message (ms; warning)`, value: `${ms.toFixed(1)}; ${warning}`, target: '< 200 ms', verdict: ms < 200 ? 'ok' : 'MISSED' };
});
console.log(rowsTable(loreRows, 'lorebook regex'));
