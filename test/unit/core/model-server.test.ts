import { describe, expect, it } from 'vitest';
import { normalizeServerUrl, serverAddressProblem, serverHost } from '../../../src/core/model-server';

describe('model server addresses', () => {
  it('takes the address as servers print it: with or without scheme, /v1 or a trailing slash', () => {
    expect(normalizeServerUrl('localhost:8080')).toBe('http://localhost:8080');
    expect(normalizeServerUrl(' http://localhost:11434/v1/ ')).toBe('http://localhost:11434');
    expect(normalizeServerUrl('https://api.example.com/openai/v1')).toBe('https://api.example.com/openai');
    expect(normalizeServerUrl('')).toBeNull();
    expect(normalizeServerUrl('ftp://host')).toBeNull();
    // A key in the URL would be kept and shown with the address; it belongs in the key field.
    expect(normalizeServerUrl('http://user:secret@host:8080')).toBeNull();
    expect(serverHost('http://192.168.1.5:8080')).toBe('192.168.1.5:8080');
  });

  it('says before sending when the browser or the app policy would block the address', () => {
    expect(serverAddressProblem('https://gpu.example.com', 'https:')).toBeNull();
    expect(serverAddressProblem('http://localhost:8080', 'https:')).toBeNull();
    expect(serverAddressProblem('http://127.0.0.1:8080', 'https:')).toBeNull();
    expect(serverAddressProblem('http://192.168.1.5:8080', 'https:')).toBe('mixed-content');
    expect(serverAddressProblem('http://192.168.1.5:8080', 'http:')).toBe('blocked-by-policy');
  });
});

describe('model server errors in words', () => {
  it('names the host and the way out, in English and Chinese', async () => {
    const { errorSentence } = await import('../../../src/core/i18n');
    const codes = ['server-unreachable', 'server-cors', 'server-unauthorized', 'server-model-missing', 'server-rate-limited', 'server-mixed-content', 'server-blocked', 'server-failed'] as const;
    for (const lang of ['en', 'zh'] as const) {
      for (const code of codes) {
        const sentence = errorSentence(lang, code, { host: 'gpu.lan:8080', status: 401, model: 'llama', detail: 'boom' });
        expect(sentence).toContain('gpu.lan:8080');
        expect(sentence).not.toMatch(/\{\w+\}/);
      }
    }
    expect(errorSentence('en', 'server-cors', { host: 'h' })).toContain('CORS');
    expect(errorSentence('en', 'server-model-missing', { host: 'h', model: 'llama' })).toContain('“llama”');
  });
});
