// `npx tsx bench/import.bench.ts`: the import pipeline (read + parse a pack, then write the
// character and its scenes in one transaction on fake-indexeddb) for the largest real ChatHaruhi
// fixture pack and for generated packs of 20,000 scenes. Prints a table; targets are reported,
// never asserted. Each case runs in its own process so its peak memory is its own.
//
// UI responsiveness is measured in the browser by bench/import-ui.bench.ts (the same imports through
// the gallery: time, longest main-thread task, progress bar, heap).

// A real IndexedDB implementation in Node, as the unit tests use.
import 'fake-indexeddb/auto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { mulberry32 } from '../test/fixtures/random';
import { markdownTable } from './common';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = [join(here, '../../shared/fixtures/chatharuhi'), join(here, '../shared/fixtures/chatharuhi')].find((d) => existsSync(d));
const SCENES = 20_000;

interface CaseResult {
  label: string;
  inputMiB: number;
  scenes: number;
  parseMs: number;
  writeMs: number;
  peakHeapMiB: number;
  peakRssMiB: number;
  target: string;
}

type Input = { name: string; bytes: Uint8Array };

function packFolder(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const base = dirname(dir);
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(base, path).split('\\').join('/')] = new Uint8Array(readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** The real pack with the most story files. */
function largestFixture(): { label: string; input: Input } | null {
  if (!FIXTURES) return null;
  const packs = readdirSync(FIXTURES).filter((p) => existsSync(join(FIXTURES, p, 'texts')));
  const best = packs.sort((a, b) => readdirSync(join(FIXTURES, b, 'texts')).length - readdirSync(join(FIXTURES, a, 'texts')).length)[0];
  if (!best) return null;
  return { label: `ChatHaruhi fixture "${best}" (zip)`, input: { name: `${best}.zip`, bytes: zipSync(packFolder(join(FIXTURES, best))) } };
}

const SPEAKERS = ['Mira', 'Jun', '旁白', 'Captain Hale', '小满'];
const WORDS = 'the lantern rain harbour letter tea 茶 雨 灯 bridge clock river night morning map key door window'.split(' ');

function story(random: () => number, i: number): string {
  const lines: string[] = [];
  const count = 4 + Math.floor(random() * 8);
  for (let l = 0; l < count; l++) {
    const speaker = SPEAKERS[Math.floor(random() * SPEAKERS.length)];
    const words = Array.from({ length: 6 + Math.floor(random() * 14) }, () => WORDS[Math.floor(random() * WORDS.length)]);
    lines.push(`${speaker}:「${words.join(' ')} (${i})」`);
  }
  return lines.join('\n');
}

function generatedZip(): Input {
  const random = mulberry32(7);
  const enc = new TextEncoder();
  const files: Record<string, Uint8Array> = { 'mira/system_prompt.txt': enc.encode('You are Mira, keeper of the harbour tea house.') };
  for (let i = 0; i < SCENES; i++) files[`mira/texts/story-${i}.txt`] = enc.encode(story(random, i));
  return { name: 'mira.zip', bytes: zipSync(files, { level: 6 }) };
}

function generatedJsonl(): Input {
  const random = mulberry32(11);
  const rows = [JSON.stringify({ text: 'You are Mira.', bge_zh_s15: 'system_prompt' })];
  const vector = Buffer.alloc(512 * 4);
  for (let i = 0; i < SCENES; i++) {
    for (let d = 0; d < 512; d++) vector.writeFloatBE(random() - 0.5, d * 4);
    rows.push(JSON.stringify({ text: story(random, i), bge_zh_s15: vector.toString('base64') }));
  }
  return { name: 'mira-vectors.jsonl', bytes: new TextEncoder().encode(rows.join('\n')) };
}

async function runCase(which: string): Promise<CaseResult> {
  const { readImportFile } = await import('../src/core/import/read-file');
  const { characterFromDraft, scenesFromDraft } = await import('../src/core/import/records');
  const { openDatabase } = await import('../src/storage/db');
  const { ImportRepository } = await import('../src/storage/imports');

  const made =
    which === 'fixture' ? largestFixture()
      : which === 'zip' ? { label: `generated ChatHaruhi zip, ${SCENES.toLocaleString('en')} scenes, no vectors`, input: generatedZip() }
        : { label: `generated ChatHaruhi JSONL, ${SCENES.toLocaleString('en')} scenes + 512-dim vectors`, input: generatedJsonl() };
  if (!made) throw new Error('no fixtures');
  let peakHeap = 0;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const timer = setInterval(sample, 5);
  const db = await openDatabase(`bench-${which}-${Date.now()}`);
  const repo = new ImportRepository(db);

  const t0 = performance.now();
  const read = readImportFile(made.input);
  const t1 = performance.now();
  sample();
  let n = 0;
  const writes = read.characters.map((draft) => {
    const character = characterFromDraft(draft, made.input.name, `c${n++}`, Date.now());
    return { character, scenes: scenesFromDraft(draft.scenes, character.id) };
  });
  await repo.commit({ characters: writes, lorebooks: [] }, { onProgress: sample });
  const t2 = performance.now();
  sample();
  clearInterval(timer);
  const scenes = await db.scenes.count();
  db.close();
  return {
    label: made.label,
    inputMiB: made.input.bytes.length / 2 ** 20,
    scenes,
    parseMs: t1 - t0,
    writeMs: t2 - t1,
    peakHeapMiB: peakHeap / 2 ** 20,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    target: which === 'zip' ? '< 10 s' : '',
  };
}

function table(rows: CaseResult[]): void {
  const head = ['import (parse + write, fake-indexeddb)', 'input MiB', 'scenes', 'parse ms', 'write ms', 'total s', 'peak heap MiB', 'peak RSS MiB', 'target', 'verdict'];
  const cells = rows.map((r) => {
    const total = (r.parseMs + r.writeMs) / 1000;
    const verdict = r.target ? (total < 10 ? 'ok' : 'MISSED') : '';
    return [r.label, r.inputMiB.toFixed(1), String(r.scenes), r.parseMs.toFixed(0), r.writeMs.toFixed(0), total.toFixed(2), r.peakHeapMiB.toFixed(0), r.peakRssMiB.toFixed(0), r.target, verdict];
  });
  console.log(markdownTable(head, cells));
}

async function main(): Promise<void> {
  const which = process.argv[2];
  if (which) {
    process.stdout.write(`${JSON.stringify(await runCase(which))}\n`);
    return;
  }
  const cases = FIXTURES ? ['fixture', 'zip', 'jsonl'] : ['zip', 'jsonl'];
  const rows = cases.map((c) => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), c], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop() as string) as CaseResult;
  });
  table(rows);
  console.log('UI responsiveness during the same imports in Chromium: see the import-ui table (bench/import-ui.bench.ts).');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
