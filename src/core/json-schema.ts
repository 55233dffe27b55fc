// The JSON shapes the app asks a model to write (generated dialogues, evaluation judgements), and
// reading a reply back as one. Engines that can constrain decoding get the schema itself
// (GenerateOptions.jsonSchema); every reply is still checked here, because an engine without
// structured output (or a model server that ignores it) may write anything.

/** The part of JSON Schema the app writes: small, and converted to a grammar by every engine we use. */
export type JsonSchema =
  | { type: 'object'; properties: Record<string, JsonSchema>; required?: readonly string[]; additionalProperties?: false }
  | { type: 'string'; enum?: readonly string[]; minLength?: number; maxLength?: number }
  | { type: 'integer' | 'number'; minimum?: number; maximum?: number }
  | { type: 'boolean' }
  | { type: 'array'; items: JsonSchema; minItems?: number; maxItems?: number };

/**
 * The value in a model's reply when it is a valid record of `schema`, else null. A reply may wrap
 * the JSON in a code fence or a sentence (unconstrained engines do): the outermost object or array
 * is read.
 */
export function parseJsonReply<T = unknown>(text: string, schema: JsonSchema): T | null {
  const json = outermostJson(text, schema.type === 'array' ? '[' : schema.type === 'object' ? '{' : null);
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  return matchesSchema(value, schema) ? (value as T) : null;
}

function outermostJson(text: string, open: '{' | '[' | null): string | null {
  const trimmed = text.trim();
  if (open === null) return trimmed;
  const close = open === '{' ? '}' : ']';
  const start = trimmed.indexOf(open);
  const end = trimmed.lastIndexOf(close);
  return start >= 0 && end > start ? trimmed.slice(start, end + 1) : null;
}

/** Whether a parsed value has the schema's shape (types, required keys, enums, lengths and ranges). */
export function matchesSchema(value: unknown, schema: JsonSchema): boolean {
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const record = value as Record<string, unknown>;
      if ((schema.required ?? []).some((key) => !(key in record))) return false;
      if (schema.additionalProperties === false && Object.keys(record).some((key) => !(key in schema.properties))) return false;
      return Object.entries(schema.properties).every(([key, sub]) => !(key in record) || matchesSchema(record[key], sub));
    }
    case 'string':
      return (
        typeof value === 'string' &&
        (!schema.enum || schema.enum.includes(value)) &&
        [...value].length >= (schema.minLength ?? 0) &&
        [...value].length <= (schema.maxLength ?? Infinity)
      );
    case 'integer':
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (schema.type === 'number' || Number.isInteger(value)) &&
        value >= (schema.minimum ?? -Infinity) &&
        value <= (schema.maximum ?? Infinity)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return (
        Array.isArray(value) &&
        value.length >= (schema.minItems ?? 0) &&
        value.length <= (schema.maxItems ?? Infinity) &&
        value.every((item) => matchesSchema(item, schema.items))
      );
  }
}

/**
 * The OpenAI `response_format` that asks for JSON matching `schema`; llama.cpp's server (and so
 * wllama, which runs it in the browser) turns it into a grammar that constrains every token.
 */
export function jsonSchemaResponseFormat(schema: JsonSchema): { type: 'json_schema'; json_schema: { name: string; schema: JsonSchema; strict: true } } {
  return { type: 'json_schema', json_schema: { name: 'record', schema, strict: true } };
}
