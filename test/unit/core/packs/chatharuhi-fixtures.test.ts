// The ChatHaruhi folder parser over the real packs in ../shared/fixtures/chatharuhi (read in place).
// Expected figures were counted by hand (ls, grep, and a separate Python count per speaker).

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNarrator, parseChatHaruhiFolder, parseStory, parseStoryLine, speakerCounts, type ChatHaruhiPack } from '../../../../src/core/packs/chatharuhi';
import { estimateTokens } from '../../../../src/core/tokens';
import { FIXTURES, haveFixtures, PACKS, rawLines, readPackFolder, readStories, type PackName } from './helpers';

if (!haveFixtures) console.warn(`Skipping ChatHaruhi fixture tests: no packs at ${FIXTURES}`);

const parsed = new Map<PackName, ChatHaruhiPack>();
function pack(name: PackName): ChatHaruhiPack {
  let result = parsed.get(name);
  if (!result) parsed.set(name, (result = parseChatHaruhiFolder(readPackFolder(name))));
  return result;
}

function linesBy(result: ChatHaruhiPack, speaker: string): number {
  return result.scenes.reduce((n, s) => n + s.lines.filter((l) => l.speaker === speaker).length, 0);
}

/** The figures per pack: story files, lines, and lines per speaker (narrator '' = no speaker). */
const EXPECTED: Record<PackName, { scenes: number; lines: number; top: string; speakers: Record<string, number>; warnings: number }> = {
  // 285 texts/text_0.txt … text_284.txt; '''Scene''' 75 + ''Scene'' 1; 16 lines `:「…」`.
  Sheldon: { scenes: 285, lines: 3529, top: 'Sheldon', speakers: { Sheldon: 1421, Leonard: 873, Penny: 531, Howard: 247, Raj: 157, Scene: 76, '': 16 }, warnings: 0 },
  // 172 stories plus all_chat_datas.jsonl (query/response pairs, not a story: one warning).
  haruhi: { scenes: 172, lines: 1208, top: '春日', speakers: { 春日: 590, 阿虚: 296, 旁白: 139, 朝比奈: 39, 古泉: 33, 长门: 7, 有希: 5, 凉宫: 2 }, warnings: 1 },
  // 141 stories, full-width colons throughout, 62 lines with nested 「」.
  hutao: { scenes: 141, lines: 560, top: '胡桃', speakers: { 胡桃: 336, 派蒙: 66, 旅行者: 50, 旁白: 31 }, warnings: 0 },
  // 42 stories mixing 「」 lines, bare `张：…` lines, stage directions and plain narration.
  tangshiye: { scenes: 42, lines: 291, top: '汤师爷', speakers: { 汤师爷: 96, 张牧之: 51, 张: 50, 旁白: 7, '': 55 }, warnings: 0 },
};

describe.skipIf(!haveFixtures)('parseChatHaruhiFolder on the real packs', () => {
  for (const name of PACKS) {
    describe(name, () => {
      it('gives one scene per story file, titled by the file name', () => {
        const result = pack(name);
        const stories = readStories(name);
        expect(stories.length).toBe(EXPECTED[name].scenes);
        expect(result.scenes.length).toBe(EXPECTED[name].scenes);
        expect(new Set(result.scenes.map((s) => s.title))).toEqual(new Set(stories.map((s) => s.name.replace(/\.txt$/, ''))));
        expect(result.name).toBe(name);
      });

      it('keeps each story text as written (less trailing newlines), with its token count', () => {
        const result = pack(name);
        const byTitle = new Map(result.scenes.map((s) => [s.title, s]));
        for (const story of readStories(name)) {
          const scene = byTitle.get(story.name.replace(/\.txt$/, ''))!;
          expect(scene.text).toBe(story.text.replace(/\r\n/g, '\n').trimEnd());
          expect(scene.tokens).toBe(estimateTokens(scene.text));
          expect(scene.tokens).toBeGreaterThan(0);
          expect(scene.source).toBe('chatharuhi');
          expect(scene.vectors).toEqual([]);
        }
      });

      it('reads the system prompt', () => {
        const prompt = readFileSync(join(FIXTURES, name, 'system_prompt.txt'), 'utf8').trim();
        expect(pack(name).systemPrompt).toBe(prompt);
        expect(prompt.length).toBeGreaterThan(100);
      });

      it('loses no line: one parsed line per non-blank line of the files', () => {
        const result = pack(name);
        const total = result.scenes.reduce((n, s) => n + s.lines.length, 0);
        expect(total).toBe(rawLines(name).length);
        expect(total).toBe(EXPECTED[name].lines);
      });

      it('finds the speakers, the character first', () => {
        const result = pack(name);
        for (const [speaker, count] of Object.entries(EXPECTED[name].speakers)) {
          expect({ speaker, count: linesBy(result, speaker) }).toEqual({ speaker, count });
        }
        expect(speakerCounts(result.scenes)[0].speaker).toBe(EXPECTED[name].top);
      });

      it('gives the expected warnings', () => {
        expect(pack(name).warnings.length).toBe(EXPECTED[name].warnings);
      });
    });
  }

  it('haruhi: all_chat_datas.jsonl is named in a warning and is not a scene', () => {
    const result = pack('haruhi');
    expect(result.warnings).toEqual([expect.stringMatching(/^haruhi\/all_chat_datas\.jsonl: ignored, query\/response pairs/)]);
    expect(result.scenes.some((s) => s.title.includes('all_chat_datas'))).toBe(false);
  });

  it('Sheldon: scenes come in natural file-name order (text_2 before text_10)', () => {
    expect(pack('Sheldon').scenes.map((s) => s.title)).toEqual(Array.from({ length: 285 }, (_, i) => `text_${i}`));
  });

  it("Sheldon: '''Scene''' lines become narrator lines with the wiki markup gone", () => {
    const first = pack('Sheldon').scenes[0];
    const raw = readStories('Sheldon').find((s) => s.name === 'text_0.txt')!.text.split('\n')[0];
    expect(raw.startsWith("'''Scene''':「''")).toBe(true);
    expect(first.lines[0].speaker).toBe('Scene');
    expect(isNarrator(first.lines[0].speaker)).toBe(true);
    expect(first.lines[0].text).toBe(raw.slice(raw.indexOf('「') + 1, raw.lastIndexOf('」')).replace(/''/g, '').trim());
    for (const scene of pack('Sheldon').scenes) {
      for (const line of scene.lines) {
        expect(line.text).not.toMatch(/''|\[\[|\]\]/);
        expect(line.speaker).not.toMatch(/''|\[\[/);
      }
    }
  });

  it('Sheldon: `:「…」` lines (no speaker) are narration with speaker ""', () => {
    const lines = rawLines('Sheldon').filter((l) => l.line.startsWith(':「'));
    expect(lines.length).toBe(16);
    for (const { line } of lines) {
      const parsed = parseStoryLine(line)!;
      expect(parsed.speaker).toBe('');
      expect(isNarrator(parsed.speaker)).toBe(true);
      expect(parsed.text.length).toBeGreaterThan(0);
    }
  });

  it('Sheldon: group speakers before a quote stay speakers (commas, several words)', () => {
    const group = rawLines('Sheldon').find((l) => /^[A-Z][a-z]+, [A-Z][a-z]+ and [A-Z][a-z]+:「/.test(l.line))!;
    expect(group).toBeDefined();
    expect(parseStoryLine(group.line)!.speaker).toBe(group.line.slice(0, group.line.indexOf(':')));
  });

  it('hutao: every full-width `Speaker：「…」` line parses to the speaker and everything between the outer quotes', () => {
    const lines = rawLines('hutao').filter((l) => /^[^:：「]+：「.*」$/.test(l.line));
    expect(lines.length).toBe(408);
    for (const { line } of lines) {
      const colon = line.indexOf('：');
      expect(parseStoryLine(line)).toEqual({ speaker: line.slice(0, colon), text: line.slice(colon + 2, -1) });
    }
  });

  it('hutao: nested 「」 stay inside the line text', () => {
    const nested = rawLines('hutao').filter((l) => (l.line.match(/「/g) ?? []).length > 1);
    expect(nested.length).toBe(62);
    for (const { line } of nested) {
      const parsed = parseStoryLine(line)!;
      expect(parsed.text).toContain('「');
      expect(line.endsWith(`${parsed.text}」`)).toBe(true);
    }
    // A line that opens with a nested quote: `胡桃：「「…」…`.
    const opening = nested.find((l) => l.line.startsWith('胡桃：「「'))!;
    expect(parseStoryLine(opening.line)!.text.startsWith('「')).toBe(true);
  });

  it('hutao: narrator lines 旁白:「…」', () => {
    const narr = rawLines('hutao').filter((l) => /^旁白[:：]「/.test(l.line));
    expect(narr.length).toBe(31);
    for (const { line } of narr) expect(parseStoryLine(line)!.speaker).toBe('旁白');
  });

  it('haruhi: narrator lines without brackets (旁白:…) keep the whole rest of the line', () => {
    const bare = rawLines('haruhi').filter((l) => /^旁白:[^「]/.test(l.line));
    expect(bare.length).toBeGreaterThan(50);
    for (const { line } of bare) expect(parseStoryLine(line)).toEqual({ speaker: '旁白', text: line.slice(3).trim() });
  });

  it('haruhi: full-width colon lines, trailing stage directions and unclosed quotes', () => {
    const wide = rawLines('haruhi').filter((l) => /^[^:：「]+：/.test(l.line));
    expect(wide.length).toBe(5);
    for (const { line } of wide) {
      const colon = line.indexOf('：');
      const quoted = line[colon + 1] === '「';
      expect(parseStoryLine(line)).toEqual({ speaker: line.slice(0, colon), text: quoted ? line.slice(colon + 2, -1) : line.slice(colon + 1) });
    }
    expect(wide.filter((l) => l.line.startsWith('旁白：')).length).toBe(1);

    const directed = rawLines('haruhi').find((l) => /^春日:「[^「」]+」\([^()]+\)$/.test(l.line))!;
    const close = directed.line.indexOf('」');
    expect(parseStoryLine(directed.line)).toEqual({ speaker: '春日', text: `${directed.line.slice(4, close)} ${directed.line.slice(close + 1)}` });

    const unclosed = rawLines('haruhi').find((l) => /^春日:「[^」]*$/.test(l.line))!;
    expect(parseStoryLine(unclosed.line)).toEqual({ speaker: '春日', text: unclosed.line.slice(4) });
  });

  it('haruhi: 春日 is the character (凉宫 appears only as a minor speaker name)', () => {
    const counts = speakerCounts(pack('haruhi').scenes);
    expect(counts[0]).toEqual({ speaker: '春日', lines: 590 });
    expect(counts.find((c) => c.speaker === '凉宫')?.lines).toBe(2);
  });

  it('tangshiye: bare `张：…` lines, directions in the speaker slot, and narration without a speaker', () => {
    const bare = rawLines('tangshiye').filter((l) => /^张：[^「]/.test(l.line));
    expect(bare.length).toBeGreaterThan(20);
    for (const { line } of bare) expect(parseStoryLine(line)).toEqual({ speaker: '张', text: line.slice(2) });

    const directed = rawLines('tangshiye').filter((l) => /^汤师爷（[^）]+）[:：]「/.test(l.line));
    expect(directed.length).toBeGreaterThan(0);
    for (const { line } of directed) {
      const parsed = parseStoryLine(line)!;
      expect(parsed.speaker).toBe('汤师爷');
      expect(parsed.text.startsWith('（')).toBe(true);
    }

    // Stage directions in full-width parentheses, and narration whose text before a colon is a clause.
    const stage = rawLines('tangshiye').filter((l) => l.line.startsWith('（') || /^[^:：「（(]*，[^:：「（(]*：[^「]/.test(l.line));
    expect(stage.length).toBeGreaterThan(5);
    for (const { line } of stage) expect(parseStoryLine(line)).toEqual({ speaker: '', text: line });
  });

  it('every parsed line of every pack has text, and speakers are short names', () => {
    for (const name of PACKS) {
      for (const scene of pack(name).scenes) {
        expect(scene.lines).toEqual(parseStory(scene.text));
        for (const line of scene.lines) {
          expect(line.text.trim()).toBe(line.text);
          expect(line.text.length).toBeGreaterThan(0);
          expect(line.speaker.length).toBeLessThanOrEqual(40);
        }
      }
    }
  });

  it('times the largest fixture', () => {
    const largest = [...PACKS].sort((a, b) => folderBytes(b) - folderBytes(a))[0];
    const files = readPackFolder(largest);
    parseChatHaruhiFolder(files); // warm-up
    const runs = 5;
    const start = performance.now();
    for (let i = 0; i < runs; i++) parseChatHaruhiFolder(files);
    const ms = (performance.now() - start) / runs;
    const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
    console.log(`[packs] parseChatHaruhiFolder(${largest}): ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${pack(largest).scenes.length} scenes in ${ms.toFixed(1)} ms (mean of ${runs})`);
    expect(pack(largest).scenes.length).toBeGreaterThan(0);
  });
});

function folderBytes(name: PackName): number {
  return readStories(name).reduce((n, s) => n + Buffer.byteLength(s.text), 0) + statSync(join(FIXTURES, name, 'system_prompt.txt')).size;
}
