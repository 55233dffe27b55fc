// The service worker's isolation fallback: responses gain COOP/COEP/CORP, keep body and status,
// and responses that cannot be re-wrapped pass through untouched.

import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, withIsolationHeaders } from '../../../src/workers/isolation-headers';

describe('withIsolationHeaders', () => {
  it('adds the isolation headers and keeps the body, status and other headers', async () => {
    const original = new Response('<!doctype html><title>Hearth</title>', {
      status: 200,
      statusText: 'OK',
      headers: { 'Content-Type': 'text/html', 'Cache-Control': 'no-cache' },
    });
    const wrapped = withIsolationHeaders(original);
    expect(wrapped.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(wrapped.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(wrapped.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin');
    expect(wrapped.headers.get('Content-Type')).toBe('text/html');
    expect(wrapped.headers.get('Cache-Control')).toBe('no-cache');
    expect(wrapped.status).toBe(200);
    expect(await wrapped.text()).toBe('<!doctype html><title>Hearth</title>');
  });

  it('keeps an error status as it is, so a missing file stays missing', () => {
    const wrapped = withIsolationHeaders(new Response('not found', { status: 404 }));
    expect(wrapped.status).toBe(404);
    expect(wrapped.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
  });

  it('returns a response that already has the headers unchanged', () => {
    const original = new Response('x', { headers: { ...ISOLATION_HEADERS } });
    expect(withIsolationHeaders(original)).toBe(original);
  });

  it('passes opaque (status 0) responses through, since they cannot be rebuilt', () => {
    const opaque = Response.error();
    expect(opaque.status).toBe(0);
    expect(withIsolationHeaders(opaque)).toBe(opaque);
  });
});
