// RoleLLM / RoleBench corpora -> scenes: a role's profile (description plus script dialogues
// `{act_id, diag_id, role, content}`, one scene per dialogue) and RoleBench instruction rows
// `{role, question, generated[]}`.

import { isRecord } from '../bytes';
import { estimateTokens } from '../tokens';
import type { SceneLine } from '../types';
import { PackError, type ParsedScene } from './common';

export interface RoleLlmProfile {
  name: string;
  description: string;
  scenes: ParsedScene[];
  warnings: string[];
}

export interface RoleLlmOptions {
  /**
   * How a scene's text writes each line: 'plain' `Role: content` (default, RoleGPT style) or
   * 'chatharuhi' `Role:「content」`, to match ChatHaruhi stories in one corpus.
   */
  lineFormat?: 'plain' | 'chatharuhi';
}

const NAMED_BAD_ROWS = 5;
const TITLE_CHARS = 40;

/**
 * RoleBench `profiles-eng/desc.json` (or `profiles-zh/`): role name -> description.
 * Throws PackError('invalid-json' | 'wrong-shape').
 */
export function parseRoleLlmDescriptions(json: string): Map<string, string> {
  const value = parseJson(json, 'desc.json');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PackError('wrong-shape', 'A RoleLLM description file maps role names to descriptions; this JSON is not an object.', {});
  }
  const out = new Map<string, string>();
  for (const [role, desc] of Object.entries(value)) if (typeof desc === 'string') out.set(role, desc);
  return out;
}

/**
 * Dialogue rows (JSONL, or a JSON array) -> one scene per (act_id, diag_id), in the order the
 * dialogues first appear, lines in row order. Rows without a role or content are skipped with a
 * warning. Throws PackError('invalid-json') when no row can be read.
 */
export function parseRoleLlmDialogues(text: string, options: RoleLlmOptions = {}): { scenes: ParsedScene[]; warnings: string[] } {
  const { rows, badRows } = readRows(text);
  const warnings: string[] = [];
  const groups = new Map<string, { act: string; diag: string; lines: SceneLine[] }>();
  const incomplete: number[] = [];
  for (const { row, line } of rows) {
    const role = row.role;
    const content = row.content;
    const act = idOf(row.act_id);
    const diag = idOf(row.diag_id);
    if (typeof role !== 'string' || typeof content !== 'string' || act === null || diag === null) {
      incomplete.push(line);
      continue;
    }
    const key = `${act}\u0000${diag}`;
    const group = groups.get(key) ?? { act, diag, lines: [] };
    groups.set(key, group);
    if (content.trim()) group.lines.push({ speaker: role.trim(), text: content.trim() });
  }
  if (rows.length === 0) throw new PackError('invalid-json', 'Not RoleLLM dialogues: no line is a JSON object.', { lines: badRows.length });
  if (badRows.length) warnings.push(listRows(badRows, 'not a JSON object'));
  if (incomplete.length) warnings.push(listRows(incomplete, 'it lacks act_id, diag_id, role or content'));
  const scenes: ParsedScene[] = [];
  for (const group of groups.values()) {
    if (group.lines.length === 0) continue;
    scenes.push(sceneOf(`Act ${group.act}, dialogue ${group.diag}`, group.lines, options));
  }
  return { scenes, warnings };
}

export interface RoleLlmProfileInput {
  role: string;
  /** The description itself, or… */
  description?: string;
  /** …the text of a desc.json that holds it under `role`. */
  descriptions?: string;
  /** Dialogue rows, JSONL or a JSON array. */
  dialogues?: string;
}

/** A role's profile: its description and its dialogues as scenes. */
export function parseRoleLlmProfile(input: RoleLlmProfileInput, options: RoleLlmOptions = {}): RoleLlmProfile {
  const warnings: string[] = [];
  let description = input.description ?? '';
  if (!input.description && input.descriptions !== undefined) {
    const found = parseRoleLlmDescriptions(input.descriptions).get(input.role);
    if (found === undefined) warnings.push(`desc.json: no description for "${input.role}".`);
    else description = found;
  }
  let scenes: ParsedScene[] = [];
  if (input.dialogues !== undefined) {
    const parsed = parseRoleLlmDialogues(input.dialogues, options);
    scenes = parsed.scenes;
    warnings.push(...parsed.warnings);
  }
  return { name: input.role, description: description.trim(), scenes, warnings };
}

export interface RoleBenchOptions extends RoleLlmOptions {
  /** Keep only this role's rows (RoleBench files mix roles). */
  role?: string;
  /** The speaker name for the question. Default 'User'. */
  userName?: string;
}

/**
 * RoleBench rows `{role, question, generated: string[]}` -> one scene per row: the question, then
 * the role's first generated answer (the others are alternative samples of the same answer).
 * `roles` lists every role in the file with its row count, so the UI can offer a choice;
 * `byRole` holds the same scenes grouped by role, so a file of thousands of roles is read once.
 */
export function parseRoleBench(
  text: string,
  options: RoleBenchOptions = {},
): { scenes: ParsedScene[]; byRole: Map<string, ParsedScene[]>; roles: { role: string; rows: number }[]; warnings: string[] } {
  const { rows, badRows } = readRows(text);
  if (rows.length === 0) throw new PackError('invalid-json', 'Not RoleBench data: no line is a JSON object.', { lines: badRows.length });
  const user = options.userName ?? 'User';
  const warnings: string[] = [];
  const roles = new Map<string, number>();
  const incomplete: number[] = [];
  const scenes: ParsedScene[] = [];
  const byRole = new Map<string, ParsedScene[]>();
  for (const { row, line } of rows) {
    const role = typeof row.role === 'string' ? row.role.trim() : '';
    const question = typeof row.question === 'string' ? row.question.trim() : '';
    const generated = Array.isArray(row.generated) ? row.generated : [row.generated];
    const answer = generated.find((g): g is string => typeof g === 'string' && g.trim() !== '')?.trim();
    if (!role || !question || !answer) {
      incomplete.push(line);
      continue;
    }
    roles.set(role, (roles.get(role) ?? 0) + 1);
    if (options.role !== undefined && role !== options.role) continue;
    const scene = sceneOf(truncate(question), [{ speaker: user, text: question }, { speaker: role, text: answer }], options);
    scenes.push(scene);
    const own = byRole.get(role);
    if (own) own.push(scene);
    else byRole.set(role, [scene]);
  }
  if (badRows.length) warnings.push(listRows(badRows, 'not a JSON object'));
  if (incomplete.length) warnings.push(listRows(incomplete, 'it lacks role, question or a generated answer'));
  if (options.role !== undefined && !roles.has(options.role)) warnings.push(`No rows for the role "${options.role}".`);
  return { scenes, byRole, roles: [...roles].map(([role, count]) => ({ role, rows: count })).sort((a, b) => b.rows - a.rows), warnings };
}

function sceneOf(title: string, lines: SceneLine[], options: RoleLlmOptions): ParsedScene {
  const text = lines.map((l) => (options.lineFormat === 'chatharuhi' ? `${l.speaker}:「${l.text}」` : `${l.speaker}: ${l.text}`)).join('\n');
  return { title, text, lines, tokens: estimateTokens(text), source: 'rolellm', vectors: [] };
}

function readRows(text: string): { rows: { row: Record<string, unknown>; line: number }[]; badRows: number[] } {
  const rows: { row: Record<string, unknown>; line: number }[] = [];
  const badRows: number[] = [];
  const body = text.replace(/^\ufeff/, '');
  if (body.trimStart().startsWith('[')) {
    const value = parseJson(body, 'the file');
    if (!Array.isArray(value)) throw new PackError('wrong-shape', 'Expected a list of rows.', {});
    value.forEach((row, i) => (isRecord(row) ? rows.push({ row, line: i + 1 }) : badRows.push(i + 1)));
    return { rows, badRows };
  }
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw) continue;
    try {
      const row: unknown = JSON.parse(raw);
      if (isRecord(row)) rows.push({ row, line: i + 1 });
      else badRows.push(i + 1);
    } catch {
      badRows.push(i + 1);
    }
  }
  return { rows, badRows };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    throw new PackError('invalid-json', `${what} is not valid JSON.`, {}, { cause: error });
  }
}

function idOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim()) return value.trim();
  return null;
}

function listRows(rows: number[], why: string): string {
  const more = rows.length > NAMED_BAD_ROWS ? ` and ${rows.length - NAMED_BAD_ROWS} more` : '';
  return `row ${rows.slice(0, NAMED_BAD_ROWS).join(', ')}${more}: skipped, ${why}.`;
}

function truncate(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length > TITLE_CHARS ? `${chars.slice(0, TITLE_CHARS - 1).join('')}…` : chars.join('');
}
