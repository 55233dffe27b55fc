// The import worker's reply sent in parts: a big pack arrives whole, in order, with its vectors, and
// no part carries more than SCENES_PER_PART scenes (so the page never decodes a whole pack at once).

import { describe, expect, it } from 'vitest';
import { ReplyAssembler, replyParts, runImportRead, SCENES_PER_PART, type ImportReadPart, type ImportReadReply } from '../../../../src/core/import/worker-protocol';
import type { ReadResult } from '../../../../src/core/import/read-file';

const STORIES = 2500;
/** bge-small-zh's width, which the ChatHaruhi reader checks. */
const DIM = 512;

/** A ChatHaruhi JSONL export: a system prompt row, then one row per story with a big-endian vector. */
function jsonlPack(): Uint8Array {
  const rows = [JSON.stringify({ text: 'You are Mira.', bge_zh_s15: 'system_prompt' })];
  for (let i = 0; i < STORIES; i++) {
    const vector = Buffer.alloc(DIM * 4);
    for (let d = 0; d < DIM; d++) vector.writeFloatBE(i + d / 10, d * 4);
    rows.push(JSON.stringify({ text: `Mira:「Story ${i}.」`, bge_zh_s15: vector.toString('base64') }));
  }
  return new TextEncoder().encode(rows.join('\n'));
}

/** Posts the parts as the worker does (structured clone, buffers transferred) and reassembles them. */
function sendInParts(reply: ImportReadReply): { received: ImportReadReply | null; parts: ImportReadPart[] } {
  const assembler = new ReplyAssembler();
  const parts: ImportReadPart[] = [];
  let received: ImportReadReply | null = null;
  for (const { message, transfer } of replyParts(reply)) {
    const posted = structuredClone(message, { transfer });
    parts.push(posted);
    expect(received).toBeNull();
    received = assembler.add(posted);
  }
  return { received, parts };
}

describe('the import reply in parts', () => {
  it('brings a pack of 2,500 scenes back whole, in order and with its vectors, 1,000 scenes at most per part', () => {
    const { reply } = runImportRead({ kind: 'file', file: { name: 'mira.jsonl', bytes: jsonlPack() } });
    expect(reply.ok).toBe(true);
    const sent = (reply as { result: ReadResult }).result;
    const expected = structuredClone(sent);
    expect(expected.characters[0].scenes).toHaveLength(STORIES);

    const { received, parts } = sendInParts(reply);
    expect(parts.map((p) => (p.part === 'scenes' ? p.scenes.length : 'end'))).toEqual([SCENES_PER_PART, SCENES_PER_PART, 500, 'end']);
    expect(received).toEqual({ ok: true, result: expected });
    const scenes = (received as { result: ReadResult }).result.characters[0].scenes;
    expect(scenes[2499].text).toContain('Story 2499.');
    expect([...new Float32Array(scenes[1234].vectors[0].data).slice(0, 3)].map((x) => Math.round(x * 10) / 10)).toEqual([1234, 1234.1, 1234.2]);
    // Transferred, not copied: the worker's buffers are handed over.
    expect(sent.characters[0].scenes[0].vectors[0].data.byteLength).toBe(0);
  });

  it('sends a failure as one message, still a failure', () => {
    const { reply } = runImportRead({ kind: 'file', file: { name: 'notes.txt', bytes: new TextEncoder().encode('hello') } });
    expect(reply.ok).toBe(false);
    const { received, parts } = sendInParts(reply);
    expect(parts).toHaveLength(1);
    expect(received).toEqual(reply);
  });

  it('copies, rather than transfers, a buffer that scenes in two parts share', () => {
    const shared = new Float32Array([1, 2]).buffer;
    const scene = (i: number) => ({ title: `s${i}`, text: `t${i}`, lines: [], tokens: 1, source: 'chatharuhi' as const, vectors: [{ model: 'm', dim: 2, data: shared }] });
    const draft = { kind: 'chatharuhi' as const, character: {} as ReadResult['characters'][number]['character'], scenes: [scene(0), scene(1), scene(2)], warnings: [] };
    const reply: ImportReadReply = { ok: true, result: { characters: [draft], lorebooks: [] } };
    expect(replyParts(reply, 2).map((p) => p.transfer)).toEqual([[], [], []]);
    const assembler = new ReplyAssembler();
    let received: ImportReadReply | null = null;
    for (const { message, transfer } of replyParts(reply, 2)) received = assembler.add(structuredClone(message, { transfer }));
    const scenes = (received as { result: ReadResult }).result.characters[0].scenes;
    expect(scenes.map((s) => [...new Float32Array(s.vectors[0].data)])).toEqual([[1, 2], [1, 2], [1, 2]]);
  });
});
