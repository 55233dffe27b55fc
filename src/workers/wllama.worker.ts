// Worker entry for the CPU engine: wllama driven from here, served to the page.

import { serveEngine } from '../engines/engine-host';
import { WllamaCore } from '../engines/wllama-core';

serveEngine(new WllamaCore(), self as unknown as Parameters<typeof serveEngine>[1]);
