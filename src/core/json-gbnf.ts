// A JSON schema as a llama.cpp GBNF grammar, for engines that take a grammar but cannot convert a schema.
//
// Why: wllama's build of llama.cpp fails on every JSON schema and on json_object ("Failed to
// initialize samplers: std::exception", seen with wllama 3.13 in Chromium), while a GBNF
// `grammar` in the same request works. So the app writes the grammar itself, for the subset of
// JSON Schema it uses (core/json-schema.ts). The grammar follows llama.cpp's own JSON grammar:
// strings of JSON characters (escapes count as one, as JSON.parse counts them), lengths and item
// counts as bounded repetitions, a small integer range as the list of its numbers, object keys in
// the schema's order (all of them written), at most one space between tokens (a model must not
// spend its reply on whitespace).

import type { JsonSchema } from './json-schema';

/** Integer ranges up to this many values are written out; larger ones are any integer (the reply is checked anyway). */
const MAX_ENUMERATED_RANGE = 100;

const PRELUDE = [
  'ws ::= " "?',
  'char ::= [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})',
  'integer ::= "-"? ([0-9] | [1-9] [0-9]{1,15})',
  'number ::= integer ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?',
];

/** The GBNF grammar (root rule `root`) whose sentences are exactly JSON texts of `schema`'s shape. */
export function schemaToGbnf(schema: JsonSchema): string {
  const rules: string[] = [];
  const rule = (body: string): string => {
    const name = `r${rules.length}`;
    rules.push(`${name} ::= ${body}`);
    return name;
  };
  const root = expression(schema, rule);
  return [`root ::= ${root}`, ...rules, ...PRELUDE].join('\n');
}

/** A GBNF string literal for `text`. */
export function gbnfLiteral(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

function repeat(item: string, min: number, max: number | undefined): string {
  if (max === undefined) return `${item}{${min},}`;
  return min === max ? `${item}{${min}}` : `${item}{${min},${max}}`;
}

function expression(schema: JsonSchema, rule: (body: string) => string): string {
  switch (schema.type) {
    case 'string': {
      if (schema.enum) return `(${schema.enum.map((value) => gbnfLiteral(JSON.stringify(value))).join(' | ')})`;
      return rule(`"\\"" ${repeat('char', schema.minLength ?? 0, schema.maxLength)} "\\""`);
    }
    case 'integer': {
      const { minimum, maximum } = schema;
      if (minimum !== undefined && maximum !== undefined && Number.isInteger(minimum) && Number.isInteger(maximum) && maximum >= minimum && maximum - minimum < MAX_ENUMERATED_RANGE) {
        return `(${Array.from({ length: maximum - minimum + 1 }, (_, i) => gbnfLiteral(String(minimum + i))).join(' | ')})`;
      }
      return 'integer';
    }
    case 'number':
      return 'number';
    case 'boolean':
      return '("true" | "false")';
    case 'array': {
      const item = expression(schema.items, rule);
      const min = schema.minItems ?? 0;
      const max = schema.maxItems;
      if (max === 0) return rule('"[" ws "]"');
      const rest = repeat(`("," ws ${item})`, Math.max(0, min - 1), max === undefined ? undefined : max - 1);
      const items = `${item} ${rest}`;
      return rule(`"[" ws ${min > 0 ? items : `(${items})?`} ws "]"`);
    }
    case 'object': {
      const members = Object.entries(schema.properties).map(([key, sub]) => `${gbnfLiteral(JSON.stringify(key))} ws ":" ws ${expression(sub, rule)}`);
      return rule(members.length ? `"{" ws ${members.join(' "," ws ')} ws "}"` : '"{" ws "}"');
    }
  }
}
