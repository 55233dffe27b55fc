import { describe, expect, it } from 'vitest';
import { expandMacros } from '../../../src/core/macros';

const ctx = { char: 'Haruhi', user: 'Kyon' };

describe('expandMacros', () => {
  it('expands {{char}} and {{user}} case-insensitively, with inner spaces', () => {
    expect(expandMacros('{{char}} greets {{user}}. {{CHAR}} {{User}} {{ char }}', ctx)).toBe('Haruhi greets Kyon. Haruhi Kyon Haruhi');
  });

  it('expands V1 <BOT> and <USER> tags case-insensitively', () => {
    expect(expandMacros('<BOT>: hi <USER>! <bot> <User>', ctx)).toBe('Haruhi: hi Kyon! Haruhi Kyon');
  });

  it('handles newline, noop, comments and original', () => {
    expect(expandMacros('a{{newline}}b{{noop}}c{{// secret note}}d', ctx)).toBe('a\nbcd');
    expect(expandMacros('{{original}} Extra.', { ...ctx, original: 'Base.' })).toBe('Base. Extra.');
    expect(expandMacros('{{original}}', ctx)).toBe('{{original}}');
  });

  it('leaves unknown macros and other tags alone', () => {
    const text = '{{random::a::b}} {{roll:d20}} {{getvar::x}} <START> <b>bold</b> {{ unknown }} { {char} }';
    expect(expandMacros(text, ctx)).toBe(text);
  });

  it('does not re-expand names that look like macros', () => {
    expect(expandMacros('{{char}} and {{user}}', { char: '{{user}}', user: '<BOT>' })).toBe('{{user}} and <BOT>');
  });

  it('copes with empty, odd and huge input', () => {
    expect(expandMacros('', ctx)).toBe('');
    expect(expandMacros(undefined as unknown as string, ctx)).toBe('');
    expect(expandMacros('{{{{char}}}}', ctx)).toBe('{{Haruhi}}');
    const huge = '{{'.repeat(50000) + '}}'.repeat(50000);
    // Braces that never close into a macro are left as written (timing: bench/text-speed.bench.ts).
    expect(expandMacros(huge, ctx)).toBe(huge);
  });
});
