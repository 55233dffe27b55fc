// `npx tsx bench/chat-search.bench.ts`: search in chats, the matching part. A search works a page of
// SEARCH_PAGE messages between breaks for the browser, so the time of the slowest page is what a
// person could feel; the whole scan of a large history is the time to the last result. Like the
// app, a scan ends once MAX_SEARCH_HITS messages matched. Prints a
// table; targets are reported, never asserted.

import { findInText, foldQuery } from '../src/core/chat-search';
import { MAX_SEARCH_HITS, SEARCH_PAGE } from '../src/state/chat-search.svelte';
import { median, rowsTable, type Row } from './common';

const MESSAGES = 100_000;
const LINES = [
  '*The lamp gutters as the door swings open.* You are late, and the tide will not wait for either of us. ',
  'The ferry from Élancourt was cancelled again; she shakes the rain from her coat and sits by the fire. ',
  '我说：灯塔的光一直在，从来没有灭过。你要是不信，就自己上去看看。 ',
  '"Logging both of you," Ledger said. "Visibility: poor. Morale: worse. Coffee: unacceptable." ',
];
const history = Array.from({ length: MESSAGES }, (_, i) => LINES[i % LINES.length].repeat(1 + (i % 4)) + ` #${i}`);

function scan(query: string): { totalMs: number; pageMs: number[]; hits: number } {
  const folded = foldQuery(query);
  let hits = 0;
  const pageMs: number[] = [];
  const start = performance.now();
  for (let page = 0; page < history.length; page += SEARCH_PAGE) {
    const pageStart = performance.now();
    for (let i = page; i < Math.min(history.length, page + SEARCH_PAGE) && hits < MAX_SEARCH_HITS; i++) if (findInText(history[i], folded)) hits++;
    pageMs.push(performance.now() - pageStart);
    if (hits >= MAX_SEARCH_HITS) break;
  }
  return { totalMs: performance.now() - start, pageMs, hits };
}

const rows: Row[] = [];
for (const [label, query] of [['no match', 'zeppelin'], ['English, every 4th message', 'elancourt'], ['Chinese, every 4th message', '光一直'], ['every message', 'the']] as const) {
  const runs = [scan(query), scan(query), scan(query)];
  const pages = runs.flatMap((r) => r.pageMs).sort((a, b) => a - b);
  const typical = median(pages);
  const p95 = pages[Math.floor(pages.length * 0.95)];
  rows.push({
    figure: `${label}: ${MESSAGES.toLocaleString('en-US')} messages (ms to the end or ${MAX_SEARCH_HITS} matches; page of ${SEARCH_PAGE}: median ms, p95 ms; matches)`,
    value: `${median(runs.map((r) => r.totalMs)).toFixed(0)}; ${typical.toFixed(1)}, ${p95.toFixed(1)}; ${runs[0].hits}`,
    target: 'p95 page < 16 ms (one frame)',
    verdict: p95 < 16 ? 'ok' : 'MISSED',
  });
}
console.log(rowsTable(rows, 'search in chats'));
