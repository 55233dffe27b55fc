// JSON schemas as GBNF grammars for wllama: the grammar written for each kind of schema the app uses.
import { describe, expect, it } from 'vitest';
import { ANSWER_SCHEMA, questionsSchema } from '../../../src/core/dialogue-gen/schemas';
import { gbnfLiteral, schemaToGbnf } from '../../../src/core/json-gbnf';

const rulesOf = (grammar: string) => grammar.split('\n').filter((line) => !/^(ws|char|integer|number) ::=/.test(line));

describe('schemaToGbnf', () => {
  it('writes an object with its keys in order, strings bounded by their lengths', () => {
    expect(rulesOf(schemaToGbnf(ANSWER_SCHEMA))).toEqual([
      'root ::= r1',
      'r0 ::= "\\"" char{1,800} "\\""',
      'r1 ::= "{" ws "\\"answer\\"" ws ":" ws r0 ws "}"',
    ]);
  });

  it('writes a bounded array of objects, and a small integer range as its numbers', () => {
    expect(rulesOf(schemaToGbnf(questionsSchema(5)))).toEqual([
      'root ::= r3',
      'r0 ::= "\\"" char{1,200} "\\""',
      'r1 ::= "{" ws "\\"question\\"" ws ":" ws r0 "," ws "\\"confidence\\"" ws ":" ws ("1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "10") "," ws "\\"completeness\\"" ws ":" ws ("1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "10") ws "}"',
      'r2 ::= "[" ws r1 ("," ws r1){0,4} ws "]"',
      'r3 ::= "{" ws "\\"questions\\"" ws ":" ws r2 ws "}"',
    ]);
  });

  it('writes enums, booleans, unbounded numbers, optional and open-ended arrays', () => {
    const grammar = schemaToGbnf({
      type: 'object',
      properties: {
        mood: { type: 'string', enum: ['calm', 'say "hi"'] },
        ok: { type: 'boolean' },
        score: { type: 'number' },
        big: { type: 'integer', minimum: 0, maximum: 1000 },
        tags: { type: 'array', items: { type: 'string' } },
        some: { type: 'array', items: { type: 'boolean' }, minItems: 2 },
      },
    });
    expect(grammar).toContain('("\\"calm\\"" | "\\"say \\\\\\"hi\\\\\\"\\"")');
    expect(grammar).toContain('"\\"ok\\"" ws ":" ws ("true" | "false")');
    expect(grammar).toContain('"\\"score\\"" ws ":" ws number');
    expect(grammar).toContain('"\\"big\\"" ws ":" ws integer');
    expect(grammar).toContain('"[" ws (r0 ("," ws r0){0,})? ws "]"');
    expect(grammar).toContain('"[" ws ("true" | "false") ("," ws ("true" | "false")){1,} ws "]"');
    // llama.cpp's JSON characters: anything but a quote, a backslash or a control character, or an escape.
    expect(grammar).toContain('char ::= [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})');
  });

  it('escapes literals', () => {
    expect(gbnfLiteral('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });
});
