// ChatHaruhi character packs -> scenes: the folder/zip form (system_prompt.txt + texts/*.txt) and the
// Hugging Face JSONL form (text rows with base64 big-endian float32 embedding columns).
//
// Story files are written by hand by many people, so the line parser is lenient: it recognises
// `Speaker:「line」` with an ASCII or full-width colon, keeps nested 「」 inside the outer pair, reads
// narrator lines with or without brackets, `'''Scene''':「…」` lines (MediaWiki markup from the
// Big Bang Theory transcripts), stage directions after the quote or in the speaker slot
// (`张（打断）：停！`), and lines with no speaker at all. The story text itself is kept as written
// (retrieval puts it in the prompt verbatim, as ChatHaruhi does); the parsed lines are for display,
// speaker statistics and few-shot use.

import { estimateTokens } from '../tokens';
import type { SceneLine, SceneVector } from '../types';
import { decodeBase64, decodeFloat32BigEndian, nonFiniteProblem } from './vectors';
import { baseName, decodeTextFile, decodeUtf8, normalizePath, PackError, type PackFile, type ParsedScene } from './common';
import { KNOWLEDGE_MIN_TOKENS, splitPassages } from './knowledge';
import { readZip, type ZipLimits } from './pack-archive';

export interface ChatHaruhiPack {
  /** The pack's folder name (`haruhi`), or '' when its files sit at the top of the input. */
  name: string;
  /** The character's name from its own text (`characterName`), or '' when the text names no one. */
  characterName: string;
  systemPrompt: string;
  scenes: ParsedScene[];
  /** One sentence per skipped or odd file or row, naming it. */
  warnings: string[];
}

export interface ChatHaruhiJsonlPack extends ChatHaruhiPack {
  /** The text of the `config` row, when there is one (ChatHaruhi writes a placeholder). */
  config: string | null;
  /** Embedding columns found, and whether their vectors were kept. */
  embeddingColumns: { column: string; model: string | null; vectors: number }[];
}

// ---------------------------------------------------------------------------------------------
// Lines

/**
 * Speaker names ChatHaruhi treats as the narrator (`ChatHaruhi.py`: '旁白', '', 'scene', 'Scene',
 * 'narrator', 'Narrator'); compared case-insensitively. Lines with no speaker get speaker ''.
 */
export const NARRATOR_SPEAKERS: readonly string[] = ['', '旁白', 'scene', 'narrator'];

export function isNarrator(speaker: string): boolean {
  return NARRATOR_SPEAKERS.includes(speaker.trim().toLowerCase());
}

const OPEN = '「';
const CLOSE = '」';
/** Characters a speaker name never holds: sentence punctuation and quotes. */
const NOT_IN_SPEAKER = /[，。！？；、,!?;「」『』“”"…]/;
const HAS_LETTER = /\p{L}/u;
// Before a 「quote」 the text before the colon is surely a speaker (`Leonard, Sheldon and Howard`,
// `Girl in Butterfly Costume`); without one it may be narration that happens to hold a colon, so
// the test is stricter there.
const MAX_SPEAKER_CHARS = { quoted: 40, bare: 24 };
const MAX_SPEAKER_WORDS = { quoted: 8, bare: 5 };

/** Drops MediaWiki markup the English transcripts carry: `''italic''`, `'''bold'''`, `[[link|label]]`. */
export function stripWikiMarkup(text: string): string {
  if (!text.includes("''") && !text.includes('[[')) return text;
  return text.replace(/\[\[(?:[^\]|]*\|)?([^\]]*)\]\]/g, '$1').replace(/'{2,}/g, '');
}

/**
 * The text before a colon as a speaker: `张牧之` -> { speaker: '张牧之' }, `张（打断）` -> { speaker:
 * '张', direction: '（打断）' }; null when it reads as narration (`击鼓的女人们…，男女声同起`).
 */
function readSpeaker(candidate: string, quoted: boolean): { speaker: string; direction: string } | null {
  let name = stripWikiMarkup(candidate).trim();
  if (name === '') return { speaker: '', direction: '' };
  let direction = '';
  const paren = name.includes('（') || name.includes('(') ? /^([^（(]*)([（(].*)$/.exec(name) : null;
  if (paren) {
    direction = paren[2].trim();
    name = paren[1].trim();
    if (name === '') return null;
  }
  const form = quoted ? 'quoted' : 'bare';
  if (name.length > MAX_SPEAKER_CHARS[form] || !HAS_LETTER.test(name)) return null;
  if (name.includes(' ') && name.split(/\s+/).length > MAX_SPEAKER_WORDS[form]) return null;
  if (!quoted && NOT_IN_SPEAKER.test(name)) return null;
  return { speaker: name, direction };
}

/** `「a「b」c」 (tail)` -> `a「b」c (tail)`: the outer pair is the first 「 and the last 」. */
function readQuoted(rest: string): string {
  if (!rest.startsWith(OPEN)) return rest;
  const close = rest.lastIndexOf(CLOSE);
  if (close <= 0) return rest.slice(1); // never closed: the line ran to its end
  const inner = rest.slice(1, close);
  const tail = rest.slice(close + 1).trim();
  return tail ? `${inner} ${tail}` : inner;
}

/**
 * One story line -> (speaker, text); null for blank lines and lines with nothing to say.
 * Narration without a speaker gets speaker ''. Stage directions outside the quote are kept in the
 * text, after a space.
 */
export function parseStoryLine(raw: string): SceneLine | null {
  const line = raw.trim(); // also drops \r, U+3000 full-width spaces and a BOM
  if (line === '') return null;
  const ascii = line.indexOf(':');
  const wide = line.indexOf('：');
  const colon = ascii < 0 ? wide : wide < 0 ? ascii : Math.min(ascii, wide);
  const open = line.indexOf(OPEN);
  let speaker = '';
  let text: string;
  const quoted = line.slice(colon + 1).trimStart().startsWith(OPEN);
  const who = colon >= 0 && (open < 0 || colon < open) ? readSpeaker(line.slice(0, colon), quoted) : null;
  if (who) {
    speaker = who.speaker;
    text = readQuoted(line.slice(colon + 1).trimStart());
    if (who.direction) text = text ? `${who.direction} ${text}` : who.direction;
  } else {
    text = readQuoted(line);
  }
  text = stripWikiMarkup(text).trim();
  if (text === '') return null;
  return { speaker, text };
}

/** Every line of a story, blank lines left out. */
export function parseStory(text: string): SceneLine[] {
  const lines: SceneLine[] = [];
  for (const raw of text.split('\n')) {
    const line = parseStoryLine(raw);
    if (line) lines.push(line);
  }
  return lines;
}

// How ChatHaruhi system prompts name the role: `你正在扮演凉宫春日`, `your codename in this
// conversation is '胡桃'`, `I want you to act like Sheldon Cooper from …`, `You are Mira.`. Not
// `你是…`: it as often describes (`你是守夜人老周`, `你是一个…`) as names.
const PROMPT_NAMES: readonly RegExp[] = [
  /(?:正在|现在)?扮演(?:的是)?\s*[「『“"‘']?([^，,。.！!？?；;\s「」『』“”"‘’'（(]{1,20})/u,
  /codename in this\s+conversation is\s*[「『“"‘'`]\s*([^「」『』“”"‘’'`\n]{1,40}?)\s*[」』”"’'`]/iu,
  /\b(?:act|behave|respond) (?:like|as)\s+((?:\p{Lu}[\p{L}'’-]* ?)+)/u,
  /^\s*You are\s+((?:\p{Lu}[\p{L}'’-]* ?)+)(?=[\s,.!]|$)/mu,
];

/**
 * The character's name from a pack's own text, for the folder name (`zhongli`) is not it: the name
 * the system prompt gives (`凉宫春日`), else the speaker of most story lines. When the prompt's name
 * begins with the stories' label for the character (`Sheldon Cooper`, labelled `Sheldon`), the label
 * wins, so the reply marker matches the lines the model reads in the scenes. '' when neither names anyone.
 */
export function characterName(systemPrompt: string, scenes: readonly { lines: readonly SceneLine[] }[]): string {
  const speaker = speakerCounts(scenes)[0]?.speaker ?? '';
  for (const pattern of PROMPT_NAMES) {
    const named = pattern.exec(systemPrompt)?.[1]?.trim();
    if (!named) continue;
    return speaker && named.split(/\s+/)[0] === speaker ? speaker : named;
  }
  return speaker;
}

/** Lines per speaker, narrators left out, most frequent first (the first is usually the character). */
export function speakerCounts(scenes: readonly { lines: readonly SceneLine[] }[]): { speaker: string; lines: number }[] {
  const counts = new Map<string, number>();
  for (const scene of scenes) {
    for (const line of scene.lines) {
      if (!isNarrator(line.speaker)) counts.set(line.speaker, (counts.get(line.speaker) ?? 0) + 1);
    }
  }
  return [...counts].map(([speaker, lines]) => ({ speaker, lines })).sort((a, b) => b.lines - a.lines);
}

function storyText(text: string): string {
  // As written, less the BOM, Windows line ends and trailing blank lines (noise in a prompt).
  return text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n').trimEnd();
}

function makeScene(title: string, text: string, source: ParsedScene['source'], vectors: SceneVector[] = []): ParsedScene {
  return { title, text, lines: parseStory(text), tokens: estimateTokens(text), source, vectors };
}

/** A text is dialogue when at least this share of its lines have a speaker (`name:「…」`, `name: …`). */
const DIALOGUE_SHARE = 0.5;

/** Whether parsed story lines read as prose or notes (a wiki page, a profile) rather than people talking. */
export function isProse(lines: readonly SceneLine[]): boolean {
  if (lines.length === 0) return false;
  const spoken = lines.filter((line) => !isNarrator(line.speaker)).length;
  return spoken / lines.length < DIALOGUE_SHARE;
}

/**
 * A story as scenes: itself, or, when it is a long knowledge text, its passages marked 'knowledge'
 * and titled `title · 2/7`. Passages drop the story's vectors (they embed the whole text); the app
 * embeds the passages itself.
 */
function storyScenes(scene: ParsedScene): ParsedScene[] {
  if (scene.tokens <= KNOWLEDGE_MIN_TOKENS || !isProse(scene.lines)) return [scene];
  const passages = splitPassages(scene.text);
  return passages.map((passage, i) => ({
    ...makeScene(`${scene.title} · ${i + 1}/${passages.length}`, passage, scene.source),
    kind: 'knowledge' as const,
  }));
}

/** Whether a file's text is JSON (an object or array, or JSON lines) rather than story lines. */
function looksLikeJson(text: string): boolean {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    const first = trimmed.split('\n', 1)[0];
    try {
      JSON.parse(first);
      return true;
    } catch {
      return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Folder and zip

const SYSTEM_PROMPT = 'system_prompt.txt';
const TEXTS = 'texts';
/** Operating-system litter that zips and folders carry; skipped without a word. */
const JUNK = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$|\._)/i;
/** Files that ChatHaruhi keeps next to a pack but that are not stories, and why. */
const KNOWN_EXTRAS: Record<string, string> = {
  'all_chat_datas.jsonl': 'query/response pairs for training and retrieval, not stories',
  'text_image_dict.txt': 'a map from lines to images, not a story',
  'chroma.sqlite3': 'a ChromaDB store, which the browser cannot read; the stories must come as texts/*.txt',
};
/** Per folder outside texts/, the ignored files named one by one before the rest are counted. */
const NAMED_EXTRAS_PER_FOLDER = 3;

const byName = new Intl.Collator('en', { numeric: true });

/**
 * A ChatHaruhi pack folder: `system_prompt.txt` plus `texts/*.txt`, at the top of the file list or
 * one folder down (`haruhi/system_prompt.txt`, as a directory picker or a zip of the folder gives).
 * One scene per story file, in natural file-name order, titled by the file name.
 * Throws PackError('not-a-pack') when there is neither a system prompt nor a texts folder, or when
 * the input holds several packs.
 */
export function parseChatHaruhiFolder(input: readonly PackFile[]): ChatHaruhiPack {
  const files = input.map((f) => ({ path: normalizePath(f.path), bytes: f.bytes })).filter((f) => f.path && !JUNK.test(f.path));
  const root = findRoot(files.map((f) => f.path));
  const warnings: string[] = [];
  let systemPrompt = '';
  const stories: { title: string; path: string; text: string }[] = [];
  const extras = new Map<string, string[]>(); // folder -> ignored files in it
  let sawTexts = false;

  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) {
      warnings.push(`${file.path}: skipped, a second file with the same name (the first is used).`);
      continue;
    }
    seen.add(file.path);
    const rel = file.path.startsWith(root) ? file.path.slice(root.length) : null;
    if (rel === SYSTEM_PROMPT) {
      const text = decodeTextFile(file.bytes);
      if (text === null) warnings.push(`${file.path}: not UTF-8 (nor UTF-16 with a byte-order mark) text; the system prompt is left empty.`);
      else systemPrompt = storyText(text).trim();
      continue;
    }
    if (rel !== null && rel.startsWith(`${TEXTS}/`)) {
      sawTexts = true;
      const name = rel.slice(TEXTS.length + 1);
      const why = storySkipReason(name, file.bytes);
      if (typeof why === 'string') {
        warnings.push(`${file.path}: skipped, ${why}.`);
        continue;
      }
      stories.push({ title: name.replace(/\.txt$/i, ''), path: file.path, text: why.text });
      continue;
    }
    const folder = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/') + 1) : '';
    const list = extras.get(folder) ?? [];
    list.push(file.path);
    extras.set(folder, list);
  }

  for (const [folder, paths] of extras) {
    const atRoot = folder === root || folder === '';
    paths.forEach((path, i) => {
      if (!atRoot && i >= NAMED_EXTRAS_PER_FOLDER) return;
      const known = KNOWN_EXTRAS[baseName(path)];
      warnings.push(`${path}: ignored, ${known ?? 'not part of a ChatHaruhi pack (only system_prompt.txt and texts/*.txt are read)'}.`);
    });
    if (!atRoot && paths.length > NAMED_EXTRAS_PER_FOLDER) {
      warnings.push(`${folder}: ${paths.length - NAMED_EXTRAS_PER_FOLDER} more files ignored, not part of a ChatHaruhi pack.`);
    }
  }
  if (!sawTexts) warnings.push(`${root}${TEXTS}/: missing, so the pack has no stories.`);

  stories.sort((a, b) => byName.compare(a.path, b.path));
  const scenes = stories.flatMap((s) => storyScenes(makeScene(s.title, storyText(s.text), 'chatharuhi')));
  return { name: root.replace(/\/$/, ''), characterName: characterName(systemPrompt, scenes), systemPrompt, scenes, warnings };
}

/** The folder prefix ('' or 'name/') the pack lives under. */
function findRoot(paths: readonly string[]): string {
  const roots = new Map<string, { prompt: boolean; texts: boolean }>();
  for (const path of paths) {
    const parts = path.split('/');
    for (const depth of [0, 1]) {
      if (parts.length <= depth) continue;
      const prefix = depth === 0 ? '' : `${parts[0]}/`;
      const head = parts[depth];
      const isPrompt = head === SYSTEM_PROMPT && parts.length === depth + 1;
      const isTexts = head === TEXTS && parts.length > depth + 1;
      if (!isPrompt && !isTexts) continue;
      const entry = roots.get(prefix) ?? { prompt: false, texts: false };
      if (isPrompt) entry.prompt = true;
      if (isTexts) entry.texts = true;
      roots.set(prefix, entry);
    }
  }
  if (roots.size === 0) {
    const chroma = paths.some((p) => baseName(p) === 'chroma.sqlite3');
    throw new PackError(
      'not-a-pack',
      chroma
        ? 'This holds a ChromaDB store and no texts/*.txt stories: the browser cannot read ChromaDB. Import the pack folder with its texts/ instead.'
        : 'Not a ChatHaruhi pack: no system_prompt.txt and no texts/ folder at the top or one folder down.',
      { reason: chroma ? 'chromadb' : 'missing' },
    );
  }
  // A root with stories beats one with only a prompt; the top level beats a subfolder.
  const ranked = [...roots].sort(([pa, a], [pb, b]) => Number(b.texts) - Number(a.texts) || Number(b.prompt) - Number(a.prompt) || pa.length - pb.length);
  const [best, bestInfo] = ranked[0];
  const rivals = ranked.filter(([p, info]) => p !== best && p !== '' && best !== '' && info.texts === bestInfo.texts && info.prompt === bestInfo.prompt);
  if (rivals.length > 0) {
    const names = [best, ...rivals.map(([p]) => p)].map((p) => p.replace(/\/$/, ''));
    throw new PackError('not-a-pack', `This holds several ChatHaruhi packs (${names.join(', ')}); import them one at a time.`, { packs: names.join(', ') });
  }
  return best;
}

/** Why a file under texts/ is not a story, or its text when it is one. */
function storySkipReason(name: string, bytes: Uint8Array): string | { text: string } {
  if (name.includes('/')) return 'it sits in a subfolder of texts/ (stories are texts/*.txt)';
  if (!/\.txt$/i.test(name)) {
    const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
    return `not a story (${ext ? `a .${ext} file` : 'no .txt extension'}; stories are .txt files)`;
  }
  const text = decodeTextFile(bytes);
  if (text === null) return 'not UTF-8 (nor UTF-16 with a byte-order mark) text';
  if (text.replace(/^\ufeff/, '').trim() === '') return 'the file is empty';
  if (looksLikeJson(text.replace(/^\ufeff/, ''))) return 'it holds JSON, not story lines';
  return { text };
}

/**
 * A zip of a ChatHaruhi pack folder. Limits default to DEFAULT_ZIP_LIMITS; entries with `..` or
 * absolute names reject the whole zip (PackError 'unsafe-path').
 */
export function parseChatHaruhiZip(bytes: Uint8Array, limits?: ZipLimits): ChatHaruhiPack {
  return parseChatHaruhiFolder(readZip(bytes, limits));
}

// ---------------------------------------------------------------------------------------------
// JSONL

export interface EmbeddingModelRef {
  /** The transformers.js model id the app embeds queries with. */
  model: string;
  dim: number;
}

/**
 * ChatHaruhi embedding columns whose vectors the app can use, and the browser model that produces
 * the same vectors. Both BGE models are used the way ChatHaruhi uses them (CLS pooling, L2
 * normalised), so queries must be embedded with `pooling: 'cls', normalize: true`.
 * Not listed, so dropped: `luotuo_openai` (OpenAI ada-002 or silk-road/luotuo-bert-medium, neither
 * available in the browser) and `bce_base` (no transformers.js port we ship).
 */
export const CHATHARUHI_EMBEDDING_MODELS: Readonly<Record<string, EmbeddingModelRef>> = {
  bge_zh_s15: { model: 'Xenova/bge-small-zh-v1.5', dim: 512 },
  bge_en_s15: { model: 'Xenova/bge-small-en-v1.5', dim: 384 },
};

export interface ChatHaruhiJsonlOptions {
  /** Column -> model to keep vectors for; defaults to CHATHARUHI_EMBEDDING_MODELS. */
  models?: Readonly<Record<string, EmbeddingModelRef>>;
  /** The pack's name, for the result (a JSONL file has none of its own). */
  name?: string;
}

/** Bad lines named one by one before the rest are counted. */
const NAMED_BAD_LINES = 5;
const TITLE_CHARS = 40;

/**
 * A ChatHaruhi JSONL pack (`package_role` / Hugging Face `role_from_hf`): one JSON object per line
 * with `text` (or `enc_text`, base64 of UTF-8) and one or more embedding columns. The row whose
 * embedding column says `system_prompt` holds the system prompt, the one saying `config` the config;
 * every other row is a story. Vectors (base64 of big-endian float32) are kept for the columns in
 * `options.models`, as little-endian-in-memory Float32 SceneVectors.
 * Scene titles come from the story's first line. Throws PackError('invalid-json') when no line is a
 * JSON object.
 */
export function parseChatHaruhiJsonl(text: string, options: ChatHaruhiJsonlOptions = {}): ChatHaruhiJsonlPack {
  const models = options.models ?? CHATHARUHI_EMBEDDING_MODELS;
  const warnings: string[] = [];
  const badLines: number[] = [];
  const noText: number[] = [];
  const columns = new Map<string, { model: string | null; vectors: number; problems: number; firstProblem: string }>();
  const scenes: ParsedScene[] = [];
  let systemPrompt = '';
  let config: string | null = null;
  let rows = 0;

  const lines = text.replace(/^\ufeff/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch {
      badLines.push(i + 1);
      continue;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      badLines.push(i + 1);
      continue;
    }
    rows++;
    const record = row as Record<string, unknown>;
    const embedKeys = Object.keys(record).filter((k) => k !== 'text' && k !== 'enc_text');
    const story = rowText(record);
    if (story === null) {
      noText.push(i + 1);
      continue;
    }
    if (embedKeys.some((k) => record[k] === 'system_prompt')) {
      systemPrompt = storyText(story).trim();
      continue;
    }
    if (embedKeys.some((k) => record[k] === 'config')) {
      config = story;
      continue;
    }
    const vectors: SceneVector[] = [];
    for (const key of embedKeys) {
      const value = record[key];
      if (typeof value !== 'string') continue;
      const ref = models[key];
      const column = columns.get(key) ?? { model: ref?.model ?? null, vectors: 0, problems: 0, firstProblem: '' };
      columns.set(key, column);
      if (!ref) continue;
      try {
        const floats = decodeFloat32BigEndian(value);
        if (floats.length !== ref.dim) throw new Error(`${floats.length} numbers where ${ref.model} gives ${ref.dim}`);
        const nonFinite = nonFiniteProblem(floats);
        if (nonFinite) throw new Error(nonFinite);
        vectors.push({ model: ref.model, dim: ref.dim, data: floats.buffer as ArrayBuffer });
        column.vectors++;
      } catch (error) {
        if (column.problems++ === 0) column.firstProblem = `line ${i + 1}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    const normalized = storyText(story);
    const scene = makeScene('', normalized, 'chatharuhi', vectors);
    scene.title = titleFromLines(scene.lines, normalized) || `Story ${scenes.length + 1}`;
    const parts = storyScenes(scene);
    if (parts.length > 1 && vectors.length > 0) {
      warnings.push(`line ${i + 1}: a long knowledge text, cut into ${parts.length} passages; its vectors are dropped (they embed the whole text; the app embeds the passages).`);
    }
    scenes.push(...parts);
  }

  if (rows === 0) {
    throw new PackError('invalid-json', 'Not a ChatHaruhi JSONL pack: no line is a JSON object.', { lines: badLines.length });
  }
  if (noText.length === rows) {
    throw new PackError(
      'not-a-pack',
      'Not a ChatHaruhi JSONL pack: no row has "text" or "enc_text" (query/response pairs such as all_chat_datas.jsonl are not story packs).',
      { rows },
    );
  }
  if (badLines.length > 0) warnings.push(`${listLines(badLines)}: skipped, not a JSON object.`);
  if (noText.length > 0) warnings.push(`${listLines(noText)}: skipped, no "text" nor a readable "enc_text".`);
  for (const [column, info] of columns) {
    if (!info.model) warnings.push(`column "${column}": vectors dropped, no browser embedding model matches them (the app can compute its own).`);
    else if (info.problems > 0) warnings.push(`column "${column}": ${info.problems} vectors dropped as unreadable (${info.firstProblem}).`);
  }
  if (!systemPrompt) warnings.push('No system_prompt row: the system prompt is left empty.');

  return {
    name: options.name ?? '',
    characterName: characterName(systemPrompt, scenes),
    systemPrompt,
    scenes,
    warnings,
    config,
    embeddingColumns: [...columns].map(([column, info]) => ({ column, model: info.model, vectors: info.vectors })),
  };
}

function listLines(lines: readonly number[]): string {
  const more = lines.length > NAMED_BAD_LINES ? ` and ${lines.length - NAMED_BAD_LINES} more` : '';
  return `line ${lines.slice(0, NAMED_BAD_LINES).join(', ')}${more}`;
}

function rowText(record: Record<string, unknown>): string | null {
  if (typeof record.text === 'string') return record.text;
  if (typeof record.enc_text === 'string') {
    try {
      return decodeUtf8(decodeBase64(record.enc_text));
    } catch {
      return null;
    }
  }
  return null;
}

/** `春日: 喂，我要借用一下这件教室…` from the first line with text. */
function titleFromLines(lines: readonly SceneLine[], text: string): string {
  const first = lines[0];
  const title = first ? (first.speaker ? `${first.speaker}: ${first.text}` : first.text) : text.trim();
  const chars = [...title.replace(/\s+/g, ' ')];
  return chars.length > TITLE_CHARS ? `${chars.slice(0, TITLE_CHARS - 1).join('')}…` : chars.join('');
}
