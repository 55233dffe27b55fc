// Runs once before the end-to-end tests: writes the tiny GGUF model and the tiny ONNX embedding model they load.

import { makeTinyGguf } from '../fixtures/make-tiny-gguf';
import { makeTinyEmbedding } from '../fixtures/make-tiny-embedding';

export default function globalSetup(): void {
  const { path, bytes } = makeTinyGguf();
  if (process.env.E2E_VERBOSE) console.log(`tiny model: ${path} (${bytes} bytes)`);
  makeTinyEmbedding();
}
