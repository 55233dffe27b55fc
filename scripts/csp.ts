// The Content-Security-Policy of the built app, in one place: vite.config.ts sends it as a header from
// `vite preview` (npm start) and writes it into index.html as a <meta> tag at build, for static hosts
// that cannot set headers. The dev server (`vite`, HMR) gets neither: it needs inline and eval.
//
// Why each source is there:
// - script-src 'self': every script is a file of the build; there is no inline script and no eval.
//   'wasm-unsafe-eval' compiles WebAssembly (wllama, onnxruntime, web-llm's model libraries) and
//   nothing else. blob: is for transformers.js, which imports onnxruntime's wasm factory (.mjs, a file
//   of the build) from a blob: URL it makes from the cached copy (env.useWasmCache); a blob: URL can only
//   be made by script already running here, so injected markup still cannot run script.
// - worker-src 'self' blob:: our workers are files of the build; wllama starts its llama.cpp worker
//   (and that worker its threads) from blob: URLs of code bundled in the library. 'self' also covers
//   the service worker.
// - connect-src: model downloads. Hugging Face (huggingface.co, redirected to cdn-lfs*.huggingface.co
//   and *.hf.co / xethub hosts) for web-llm's and the embedding models' weights, raw.githubusercontent.com
//   for web-llm's model libraries, are all https; but a GGUF "by URL" (wllama) and a custom MLC model
//   "hosted anywhere" take any https address the person types, which a static policy can only allow as
//   `https:`. It is a trade-off: a host list would break those features, and what the policy must stop,
//   injected script, is stopped by script-src. Plain http only to this computer (localhost, 127.0.0.1),
//   as src/core/model-storage.ts allows for custom models ([::1] cannot be written in a CSP source).
//   blob: and data: are read with fetch() (stored model libraries, picked images).
//   The model server engine (src/engines/server) talks to the one origin the person configures. A
//   static policy cannot name an origin chosen at run time, so it stays within the rule above: an https
//   server anywhere, plain http only on this computer. The engine itself sends every request to the
//   configured origin only, and refuses a plain-http server elsewhere before sending, with a sentence
//   instead of a bare "Failed to fetch" (serverAddressProblem in src/core/model-server.ts); on an https
//   page the browser's mixed-content rule would block that server anyway. Narrowing connect-src to the
//   server at run time (a second <meta> policy added by script) is not done: policies intersect, so it
//   would also cut off model downloads, and it could not be lifted again without a reload. Adding
//   `http:` for LAN servers would open plain http to every host for every feature: not done either.
// - img-src 'self' data: blob:: avatars are data: URLs or blob: URLs; no remote image is ever shown.
// - style-src 'self': Svelte's styles are CSS files in a build; style: directives set element.style
//   (CSSOM), which CSP does not govern. No 'unsafe-inline'.
// - object-src 'none', base-uri 'self', form-action 'self'; frame-ancestors 'none' only as a header
//   (browsers ignore it in a <meta> tag).

export type CspDirectives = Record<string, readonly string[]>;

export const CSP_DIRECTIVES: CspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'connect-src': ["'self'", 'https:', 'http://localhost:*', 'http://127.0.0.1:*', 'blob:', 'data:'],
  'img-src': ["'self'", 'data:', 'blob:'],
  'style-src': ["'self'"],
  'font-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Directives a <meta http-equiv> policy may not carry (the browser ignores them and warns). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

function serialize(directives: CspDirectives, keep: (name: string) => boolean): string {
  return Object.entries(directives)
    .filter(([name]) => keep(name))
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** The policy as the Content-Security-Policy response header. */
export function cspHeader(directives: CspDirectives = CSP_DIRECTIVES): string {
  return serialize(directives, () => true);
}

/** The policy for `<meta http-equiv="Content-Security-Policy">`: the header less header-only directives. */
export function cspMeta(directives: CspDirectives = CSP_DIRECTIVES): string {
  return serialize(directives, (name) => !HEADER_ONLY.has(name));
}

/** Adds the meta tag first in <head> (a meta policy covers only what comes after it), in builds only. */
export function cspMetaPlugin() {
  return {
    name: 'hearth-csp-meta',
    apply: 'build' as const,
    transformIndexHtml() {
      return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: cspMeta() }, injectTo: 'head-prepend' as const }];
    },
  };
}
