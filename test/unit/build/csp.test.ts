import { describe, expect, it } from 'vitest';
import { CSP_DIRECTIVES, cspHeader, cspMeta } from '../../../scripts/csp';

/** "a b c; d e" → { a: ['b', 'c'], d: ['e'] } */
function parse(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

describe('Content-Security-Policy', () => {
  const header = parse(cspHeader());

  it('runs no inline script and no eval; wasm compiles', () => {
    expect(header['script-src']).toContain("'self'");
    expect(header['script-src']).toContain("'wasm-unsafe-eval'");
    expect(header['script-src']).not.toContain("'unsafe-inline'");
    expect(header['script-src']).not.toContain("'unsafe-eval'");
    expect(header['script-src']).not.toContain('data:');
    expect(header['script-src']).not.toContain('https:');
    // blob: only for transformers.js's import of onnxruntime's wasm factory (scripts/csp.ts).
    expect(header['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
  });

  it('allows no wildcard source and no plain http beyond this computer', () => {
    for (const [name, sources] of Object.entries(header)) {
      for (const source of sources) {
        expect(source, name).not.toBe('*');
        expect(source, name).not.toBe('http:');
        if (source.startsWith('http://')) expect(source, name).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\*$/);
      }
    }
  });

  it('keeps styles to files, plugins off, and workers to the app and its blobs', () => {
    expect(header['style-src']).toEqual(["'self'"]);
    expect(header['object-src']).toEqual(["'none'"]);
    expect(header['base-uri']).toEqual(["'self'"]);
    expect(header['worker-src']).toEqual(["'self'", 'blob:']);
    expect(header['img-src']).not.toContain('https:');
    expect(header['default-src']).toEqual(["'self'"]);
  });

  it('lets model downloads through (https) and reads blobs', () => {
    expect(header['connect-src']).toEqual(expect.arrayContaining(["'self'", 'https:', 'blob:']));
  });

  it('sends frame-ancestors in the header only: a meta policy may not carry it', () => {
    expect(header['frame-ancestors']).toEqual(["'none'"]);
    const meta = parse(cspMeta());
    expect(meta['frame-ancestors']).toBeUndefined();
    expect({ ...meta, 'frame-ancestors': header['frame-ancestors'] }).toEqual(header);
  });

  it('serialises every directive once, as written', () => {
    expect(Object.keys(header)).toEqual(Object.keys(CSP_DIRECTIVES));
    expect(cspHeader()).not.toMatch(/[,\n]/);
  });
});
