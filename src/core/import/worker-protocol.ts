// The call between the import job and its worker (over core/rpc.ts): what to read, and the result
// sent in parts, or the ImportFailure (through the one error serializer).

import type { PackFile, ParsedScene } from '../packs/common';
import { serveRpc, type RpcMethod, type RpcPort } from '../rpc';
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

/** One message of a reply sent in parts: some scenes of one character, or the rest of the reply. */
export type ImportReadPart =
  | { part: 'scenes'; character: number; scenes: ParsedScene[] }
  | { part: 'end'; reply: ImportReadReply };

/**
 * Scenes per message. The page decodes each message in one task (about 10 µs a scene in Chromium):
 * 20,000 scenes in one message froze it for over 200 ms; parts of 1,000 keep each near 10 ms.
 */
export const SCENES_PER_PART = 1000;

/**
 * The reply as messages to post in order: the scenes in parts, then the reply without them. Each
 * part transfers the vector buffers only its own scenes use (a buffer shared across parts is copied).
 */
export function replyParts(reply: ImportReadReply, size = SCENES_PER_PART): { message: ImportReadPart; transfer: ArrayBuffer[] }[] {
  if (!reply.ok) return [{ message: { part: 'end', reply }, transfer: [] }];
  const parts: { message: Extract<ImportReadPart, { part: 'scenes' }>; buffers: Set<ArrayBuffer> }[] = [];
  const partsUsing = new Map<ArrayBuffer, number>();
  reply.result.characters.forEach((draft, character) => {
    for (let at = 0; at < draft.scenes.length; at += size) {
      const scenes = draft.scenes.slice(at, at + size);
      const buffers = new Set(scenes.flatMap((scene) => scene.vectors.map((v) => v.data)));
      for (const buffer of buffers) partsUsing.set(buffer, (partsUsing.get(buffer) ?? 0) + 1);
      parts.push({ message: { part: 'scenes', character, scenes }, buffers });
    }
  });
  const rest: ImportReadReply = { ok: true, result: { ...reply.result, characters: reply.result.characters.map((draft) => ({ ...draft, scenes: [] })) } };
  return [
    ...parts.map(({ message, buffers }) => ({ message, transfer: [...buffers].filter((buffer) => partsUsing.get(buffer) === 1) })),
    { message: { part: 'end', reply: rest }, transfer: [] },
  ];
}

/** Puts a reply sent in parts back together, in the order the parts were posted. */
export class ReplyAssembler {
  #scenes = new Map<number, ParsedScene[]>();

  /** The whole reply once its last part is in; null before. */
  add(message: ImportReadPart): ImportReadReply | null {
    if (message.part === 'scenes') {
      const scenes = this.#scenes.get(message.character) ?? [];
      for (const scene of message.scenes) scenes.push(scene);
      this.#scenes.set(message.character, scenes);
      return null;
    }
    const { reply } = message;
    if (!reply.ok) return reply;
    const characters = reply.result.characters.map((draft, i) => ({ ...draft, scenes: this.#scenes.get(i) ?? draft.scenes }));
    return { ok: true, result: { ...reply.result, characters } };
  }
}

type ScenesPart = Extract<ImportReadPart, { part: 'scenes' }>;
type EndPart = Extract<ImportReadPart, { part: 'end' }>;

export interface ImportProtocol {
  /** Read one file or folder: the scenes come as events in parts, the rest of the reply at the end. */
  read: RpcMethod<ImportReadRequest, ScenesPart, EndPart>;
}

/** The import worker's side: reads each request and posts the reply in parts. */
export function serveImportReads(port: RpcPort): void {
  serveRpc<ImportProtocol>(
    port,
    {
      read: (request, { emit }) => {
        const { reply } = runImportRead(request);
        if (!reply.ok) throw new ImportFailure(reply.reason, reply.message, reply.details);
        // In parts: the page decodes each message in one task, and a whole big pack at once would freeze it.
        const parts = replyParts(reply);
        const end = parts.pop()!;
        for (const { message, transfer } of parts) emit(message as ScenesPart, transfer);
        return end.message as EndPart;
      },
    },
    { toError: (error) => toImportFailure(error) },
  );
}
