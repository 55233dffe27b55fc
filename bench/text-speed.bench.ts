// `npx tsx bench/text-speed.bench.ts`: the speed figures that unit tests must not assert (they
// would flake on a loaded machine): token estimates and macros over long text, zip bombs refused
// from their directory, and a hostile GGUF chat template giving up. Prints a table; targets are
// reported, never asserted.

import { importCardFile } from '../src/core/cards/detect';
import { ChatTemplate } from '../src/engines/wllama/chat-template';
import { expandMacros } from '../src/core/macros';
import { parseChatHaruhiZip } from '../src/core/packs/chatharuhi';
import { estimateTokens } from '../src/core/tokens';
import { cardV2, deflatedZeros, hostileZip, json } from '../test/unit/hostile/generators';
import { median, rowsTable, type Row } from './common';

function time(fn: () => void, runs = 5): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    try {
      fn();
    } catch {
      // The refusals are what is timed.
    }
    times.push(performance.now() - start);
  }
  return median(times);
}

const row = (figure: string, ms: number, target: number): Row => ({
  figure,
  value: `${ms.toFixed(1)} ms`,
  target: `< ${target} ms`,
  verdict: ms < target ? 'ok' : 'MISSED',
});

const prose = '*She smiles.* "Hello there, 你好!" 123 '.repeat(5000);
const braces = '{{'.repeat(50_000) + '}}'.repeat(50_000);
const bomb = hostileZip([
  { name: 'card.json', data: json(cardV2()) },
  { name: 'bomb.bin', raw: deflatedZeros(201 * 1024 * 1024), declaredSize: 201 * 1024 * 1024, crc: 0 },
]);
const liar = hostileZip([{ name: 'texts/a.txt', raw: deflatedZeros(32 * 1024 * 1024), declaredSize: 100 }]);
const template = new ChatTemplate("{% for a in messages[0].content.split(' ') %}{% for b in messages[0].content.split(' ') %}{% endfor %}{% endfor %}");
const chat = { messages: [{ role: 'user', content: 'word '.repeat(2000) }] };

const rows: Row[] = [
  row(`estimateTokens, ${(prose.length / 1000).toFixed(0)} K characters of mixed prose`, time(() => estimateTokens(prose)), 100),
  row('expandMacros, 50,000 unclosed {{ then 50,000 }}', time(() => expandMacros(braces, { char: 'Haruhi', user: 'Kyon' })), 500),
  row('a CHARX declaring 201 MB refused (zip-too-large)', time(() => importCardFile('bomb.charx', bomb)), 200),
  row('a ChatHaruhi zip entry inflating past its declared 100 bytes refused', time(() => parseChatHaruhiZip(liar), 3), 5000),
  row('a chat template looping over every pair of 2,000 words gives up', time(() => template.render(chat)), 1000),
];
console.log(rowsTable(rows, 'text speed'));
