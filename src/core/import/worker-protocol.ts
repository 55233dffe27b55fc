// The messages between the import job and its worker: what to read, and the result or the failure
// (an ImportFailure does not survive structured cloning, so it travels as plain fields).

import type { PackFile } from '../packs/common';
import { ImportFailure, toImportFailure, type ImportReason } from './failure';
import { readImportFile, readImportFolder, type ReadResult, type SourceFile } from './read-file';

export type ImportReadRequest = { kind: 'file'; file: SourceFile } | { kind: 'folder'; name: string; files: PackFile[] };

export type ImportReadReply =
  | { ok: true; result: ReadResult }
  | { ok: false; reason: ImportReason; message: string; details: Record<string, string | number> };

/** Read as the request says; the reply plus the vector buffers to transfer rather than copy. */
export function runImportRead(request: ImportReadRequest): { reply: ImportReadReply; transfer: ArrayBuffer[] } {
  try {
    const result = request.kind === 'file' ? readImportFile(request.file) : readImportFolder(request.name, request.files);
    const buffers = new Set<ArrayBuffer>();
    for (const draft of result.characters) for (const scene of draft.scenes) for (const v of scene.vectors) buffers.add(v.data);
    return { reply: { ok: true, result }, transfer: [...buffers] };
  } catch (error) {
    const failure = toImportFailure(error);
    return { reply: { ok: false, reason: failure.reason, message: failure.message, details: failure.details }, transfer: [] };
  }
}

/** The worker's reply as the result, or the ImportFailure it stands for. */
export function unwrapReply(reply: ImportReadReply): ReadResult {
  if (reply.ok) return reply.result;
  throw new ImportFailure(reply.reason, reply.message, reply.details);
}
