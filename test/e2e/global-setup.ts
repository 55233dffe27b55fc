// Runs once before the end-to-end tests: writes the tiny GGUF model they load.

import { makeTinyGguf } from '../fixtures/make-tiny-gguf';

export default function globalSetup(): void {
  const { path, bytes } = makeTinyGguf();
  if (process.env.E2E_VERBOSE) console.log(`tiny model: ${path} (${bytes} bytes)`);
}
