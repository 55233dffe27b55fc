// Reading a model's JSON reply back as a record: constrained engines write clean JSON, others may wrap it.

import { describe, expect, it } from 'vitest';
import { jsonSchemaResponseFormat, matchesSchema, parseJsonReply, type JsonSchema } from '../../../src/core/json-schema';

const question: JsonSchema = {
  type: 'object',
  properties: {
    question: { type: 'string', minLength: 3, maxLength: 40 },
    kind: { type: 'string', enum: ['world', 'everyday', 'out-of-world'] },
    confidence: { type: 'integer', minimum: 1, maximum: 10 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    complete: { type: 'boolean' },
  },
  required: ['question', 'kind', 'confidence'],
  additionalProperties: false,
};

describe('parseJsonReply', () => {
  it('reads a clean record, and one wrapped in a code fence or a sentence', () => {
    const record = { question: 'Who built the lamp?', kind: 'world', confidence: 8 };
    expect(parseJsonReply(JSON.stringify(record), question)).toEqual(record);
    expect(parseJsonReply('```json\n' + JSON.stringify(record) + '\n```', question)).toEqual(record);
    expect(parseJsonReply('Here it is: ' + JSON.stringify(record) + ' Hope that helps.', question)).toEqual(record);
  });

  it('refuses text that is not JSON, and JSON of the wrong shape', () => {
    expect(parseJsonReply('the lamp, the lamp', question)).toBeNull();
    expect(parseJsonReply('{"question": "Who', question)).toBeNull();
    expect(parseJsonReply('{"kind": "world", "confidence": 3}', question)).toBeNull(); // required key missing
    expect(parseJsonReply('{"question": "Who?!", "kind": "other", "confidence": 3}', question)).toBeNull(); // not in the enum
    expect(parseJsonReply('{"question": "Who?!", "kind": "world", "confidence": 11}', question)).toBeNull(); // over the maximum
    expect(parseJsonReply('{"question": "Who?!", "kind": "world", "confidence": 2.5}', question)).toBeNull(); // not an integer
    expect(parseJsonReply('{"question": "Who?!", "kind": "world", "confidence": 2, "extra": 1}', question)).toBeNull();
    expect(parseJsonReply('{"question": "Who?!", "kind": "world", "confidence": 2, "tags": ["a", "b", "c"]}', question)).toBeNull();
  });

  it('counts string length in characters, so Chinese text is measured as written', () => {
    const short: JsonSchema = { type: 'string', maxLength: 4 };
    expect(matchesSchema('灯塔守人', short)).toBe(true);
    expect(matchesSchema('灯塔的守人', short)).toBe(false);
  });

  it('reads a top-level array', () => {
    expect(parseJsonReply('[1, 2, 3]', { type: 'array', items: { type: 'integer' }, minItems: 1 })).toEqual([1, 2, 3]);
    expect(parseJsonReply('[]', { type: 'array', items: { type: 'integer' }, minItems: 1 })).toBeNull();
  });
});

describe('jsonSchemaResponseFormat', () => {
  it('asks for the schema as OpenAI and llama.cpp read it', () => {
    expect(jsonSchemaResponseFormat(question)).toEqual({ type: 'json_schema', json_schema: { name: 'record', schema: question, strict: true } });
  });
});
