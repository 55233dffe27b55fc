// A hostile backup: a real one whose zip directory says one part unpacks to 1.9 GB (the file of
// issue 10, which froze the page for 21 s). A reader must refuse it before inflating anything.

/** `bytes` (a backup zip) with `part`'s declared size in the central directory set to `size`. */
export function declareHugePart(bytes: Uint8Array, part: string, size = 1_900_000_000): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let patched = 0;
  // Central directory records: signature, then the uncompressed size at +24 and the name at +46.
  for (let at = 0; at + 46 < out.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    if (new TextDecoder().decode(out.subarray(at + 46, at + 46 + nameLength)) !== part) continue;
    view.setUint32(at + 24, size, true);
    patched++;
  }
  if (patched !== 1) throw new Error(`${part} is not in the zip once`);
  return out;
}
