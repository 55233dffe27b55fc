// A model server of the person's own (llama-server, Ollama, LM Studio, vLLM, a hosted OpenAI-compatible
// service): its address rules, pure. The engine (engines/server) does the talking.

/** What the Models page keeps about the server; the API key stays in this device's settings. */
export interface ServerConfig {
  /** Normalized base URL: no trailing slash, no trailing "/v1" (llama-server's /props and /tokenize sit beside /v1). */
  baseUrl: string;
  /** The model id as /v1/models lists it. */
  model: string;
  apiKey?: string;
  /** Tokens, as entered or as the server stated it; the engine asks /props when it is missing. */
  contextWindow?: number;
}

/** Why an address cannot be used from this page, before anything is sent. */
export type ServerAddressProblem = 'invalid' | 'mixed-content' | 'blocked-by-policy';

/** Whether a host is this computer; browsers treat http to it as secure (no mixed-content block). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * "localhost:8080/v1/" → "http://localhost:8080". People paste the address their server prints, often
 * with /v1 (Ollama's docs say http://localhost:11434/v1) or without a scheme; null when it is no URL.
 */
export function normalizeServerUrl(input: string): string | null {
  let text = input.trim();
  if (text === '') return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null; // a key goes in the API key field, never in the URL
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** The host the person sees in "text goes to …" notices. */
export function serverHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/**
 * Problems the browser would report only as an unexplained "Failed to fetch": an https page may not
 * call an http server other than this computer (mixed content), and the app's Content-Security-Policy
 * (scripts/csp.ts) lets plain http reach only localhost and 127.0.0.1.
 */
export function serverAddressProblem(baseUrl: string, pageProtocol: string): ServerAddressProblem | null {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'invalid';
  }
  if (url.protocol === 'https:') return null;
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (loopback) return null;
  if (pageProtocol === 'https:' && !isLoopbackHost(url.hostname)) return 'mixed-content';
  return 'blocked-by-policy';
}

/** Whether an error message from the server means the prompt did not fit its context window. */
export function isContextOverflow(message: string): boolean {
  return /exceed.*context|context.*(exceed|length|window|full|size)|maximum context|too many tokens|kv cache is full/i.test(message);
}
