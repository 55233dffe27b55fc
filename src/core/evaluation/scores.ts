// The scores of one evaluation reply: cosine similarity with the embedding model (ChatHaruhi), the
// identity check (Ditto: a judge picks which of 4 characters said the reply), out-of-character
// markers and length. Rouge-L against the reference (RoleBench) is core/rouge-l.ts.

import { cyrb53 } from '../hash';
import { parseJsonReply, type JsonSchema } from '../json-schema';
import type { ChatTurn, Lang } from '../types';

/** Cosine similarity of two vectors (any length, normalised or not); 0 when either is all zeros or they differ in size. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The reply's similarity to the nearest of the character's own lines (undefined when there are none). */
export function nearestCosine(reply: Float32Array, lines: readonly Float32Array[]): number | undefined {
  let best: number | undefined;
  for (const line of lines) {
    const score = cosine(reply, line);
    if (best === undefined || score > best) best = score;
  }
  return best;
}

/**
 * Phrases that break character: the reply speaks as an AI or a language model, or refuses to play.
 * English and Chinese (the two languages of the app's characters).
 */
const OOC_MARKERS: readonly RegExp[] = [
  /\bas an? (?:ai|a\.i\.|artificial intelligence|language model|assistant)(?: (?:language )?model| assistant)?\b/giu,
  /\bi(?:'m| am) (?:just |only )?an? (?:ai|a\.i\.|artificial intelligence|language model|virtual assistant|chatbot)(?: (?:language )?model| assistant)?\b/giu,
  /\b(?:large )?language model\b/giu,
  /\bopenai\b|\bchatgpt\b/giu,
  /\bi (?:cannot|can't|can not) (?:role-?play|pretend)\b/giu,
  /作为(?:一个|一名)?(?:AI|ai|人工智能|语言模型|AI助手|智能助手)/gu,
  /我(?:只)?是(?:一个|一名)?(?:AI|ai|人工智能|语言模型|AI助手|智能助手|聊天机器人)/gu,
  /(?:大)?语言模型/gu,
];

/**
 * How many out-of-character markers the reply holds. Phrasings overlap ("as a language model" is
 * also "language model"): a match starting inside an earlier one is the same marker, counted once.
 */
export function outOfCharacterMarkers(reply: string): number {
  const spans: [number, number][] = [];
  for (const pattern of OOC_MARKERS) for (const match of reply.matchAll(pattern)) spans.push([match.index, match.index + match[0].length]);
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let count = 0;
  let end = -1;
  for (const [start, stop] of spans) {
    if (start < end) continue;
    count++;
    end = stop;
  }
  return count;
}

/** A reply's length in characters (code points, so a Chinese character or an emoji counts once). */
export function replyLength(reply: string): number {
  return [...reply.trim()].length;
}

// ---- identity check ---------------------------------------------------------------------------

/** Names the judge may choose among when the library has fewer than three other characters. */
const STAND_INS: Record<Lang, readonly string[]> = {
  en: ['Sherlock Holmes', 'Elizabeth Bennet', 'Captain Ahab', 'Jane Eyre'],
  zh: ['孙悟空', '林黛玉', '诸葛亮', '王熙凤'],
};

/**
 * The four names of the identity check: the character's, then three others from the library in a
 * seeded order (stand-ins fill up a small library). Names are distinct.
 */
export function identityChoices(character: string, others: readonly string[], lang: Lang, seed: string): string[] {
  const pool = [...new Set(others.map((n) => n.trim()).filter((n) => n && n !== character))];
  pool.sort((a, b) => cyrb53(a, cyrb53(seed)) - cyrb53(b, cyrb53(seed)) || a.localeCompare(b));
  for (const name of STAND_INS[lang]) if (!pool.includes(name) && name !== character) pool.push(name);
  return [character, ...pool.slice(0, 3)];
}

/** The choices in the order one question shows them (seeded by the question, so the right one is not always first). */
export function choicesFor(choices: readonly string[], questionId: string): string[] {
  return [...choices].sort((a, b) => cyrb53(`${questionId}\u0000${a}`) - cyrb53(`${questionId}\u0000${b}`) || a.localeCompare(b));
}

/** The JSON schema the judge's reply is held to: one speaker, one of the four names. */
export function identitySchema(choices: readonly string[]): JsonSchema {
  return { type: 'object', properties: { speaker: { type: 'string', enum: [...choices] } }, required: ['speaker'] };
}

const JUDGE: Record<Lang, { system: string; ask: (prompt: string, reply: string, names: string) => string }> = {
  en: {
    system: 'You judge who is speaking in a dialogue. Answer only with JSON.',
    ask: (prompt, reply, names) =>
      `Someone said: "${prompt}"\nThe reply was: "${reply}"\n\nWhich of these characters gave the reply: ${names}?\nAnswer as {"speaker": "<name>"}.`,
  },
  zh: {
    system: '你负责判断对话中说话的人是谁。只用 JSON 回答。',
    ask: (prompt, reply, names) =>
      `有人说：“${prompt}”\n回答是：“${reply}”\n\n以下哪个角色给出了这个回答：${names}？\n请按 {"speaker": "<名字>"} 回答。`,
  },
};

/** The judge's messages for one reply (the choices in the order given). */
export function identityMessages(prompt: string, reply: string, choices: readonly string[], lang: Lang): ChatTurn[] {
  const judge = JUDGE[lang];
  const names = choices.join(lang === 'zh' ? '、' : ', ');
  return [
    { role: 'system', content: judge.system },
    { role: 'user', content: judge.ask(prompt, reply, names) },
  ];
}

/**
 * The name the judge picked: the `speaker` of its JSON when that is a valid record of the identity
 * schema (what a grammar-constrained engine writes); for an engine without structured output, the
 * choice named earliest in its text. Null when it named none.
 */
export function parseIdentityPick(text: string, choices: readonly string[]): string | null {
  const record = parseJsonReply<{ speaker: string }>(text, identitySchema(choices));
  if (record) return record.speaker;
  let pick: string | null = null;
  let at = Infinity;
  for (const name of choices) {
    const index = text.indexOf(name);
    // A longer name found at the same place ("Anna Karenina" over "Anna") is the one meant.
    if (index >= 0 && (index < at || (index === at && name.length > (pick?.length ?? 0)))) {
      pick = name;
      at = index;
    }
  }
  return pick;
}
