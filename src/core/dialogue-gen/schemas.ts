// The JSON schemas each pass's reply is constrained to (engines turn them into a grammar) and read back with.

/** Longest question and answer a record may hold, in characters (the grammar stops the model there). */
export const MAX_QUESTION_CHARS = 400;
export const MAX_ANSWER_CHARS = 1500;

/** Pass 1: `{ questions: [{ question, confidence, completeness }] }`, 1 to `count` questions. */
export function questionsSchema(count: number) {
  return {
    type: 'object',
    properties: {
      questions: {
        type: 'array',
        minItems: 1,
        maxItems: count,
        items: {
          type: 'object',
          properties: {
            question: { type: 'string', minLength: 1, maxLength: MAX_QUESTION_CHARS },
            confidence: { type: 'integer', minimum: 1, maximum: 10 },
            completeness: { type: 'integer', minimum: 1, maximum: 10 },
          },
          required: ['question', 'confidence', 'completeness'],
        },
      },
    },
    required: ['questions'],
  } as const;
}

/** Pass 2: `{ answer }`. */
export const ANSWER_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string', minLength: 1, maxLength: MAX_ANSWER_CHARS } },
  required: ['answer'],
} as const;
