// Worker entry for text embeddings: transformers.js off the page's thread, served to the page.

import { createBrowserEmbeddingRuntime } from '../engines/embedding/embedding-browser';
import { serveEmbeddings } from '../engines/embedding/embedding-host';

serveEmbeddings(createBrowserEmbeddingRuntime(), self as unknown as Parameters<typeof serveEmbeddings>[1]);
