// The JSON schemas each pass's reply is constrained to (engines turn them into a grammar) and read back with.

import type { JsonSchema } from '../json-schema';
import type { QuestionDraft } from './filters';

/**
 * Longest question and answer a record may hold, in characters: the grammar closes the string
 * there, so a weak model that never ends a string still writes a whole record in bounded tokens.
 */
export const MAX_QUESTION_CHARS = 200;
export const MAX_ANSWER_CHARS = 800;

/**
 * Pass 1: `{ questions: [{ question, confidence, completeness }] }`, 1 to `count` questions. A
 * reply is read back without the upper bound (`count` undefined): an engine that cannot constrain
 * its output may write more than asked, and the extra ones are simply not used.
 */
export function questionsSchema(count?: number): JsonSchema {
  return {
    type: 'object',
    properties: {
      questions: {
        type: 'array',
        minItems: 1,
        ...(count === undefined ? {} : { maxItems: count }),
        items: {
          type: 'object',
          properties: {
            question: { type: 'string', minLength: 1, maxLength: MAX_QUESTION_CHARS },
            confidence: { type: 'integer', minimum: 1, maximum: 10 },
            completeness: { type: 'integer', minimum: 1, maximum: 10 },
          },
          required: ['question', 'confidence', 'completeness'],
          additionalProperties: false,
        },
      },
    },
    required: ['questions'],
    additionalProperties: false,
  };
}

export interface QuestionsReply {
  questions: QuestionDraft[];
}

/** Pass 2: `{ answer }`. */
export const ANSWER_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { answer: { type: 'string', minLength: 1, maxLength: MAX_ANSWER_CHARS } },
  required: ['answer'],
  additionalProperties: false,
};

export interface AnswerReply {
  answer: string;
}

/**
 * Tokens to leave for a reply: at worst one token a character in the strings (byte-level tokens),
 * plus the JSON around them.
 */
export function questionsReplyTokens(count: number): number {
  return count * (MAX_QUESTION_CHARS + 48) + 16;
}
export const ANSWER_REPLY_TOKENS = MAX_ANSWER_CHARS + 16;
