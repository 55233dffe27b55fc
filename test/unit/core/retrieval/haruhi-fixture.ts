// Test helper: the real ChatHaruhi Haruhi pack (read in place from ../shared, never copied) and its query/response pairs.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Scene, SceneLine } from '../../../../src/core/types';
import { mulberry32 } from '../../../fixtures/random';

const ROOT = resolve(import.meta.dirname, '../../../..');
// The shared folder sits beside the checkout, or inside it on machines that carry it along.
export const FIXTURES =
  process.env.CHATHARUHI_FIXTURES ??
  [join(ROOT, '../shared/fixtures/chatharuhi'), join(ROOT, 'shared/fixtures/chatharuhi')].find((dir) => existsSync(dir)) ??
  join(ROOT, '../shared/fixtures/chatharuhi');
export const HARUHI = join(FIXTURES, 'haruhi');
export const haveHaruhi = existsSync(join(HARUHI, 'texts')) && existsSync(join(HARUHI, 'all_chat_datas.jsonl'));

const LINE = /^\s*([^:：「」]{1,40}?)\s*[:：]\s*(.*)$/;

/** A deliberately small reader (the real pack parser lives elsewhere): one file is one scene. */
export function readPackScenes(dir: string, characterId: string): Scene[] {
  return readdirSync(join(dir, 'texts'))
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, 'texts', name), 'utf8').replace(/^\uFEFF/, '').trim();
      const lines: SceneLine[] = text
        .split(/\r?\n/)
        .filter((line) => line.trim())
        .map((line) => {
          const m = LINE.exec(line);
          return m ? { speaker: m[1], text: m[2].replace(/^「|」$/g, '') } : { speaker: '', text: line.trim() };
        });
      const title = name.replace(/\.txt$/, '');
      return { id: title, characterId, title, text, lines, tokens: 0, source: 'chatharuhi', vectors: [] } satisfies Scene;
    });
}

export interface ChatPair {
  roleA: string;
  roleB: string;
  query: string;
  response: string;
}

export function readChatPairs(file: string): ChatPair[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const row = JSON.parse(line) as { role_A?: string; role_B?: string; query?: string; response?: string };
      return { roleA: row.role_A ?? '', roleB: row.role_B ?? '', query: row.query ?? '', response: row.response ?? '' };
    });
}

/** For matching a response to the scene it comes from: width, quotes, brackets, punctuation and spaces do not count. */
export function squash(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}

function longestCommonRun(a: string, b: string): number {
  let best = 0;
  let prev = new Uint16Array(b.length + 1);
  let cur = new Uint16Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const v = ca === b.charCodeAt(j - 1) ? prev[j - 1] + 1 : 0;
      cur[j] = v;
      if (v > best) best = v;
    }
    [prev, cur] = [cur, prev];
  }
  return best;
}

export interface LabelledPair extends ChatPair {
  /** Scenes that hold the response (several when it is quoted in more than one). */
  targets: string[];
  /** 'exact': the whole response is in the scene; 'quoted': a long run of it is. */
  match: 'exact' | 'quoted';
}

export interface Labelling {
  pairs: LabelledPair[];
  total: number;
  exact: number;
  quoted: number;
  skipped: number;
}

/**
 * Finds the scene that holds each response. 'exact': the squashed response is a substring of the
 * squashed scene. 'quoted': otherwise the scene(s) sharing the longest run of characters with the
 * response, when that run is at least `minRun` characters and covers half the response or 20
 * characters (the pairs come from chats with the ChatHaruhi bot, whose replies often quote a line
 * of a classic scene inside new words). Pairs matching no scene are skipped and counted.
 */
export function labelPairs(scenes: readonly Scene[], pairs: readonly ChatPair[], minRun = 10): Labelling {
  const squashed = scenes.map((scene) => ({ id: scene.id, text: squash(scene.text) }));
  const labelled: LabelledPair[] = [];
  let exact = 0;
  let quoted = 0;
  for (const pair of pairs) {
    const response = squash(pair.response);
    if (response.length < 4) continue;
    const holders = squashed.filter((s) => s.text.includes(response)).map((s) => s.id);
    if (holders.length > 0) {
      labelled.push({ ...pair, targets: holders, match: 'exact' });
      exact++;
      continue;
    }
    // Only scenes sharing a window of minRun characters with the response can qualify.
    const windows = new Set<string>();
    for (let i = 0; i + minRun <= response.length; i++) windows.add(response.slice(i, i + minRun));
    const candidates = squashed.filter((s) => [...windows].some((w) => s.text.includes(w)));
    let best = 0;
    let targets: string[] = [];
    for (const scene of candidates) {
      const run = longestCommonRun(response, scene.text);
      if (run > best) {
        best = run;
        targets = [scene.id];
      } else if (run === best && run > 0) {
        targets.push(scene.id);
      }
    }
    if (best >= minRun && (best * 2 >= response.length || best >= 20)) {
      labelled.push({ ...pair, targets, match: 'quoted' });
      quoted++;
    }
  }
  return { pairs: labelled, total: pairs.length, exact, quoted, skipped: pairs.length - labelled.length };
}

function hash32(text: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Deterministic pseudo-random unit-ish vector per character (mulberry32 seeded by a hash of it). */
function charVector(char: string, dim: number): Float32Array {
  const random = mulberry32(hash32(char, 0x9e3779b9));
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = random() - 0.5;
  return out;
}

/**
 * A stand-in embedding model, as the design note suggests: the normalised mean of one random
 * vector per character (punctuation and spaces left out). Texts sharing characters score higher,
 * which is enough for deterministic, meaningful hybrid tests without a real model.
 */
export function bagOfCharsEmbedding(dim = 256): (text: string) => Float32Array {
  const cache = new Map<string, Float32Array>();
  return (text: string) => {
    const sum = new Float32Array(dim);
    for (const char of squash(text)) {
      let v = cache.get(char);
      if (!v) cache.set(char, (v = charVector(char, dim)));
      for (let i = 0; i < dim; i++) sum[i] += v[i];
    }
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += sum[i] * sum[i];
    if (norm > 0) for (let i = 0; i < dim; i++) sum[i] /= Math.sqrt(norm);
    return sum;
  };
}
