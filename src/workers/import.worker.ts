// Import worker: reads and parses one dropped file or folder off the main thread, so a pack of
// thousands of scenes never freezes the page. Thin: the work is in core/import.

import { serveImportReads } from '../core/import/worker-protocol';
import type { RpcPort } from '../core/rpc';

serveImportReads(self as unknown as RpcPort);
