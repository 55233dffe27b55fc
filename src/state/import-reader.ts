// How the import job reads a file: in a worker in the browser (the page stays responsive while a
// big pack is parsed; Cancel terminates it), in the same thread where there are no workers (tests).

import { ImportFailure } from '../core/import/failure';
import type { ReadResult } from '../core/import/read-file';
import { ReplyAssembler, runImportRead, unwrapReply, type ImportReadPart, type ImportReadRequest } from '../core/import/worker-protocol';

export type ImportReader = (request: ImportReadRequest, signal: AbortSignal) => Promise<ReadResult>;

const cancelled = () => new ImportFailure('cancelled', 'The import was cancelled.');

export const inThreadReader: ImportReader = async (request, signal) => {
  if (signal.aborted) throw cancelled();
  return unwrapReply(runImportRead(request).reply);
};

/** One short-lived worker per file: nothing lingers after an import. */
export const workerReader: ImportReader = (request, signal) =>
  new Promise<ReadResult>((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const worker = new Worker(new URL('../workers/import.worker.ts', import.meta.url), { type: 'module', name: 'import' });
    const finish = () => {
      worker.terminate();
      signal.removeEventListener('abort', abort);
    };
    const abort = () => {
      finish();
      reject(cancelled());
    };
    signal.addEventListener('abort', abort);
    const assembler = new ReplyAssembler();
    worker.onmessage = (event: MessageEvent<ImportReadPart>) => {
      const reply = assembler.add(event.data);
      if (!reply) return;
      finish();
      try {
        resolve(unwrapReply(reply));
      } catch (error) {
        reject(error);
      }
    };
    worker.onerror = (event) => {
      finish();
      reject(new ImportFailure('unknown', event.message || 'The import worker failed.'));
    };
    worker.postMessage(request);
  });

export function defaultReader(): ImportReader {
  return typeof Worker === 'undefined' ? inThreadReader : workerReader;
}
