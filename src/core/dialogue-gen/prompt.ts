// The two prompts of dialogue generation, built from what a character has and trimmed to the model's window.
//
// Pass 1 (questions) and pass 2 (one answer in character) both carry the character's material,
// each kind under its own heading, in MATERIAL_KINDS order. When the material does not fit the
// window (context minus the reply's tokens, by the model's count or core/tokens.ts estimates, which err high), the kinds
// go in while they fit: a text field that does not fit is cut at its end, lorebook entries and
// script scenes are taken one by one until the next does not fit, and every kind that lost
// something is listed in `trimmed`, so the inspector view of a pair can say so.

import { expandMacros } from '../macros';
import { characterDisplayName, defaultUserName } from '../macro-names';
import { truncateTokens } from '../token-fit';
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS, PROMPT_OVERHEAD_TOKENS } from '../tokens';
import type { Character, ChatTurn, Lang, Lorebook, Scene } from '../types';
import { DIALOGUE_TEMPLATES, fillTemplate, MATERIAL_KINDS, type MaterialKind, type QuestionKind } from './templates';

/** What a character has to write dialogues from, macros expanded. */
export interface CharacterMaterial {
  name: string;
  description: string;
  personality: string;
  scenario: string;
  exampleDialogue: string;
  /** Contents of the enabled lorebook entries (the card's own book, then attached books). */
  lorebook: readonly string[];
  /** The existing dialogue scenes' texts and knowledge passages: the "script" of script-based questions. */
  script: readonly string[];
}

/** The window a prompt must fit: the model's context and the tokens kept free for its reply. */
export interface PromptBudget {
  contextWindow: number;
  replyTokens: number;
  /** The model's own token count where known (a GGUF's tokenizer, a learned estimate); default the plain estimate. */
  count?: (text: string) => number;
}

export interface AssembledPrompt {
  messages: ChatTurn[];
  /** The exact text sent, as the inspector view shows it (each message under its role). */
  text: string;
  /** Kinds of material that went in (all or in part). */
  used: MaterialKind[];
  /** Kinds of material that were cut or left out to fit the window. */
  trimmed: MaterialKind[];
}

/** Most earlier questions shown to pass 1 so it does not repeat them (each costs prompt tokens). */
export const MAX_AVOIDED_QUESTIONS = 12;

/**
 * A character's material. Generated scenes are not part of the script: questions and answers are
 * drawn from what the person gave, never from the model's own earlier output.
 */
export function materialOf(character: Character, scenes: readonly Scene[], attachedBooks: readonly Lorebook[] = []): CharacterMaterial {
  const name = characterDisplayName(character);
  const expand = (text: string) => expandMacros(text ?? '', { char: name, user: defaultUserName(character.language) }).trim();
  const books = [...(character.lorebook ? [character.lorebook] : []), ...attachedBooks];
  return {
    name,
    description: expand(character.description),
    personality: expand(character.personality),
    scenario: expand(character.scenario),
    exampleDialogue: expand(character.exampleDialogue),
    lorebook: books.flatMap((book) => book.entries.filter((e) => e.enabled && e.content.trim()).map((e) => expand(e.content))),
    script: scenes.filter((scene) => !scene.generated && scene.text.trim()).map((scene) => scene.text.trim()),
  };
}

export interface QuestionPromptOptions {
  kind: QuestionKind;
  count: number;
  lang: Lang;
  /** Questions written so far; the last MAX_AVOIDED_QUESTIONS are listed for the model to avoid. */
  avoid: readonly string[];
  /** Which script scene to start from, so successive batches draw on different parts of a long script. */
  scriptOffset: number;
  budget: PromptBudget;
}

/** Pass 1: ask for `count` questions of one kind, with their confidence and completeness. */
export function questionPrompt(material: CharacterMaterial, options: QuestionPromptOptions): AssembledPrompt {
  const t = DIALOGUE_TEMPLATES[options.lang];
  const values = { char: material.name, count: options.count };
  const system = fillTemplate(t.questionSystem, values);
  const avoided = options.avoid.slice(-MAX_AVOIDED_QUESTIONS);
  const task = [
    fillTemplate(t.questionTask, { ...values, kindTask: fillTemplate(t.kindTasks[options.kind], values) }),
    ...(avoided.length ? ['', t.avoidHeading, ...avoided.map((q) => `- ${q}`)] : []),
  ].join('\n');
  return assemble(material, options.lang, options.budget, options.scriptOffset, system, task, 'before-task');
}

export interface AnswerPromptOptions {
  kind: QuestionKind;
  question: string;
  lang: Lang;
  scriptOffset: number;
  budget: PromptBudget;
}

/** Pass 2: the character answers one question, the material in its system message. */
export function answerPrompt(material: CharacterMaterial, options: AnswerPromptOptions): AssembledPrompt {
  const t = DIALOGUE_TEMPLATES[options.lang];
  const values = { char: material.name, question: options.question };
  const system = `${fillTemplate(t.answerSystem, values)}\n${fillTemplate(t.answerRules[options.kind], values)}`;
  const task = fillTemplate(t.answerTask, values);
  return assemble(material, options.lang, options.budget, options.scriptOffset, system, task, 'in-system');
}

/** The text the inspector view shows for a prompt: each message under its role. */
export function promptText(messages: readonly ChatTurn[]): string {
  return messages.map((m) => `[${m.role}]\n${m.content}`).join('\n\n');
}

function assemble(
  material: CharacterMaterial,
  lang: Lang,
  budget: PromptBudget,
  scriptOffset: number,
  system: string,
  task: string,
  place: 'before-task' | 'in-system',
): AssembledPrompt {
  const count = budget.count ?? estimateTokens;
  const fixed = count(system) + count(task) + 2 * MESSAGE_OVERHEAD_TOKENS + PROMPT_OVERHEAD_TOKENS;
  const room = budget.contextWindow - budget.replyTokens - fixed;
  const { text: materialText, used, trimmed } = fitMaterial(material, lang, room, scriptOffset, count);
  const messages: ChatTurn[] =
    place === 'in-system'
      ? [{ role: 'system', content: joinParts(system, materialText) }, { role: 'user', content: task }]
      : [{ role: 'system', content: system }, { role: 'user', content: joinParts(materialText, task) }];
  return { messages, text: promptText(messages), used, trimmed };
}

function joinParts(...parts: string[]): string {
  return parts.filter((p) => p).join('\n\n');
}

/** Each kind's pieces: one for a text field, one per entry or scene for the lists (script rotated by the offset). */
function piecesOf(material: CharacterMaterial, kind: MaterialKind, scriptOffset: number): readonly string[] {
  switch (kind) {
    case 'description':
      return [material.description];
    case 'personality':
      return [material.personality];
    case 'scenario':
      return [material.scenario];
    case 'example-dialogue':
      return [material.exampleDialogue];
    case 'lorebook':
      return material.lorebook;
    case 'script': {
      const n = material.script.length;
      const start = n ? ((scriptOffset % n) + n) % n : 0;
      return [...material.script.slice(start), ...material.script.slice(0, start)];
    }
  }
}

function fitMaterial(material: CharacterMaterial, lang: Lang, room: number, scriptOffset: number, count: (text: string) => number) {
  const headings = DIALOGUE_TEMPLATES[lang].headings;
  const blocks: string[] = [];
  const used: MaterialKind[] = [];
  const trimmed: MaterialKind[] = [];
  let left = room;
  for (const kind of MATERIAL_KINDS) {
    const pieces = piecesOf(material, kind, scriptOffset).filter((p) => p);
    if (pieces.length === 0) continue;
    const heading = `## ${fillTemplate(headings[kind], { char: material.name })}`;
    // A blank line between blocks and one between pieces: count them with the heading.
    const headingCost = count(heading) + 2;
    const kept: string[] = [];
    let cost = headingCost;
    for (const piece of pieces) {
      const pieceCost = count(piece) + 1;
      if (cost + pieceCost <= left) {
        kept.push(piece);
        cost += pieceCost;
        continue;
      }
      // A single text field is cut to fit; a list stops at the first piece that does not fit.
      if (pieces.length === 1) {
        const cut = truncateTokens(piece, left - cost - 1, count, 'keep-start');
        if (cut) {
          kept.push(cut);
          cost += count(cut) + 1;
        }
      }
      break;
    }
    if (kept.length < pieces.length || kept[kept.length - 1] !== pieces[kept.length - 1]) trimmed.push(kind);
    if (kept.length === 0) continue;
    used.push(kind);
    blocks.push(`${heading}\n${kept.join('\n\n')}`);
    left -= cost;
  }
  return { text: blocks.join('\n\n'), used, trimmed };
}
