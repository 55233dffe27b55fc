// Worker entry for the CPU engine: wllama driven from here, served to the page.

import { serveEngine } from '../engines/bridge/engine-host';
import { WllamaCore } from '../engines/wllama/wllama-core';

serveEngine(new WllamaCore(), self as unknown as Parameters<typeof serveEngine>[1]);
