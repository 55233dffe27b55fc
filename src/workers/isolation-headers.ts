// Cross-origin isolation added by the service worker, for static hosts that cannot send headers.

/**
 * Multi-threaded wasm needs SharedArrayBuffer, which needs COOP and COEP on the page (and COEP on
 * its workers). Responses the service worker serves carry them, whatever the host sent.
 * CORP `same-origin` lets the page's own files load under `require-corp`.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function withIsolationHeaders(response: Response): Response {
  // Opaque and error responses cannot be re-wrapped (status 0); redirects must stay as they are.
  if (response.status === 0 || response.type === 'opaqueredirect' || response.redirected) return response;
  if (Object.entries(ISOLATION_HEADERS).every(([name, value]) => response.headers.get(name) === value)) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
