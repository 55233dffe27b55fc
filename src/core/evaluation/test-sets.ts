// Test sets of an evaluation run: questions taken from the character's corpus (held-out exchanges,
// imported RoleBench rows, accepted generated pairs) and the questions the person writes.

import { cyrb53 } from '../hash';
import type { EvalQuestion, EvalSource, Scene, SceneLine } from '../types';


/** Which of a corpus's scenes a source takes its questions from. */
export function sourceOfScene(scene: Scene, character: string): Exclude<EvalSource, 'written'> | null {
  if (scene.kind === 'knowledge') return null;
  // Generated pairs are in the corpus only once the person accepted them.
  if (scene.generated) return 'generated';
  // The RoleBench importer writes each row as two lines: the asker ("User"), then the role's answer.
  const [first, second] = scene.lines;
  if (scene.source === 'rolellm' && scene.lines.length === 2 && first.speaker === 'User' && second.speaker === character) return 'rolebench';
  return 'held-out';
}

/**
 * The name the character's lines carry in its corpus: its name or nickname when a line has it,
 * else the corpus's most frequent speaker (packs often name the role differently from the card).
 */
export function ownSpeaker(scenes: readonly Scene[], names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const scene of scenes) for (const line of scene.lines) counts.set(line.speaker, (counts.get(line.speaker) ?? 0) + 1);
  const named = names.map((n) => n.trim()).find((n) => n && counts.has(n));
  if (named) return named;
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? names[0] ?? '';
}

/** The first line said to the character followed by its reply, or null when the scene has none. */
export function firstExchange(lines: readonly SceneLine[], speaker: string): { prompt: string; reference: string } | null {
  for (let i = 1; i < lines.length; i++) {
    const asked = lines[i - 1];
    const answer = lines[i];
    if (answer.speaker === speaker && asked.speaker !== speaker && asked.text.trim() && answer.text.trim()) {
      return { prompt: asked.text.trim(), reference: answer.text.trim() };
    }
  }
  return null;
}

export interface TestSetRequest {
  /** The corpus sources to take questions from, and how many from each (at most). */
  counts: Partial<Record<Exclude<EvalSource, 'written'>, number>>;
  /** Questions the person wrote, one per entry (blank ones are left out). */
  written?: readonly string[];
  /** Picks the same questions for the same seed (a run's id). */
  seed: string;
}

/**
 * The questions of a run: from each chosen source, up to its count of scenes in a seeded order
 * (a fair sample, the same for the same seed), one exchange each; then the written questions.
 * Every question from a scene names it, so the run keeps that scene out of retrieval.
 */
export function assembleTestSet(scenes: readonly Scene[], speaker: string, request: TestSetRequest): EvalQuestion[] {
  const questions: EvalQuestion[] = [];
  const shuffled = [...scenes].sort((a, b) => cyrb53(a.id, cyrb53(request.seed)) - cyrb53(b.id, cyrb53(request.seed)) || a.id.localeCompare(b.id));
  for (const source of ['held-out', 'rolebench', 'generated'] as const) {
    let left = request.counts[source] ?? 0;
    for (const scene of shuffled) {
      if (left <= 0) break;
      if (sourceOfScene(scene, speaker) !== source) continue;
      const exchange = firstExchange(scene.lines, speaker);
      if (!exchange) continue;
      questions.push({ id: `${source}:${scene.id}`, source, ...exchange, sceneId: scene.id });
      left--;
    }
  }
  (request.written ?? []).map((text) => text.trim()).filter(Boolean).forEach((prompt, i) => {
    questions.push({ id: `written:${i}`, source: 'written', prompt });
  });
  return questions;
}

/** How many questions each corpus source could give (for the form's maximums). */
export function availableQuestions(scenes: readonly Scene[], speaker: string): Record<Exclude<EvalSource, 'written'>, number> {
  const counts = { 'held-out': 0, rolebench: 0, generated: 0 };
  for (const scene of scenes) {
    const source = sourceOfScene(scene, speaker);
    if (source && firstExchange(scene.lines, speaker)) counts[source]++;
  }
  return counts;
}

/** The scenes a run keeps out of retrieval: every scene a question was taken from. */
export function heldOutSceneIds(questions: readonly EvalQuestion[]): Set<string> {
  return new Set(questions.flatMap((q) => (q.sceneId === undefined ? [] : [q.sceneId])));
}

/** The character's own lines in the scenes the run may read (held-out ones left out), for the cosine to its lines. */
export function ownLines(scenes: readonly Scene[], speaker: string, exclude: ReadonlySet<string>, limit: number): string[] {
  const lines: string[] = [];
  for (const scene of scenes) {
    if (exclude.has(scene.id) || scene.kind === 'knowledge') continue;
    for (const line of scene.lines) {
      if (line.speaker === speaker && line.text.trim()) lines.push(line.text.trim());
      if (lines.length >= limit) return lines;
    }
  }
  return lines;
}
