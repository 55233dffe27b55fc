// Worker entry for the CPU engine: wllama driven from here, served to the page.

import type { RpcPort } from '../core/rpc';
import { serveEngine } from '../engines/bridge/engine-host';
import { WllamaCore } from '../engines/wllama/wllama-core';

serveEngine(new WllamaCore(), self as unknown as RpcPort);
