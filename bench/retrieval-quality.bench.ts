// Retrieval quality on the visible ChatHaruhi packs (../shared/fixtures/chatharuhi, read in place,
// never copied): held-out real exchanges. For a line addressed to the character (the next line is
// the character's), the line and the exchange before it are removed from their scene, the query is
// built from them as a chat would build it, and we count whether that scene comes back in the top
// 1/5/10. The removed lines are exactly what the query may use, so no query finds its own words.
//
//   npx tsx bench/retrieval-quality.bench.ts        (also run by `npm run bench`)
//
// Prints a table; targets are reported, never asserted. 200 exchanges per pack, fixed seed.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import MiniSearch from 'minisearch';
import { parseChatHaruhiFolder, parseStoryLine, speakerCounts } from '../src/core/packs/chatharuhi';
import { KeywordIndex } from '../src/core/retrieval/keyword-index';
import { CharacterRetrieval } from '../src/state/character-retrieval';
import type { ChatTurn } from '../src/core/types';
import { mulberry32 } from '../test/fixtures/random';
import { markdownTable } from './common';

const PACKS_DIR = '../shared/fixtures/chatharuhi';
const SAMPLE = 200;
const SEED = 11;
const KS = [1, 5, 10] as const;

interface Scene {
  id: string;
  title: string;
  text: string;
}

interface HeldOut {
  sceneId: string;
  /** The scene less the removed lines. */
  rest: string;
  /** The exchange before the addressed line and the line itself, as chat turns (the last is the user's). */
  history: ChatTurn[];
  /** Who speaks the addressed line in the story (the person's role in the scene). */
  speaker: string;
}

interface Pack {
  name: string;
  character: string;
  scenes: Scene[];
  heldOut: HeldOut[];
}

function readPack(dir: string): Pack {
  const name = dir.split('/').pop()!;
  const files = [{ path: `${name}/system_prompt.txt`, bytes: readFileSync(`${dir}/system_prompt.txt`) }];
  for (const file of readdirSync(`${dir}/texts`)) files.push({ path: `${name}/texts/${file}`, bytes: readFileSync(`${dir}/texts/${file}`) });
  const parsed = parseChatHaruhiFolder(files);
  // The speaker label the stories use for the character (`春日`, `Sheldon`): whose lines count as replies.
  const character = speakerCounts(parsed.scenes)[0]?.speaker ?? '';
  const scenes = parsed.scenes.map((s, i) => ({ id: `s${i}`, title: s.title, text: s.text }));
  const candidates: HeldOut[] = [];
  for (const scene of scenes) {
    const raw = scene.text.split('\n');
    const lines = raw.flatMap((text, rawIndex) => {
      const line = parseStoryLine(text);
      return line ? [{ rawIndex, ...line }] : [];
    });
    for (let i = 0; i + 1 < lines.length; i++) {
      const addressed = lines[i];
      if (lines[i + 1].speaker !== character || !addressed.speaker || addressed.speaker === character) continue;
      if (/^(旁白|scene|narrator)$/i.test(addressed.speaker)) continue;
      const used = lines.slice(Math.max(0, i - 2), i + 1);
      const removed = new Set(used.map((l) => l.rawIndex));
      candidates.push({
        sceneId: scene.id,
        rest: raw.filter((_, r) => !removed.has(r)).join('\n'),
        history: used.map((l) => ({ role: l.speaker === character ? 'assistant' : 'user', content: l.text }) as ChatTurn),
        speaker: addressed.speaker,
      });
    }
  }
  // A fixed-seed Fisher–Yates shuffle, then the first SAMPLE.
  const random = mulberry32(SEED);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  return { name, character, scenes, heldOut: candidates.slice(0, SAMPLE) };
}

/** A retrieval engine under test: ids best first for a query, with one scene replaced meanwhile. */
interface Engine {
  label: string;
  build(scenes: readonly Scene[]): { replace(scene: Scene): void; search(query: string, k: number): string[] };
  query(heldOut: HeldOut): string;
}

const appQuery = (h: HeldOut) => CharacterRetrieval.queryFor(h.history);
const message = (h: HeldOut) => h.history[h.history.length - 1].content;

function keywordEngine(label: string, query: (h: HeldOut) => string): Engine {
  return {
    label,
    build(scenes) {
      const index = KeywordIndex.build(scenes);
      return { replace: (scene) => index.add(scene), search: (q, k) => index.search(q, k).map((hit) => hit.sceneId) };
    },
    query,
  };
}

const ENGINES: Engine[] = [
  keywordEngine('Hearth, app query (previous exchange + message)', appQuery),
  keywordEngine('Hearth, message alone', message),
  // The query form ChatHaruhi uses, with the story's own speaker: an upper bound, since a chat knows
  // the person's persona name, not the role they play in a story.
  keywordEngine('Hearth, speaker:「message」', (h) => `${h.speaker}:「${message(h)}」`),
  {
    label: 'MiniSearch defaults, app query',
    build(scenes) {
      const index = new MiniSearch<Scene>({ fields: ['text', 'title'] });
      index.addAll(scenes);
      return { replace: (scene) => index.replace(scene), search: (query, k) => index.search(query).slice(0, k).map((hit) => String(hit.id)) };
    },
    query: appQuery,
  },
];

function recall(pack: Pack, engine: Engine): number[] {
  const byId = new Map(pack.scenes.map((s) => [s.id, s]));
  const index = engine.build(pack.scenes);
  const found = KS.map(() => 0);
  for (const heldOut of pack.heldOut) {
    const original = byId.get(heldOut.sceneId)!;
    index.replace({ ...original, text: heldOut.rest });
    const top = index.search(engine.query(heldOut), KS[KS.length - 1]);
    index.replace(original);
    const rank = top.indexOf(heldOut.sceneId);
    KS.forEach((k, i) => {
      if (rank >= 0 && rank < k) found[i]++;
    });
  }
  return found.map((n) => n / Math.max(1, pack.heldOut.length));
}

function main(): void {
  if (!existsSync(PACKS_DIR)) {
    console.log(`No packs at ${PACKS_DIR}: the retrieval-quality benchmark needs the ChatHaruhi fixture packs.`);
    return;
  }
  const packs = readdirSync(PACKS_DIR).sort().map((name) => readPack(`${PACKS_DIR}/${name}`));
  const rows: string[][] = [];
  for (const pack of packs) {
    for (const engine of ENGINES) {
      const [r1, r5, r10] = recall(pack, engine).map((r) => `${(r * 100).toFixed(1)}%`);
      rows.push([pack.name, `${pack.scenes.length}`, `${pack.heldOut.length}`, engine.label, r1, r5, r10]);
    }
  }
  console.log(markdownTable(['pack', 'scenes', 'held-out', 'retrieval', 'recall@1', 'recall@5', 'recall@10'], rows));
}

main();
