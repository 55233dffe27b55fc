// The request llama-server (inside wllama) is sent: each sampler under the JSON name the server reads.

import { describe, expect, it } from 'vitest';
import { llamaServerSampling } from '../../../../src/engines/wllama/wllama-core';

describe('llamaServerSampling', () => {
  it('names the penalties as llama-server reads them (repeat_penalty, not the C++ field penalty_repeat)', () => {
    const request = llamaServerSampling({
      maxTokens: 64, temperature: 0.7, topP: 0.9, topK: 20, minP: 0.05, repetitionPenalty: 1.3, presencePenalty: 0.4, frequencyPenalty: 0.2, seed: 9, stop: ['END'],
    });
    expect(request).toEqual({
      max_tokens: 64, temperature: 0.7, top_p: 0.9, top_k: 20, min_p: 0.05, repeat_penalty: 1.3, presence_penalty: 0.4, frequency_penalty: 0.2, seed: 9, stop: ['END'],
    });
  });

  it('sends nothing for a sampler the app did not set', () => {
    expect(llamaServerSampling({ maxTokens: 16, temperature: 0, topP: 1 })).toEqual({ max_tokens: 16, temperature: 0, top_p: 1 });
  });

  it('asks for a JSON schema as a response_format, which llama.cpp turns into a grammar', () => {
    const schema = { type: 'object', properties: { who: { type: 'string', enum: ['Mira', 'Ana'] } }, required: ['who'] } as const;
    expect(llamaServerSampling({ maxTokens: 16, temperature: 0, topP: 1, jsonSchema: schema })).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { schema } },
    });
  });
});
