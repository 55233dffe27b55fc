// Import worker: reads and parses one dropped file or folder off the main thread, so a pack of
// thousands of scenes never freezes the page. Thin: the work is in core/import.

import { replyParts, runImportRead, type ImportReadRequest } from '../core/import/worker-protocol';

self.onmessage = (event: MessageEvent<ImportReadRequest>) => {
  // In parts: the page decodes each message in one task, and a whole big pack at once would freeze it.
  for (const { message, transfer } of replyParts(runImportRead(event.data).reply)) (self as unknown as Worker).postMessage(message, transfer);
};
