// How the import job reads a file: in a worker in the browser (the page stays responsive while a
// big pack is parsed; Cancel terminates it), in the same thread where there are no workers (tests).

import { ImportFailure } from '../core/import/failure';
import type { ReadResult } from '../core/import/read-file';
import { ReplyAssembler, runImportRead, unwrapReply, type ImportProtocol, type ImportReadRequest } from '../core/import/worker-protocol';
import { RpcClient } from '../core/rpc';

export type ImportReader = (request: ImportReadRequest, signal: AbortSignal) => Promise<ReadResult>;

const cancelled = () => new ImportFailure('cancelled', 'The import was cancelled.');

export const inThreadReader: ImportReader = async (request, signal) => {
  if (signal.aborted) throw cancelled();
  return unwrapReply(runImportRead(request).reply);
};

/** One short-lived worker per file: nothing lingers after an import. */
export const workerReader: ImportReader = async (request, signal) => {
  if (signal.aborted) throw cancelled();
  const worker = new Worker(new URL('../workers/import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
  const client = new RpcClient<ImportProtocol>(worker, { abortError: cancelled });
  worker.onerror = (event) => client.failAll(new ImportFailure('unknown', event.message || 'The import worker failed.'));
  const assembler = new ReplyAssembler();
  try {
    const end = await client.call('read', request, { signal, onEvent: (part) => assembler.add(part) });
    return unwrapReply(assembler.add(end)!);
  } finally {
    // Cancel stops the reading at once: the worker is busy parsing and would not see an abort message.
    worker.terminate();
  }
};

export function defaultReader(): ImportReader {
  return typeof Worker === 'undefined' ? inThreadReader : workerReader;
}
