// Which wllama failures mean its wasm is dead (the engine must be reported unloaded), and which are
// ordinary errors of one request.

import { describe, expect, it } from 'vitest';
import { isWllamaCrash } from '../../../../src/engines/wllama/wllama-core';

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('isWllamaCrash', () => {
  it('counts a wasm trap, the worker abort signal and a lost message header as crashes', () => {
    expect(isWllamaCrash(named('RuntimeError', 'memory access out of bounds'))).toBe(true);
    expect(isWllamaCrash(new Error('(ABORT) exit(1)'))).toBe(true);
    expect(isWllamaCrash(new Error('wllama has crashed, please reload the module'))).toBe(true);
    // The bytes "GLUE" of wllama's message header read as a length: 0x45554c47.
    expect(isWllamaCrash(new RangeError('Invalid typed array length: 1163217991'))).toBe(true);
  });

  it('leaves the errors of one request alone', () => {
    expect(isWllamaCrash(new Error('request (1239 tokens) exceeds the available context size (1024 tokens)'))).toBe(false);
    expect(isWllamaCrash(named('AbortError', 'Operation aborted'))).toBe(false);
    expect(isWllamaCrash('a string')).toBe(false);
  });
});
