// Worker entry for text embeddings: transformers.js off the page's thread, served to the page.

import type { RpcPort } from '../core/rpc';
import { createBrowserEmbeddingRuntime } from '../engines/embedding/embedding-browser';
import { serveEmbeddings } from '../engines/embedding/embedding-host';

serveEmbeddings(createBrowserEmbeddingRuntime(), self as unknown as RpcPort);
