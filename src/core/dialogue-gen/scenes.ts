// An accepted generated pair as a scene of the character's corpus, marked as generated.

import { estimateTokens } from '../tokens';
import type { Scene } from '../types';
import type { KeptPair } from './job-state';

export interface PairSceneContext {
  characterId: string;
  jobId: string;
  /** The names shown on the scene's lines (the text itself says {{user}} and {{char}}, expanded in each chat). */
  userName: string;
  charName: string;
}

/**
 * One exchange: the question from {{user}}, the answer from {{char}}. The id follows the job and
 * the pair, so accepting the same pair twice (two tabs) cannot add it twice.
 */
export function sceneFromPair(pair: KeptPair, context: PairSceneContext): Scene {
  const text = `{{user}}: ${pair.question}\n{{char}}: ${pair.answer}`;
  return {
    id: `${context.characterId}:gen:${context.jobId}:${pair.id}`,
    characterId: context.characterId,
    title: pair.question,
    text,
    lines: [
      { speaker: context.userName, text: pair.question },
      { speaker: context.charName, text: pair.answer },
    ],
    tokens: estimateTokens(text),
    source: 'example',
    vectors: [],
    generated: { jobId: context.jobId, kind: pair.kind, question: pair.question, prompt: pair.prompt, model: pair.model, createdAt: pair.createdAt },
  };
}
