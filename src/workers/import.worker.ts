// Import worker: reads and parses one dropped file or folder off the main thread, so a pack of
// thousands of scenes never freezes the page. Thin: the work is in core/import.

import { runImportRead, type ImportReadRequest } from '../core/import/worker-protocol';

self.onmessage = (event: MessageEvent<ImportReadRequest>) => {
  const { reply, transfer } = runImportRead(event.data);
  (self as unknown as Worker).postMessage(reply, transfer);
};
