// Reads just enough of a GGUF file's header (magic, version, scalar metadata) to check and size a model before wllama loads it.

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
const WINDOW = 1 << 20;
/** Metadata arrays (vocabularies) can be large; never read more than this much header. */
const MAX_HEADER_BYTES = 64 << 20;
/** One decoder for every string: a vocabulary has 100,000 or more. */
const UTF8 = new TextDecoder();

export interface GgufHeader {
  version: number;
  tensorCount: number;
  /** Scalar metadata only; arrays are skipped (recorded as their length). */
  metadata: Map<string, string | number | boolean | bigint>;
  arrayLengths: Map<string, number>;
  /** The arrays asked for by key (readGgufHeader's `arrays`), e.g. the vocabulary. */
  arrays: Map<string, (string | number | boolean | bigint)[]>;
  /** Where tensor data begins (the header padded to general.alignment). */
  dataOffset: number;
  /**
   * The smallest file size that holds every tensor (lower bound: tensors of types not in the table
   * below count from their start only). A file shorter than this was cut off, e.g. a half download.
   */
  minimumFileSize: number;
}

/** True when the first four bytes are "GGUF". */
export async function hasGgufMagic(blob: Blob): Promise<boolean> {
  if (blob.size < 8) return false;
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  return MAGIC.every((b, i) => head[i] === b);
}

class BlobCursor {
  private buf = new Uint8Array(0);
  private bufStart = 0;
  pos = 0;

  constructor(private readonly blob: Blob) {}

  private async need(n: number): Promise<void> {
    const end = this.pos + n;
    if (end > this.blob.size) throw new Error('GGUF header runs past the end of the file');
    if (end > MAX_HEADER_BYTES) throw new Error('GGUF header too large');
    if (this.pos >= this.bufStart && end <= this.bufStart + this.buf.length) return;
    const sliceEnd = Math.min(this.blob.size, Math.max(end, this.pos + WINDOW));
    this.buf = new Uint8Array(await this.blob.slice(this.pos, sliceEnd).arrayBuffer());
    this.bufStart = this.pos;
  }

  private async view(n: number): Promise<DataView> {
    await this.need(n);
    const off = this.pos - this.bufStart;
    this.pos += n;
    return new DataView(this.buf.buffer, this.buf.byteOffset + off, n);
  }

  async u8(): Promise<number> { return (await this.view(1)).getUint8(0); }
  async i8(): Promise<number> { return (await this.view(1)).getInt8(0); }
  async u16(): Promise<number> { return (await this.view(2)).getUint16(0, true); }
  async i16(): Promise<number> { return (await this.view(2)).getInt16(0, true); }
  async u32(): Promise<number> { return (await this.view(4)).getUint32(0, true); }
  async i32(): Promise<number> { return (await this.view(4)).getInt32(0, true); }
  async f32(): Promise<number> { return (await this.view(4)).getFloat32(0, true); }
  async f64(): Promise<number> { return (await this.view(8)).getFloat64(0, true); }
  async u64(): Promise<bigint> { return (await this.view(8)).getBigUint64(0, true); }
  async i64(): Promise<bigint> { return (await this.view(8)).getBigInt64(0, true); }

  async str(): Promise<string> {
    const len = Number(await this.u64());
    const v = await this.view(len);
    return UTF8.decode(new Uint8Array(v.buffer, v.byteOffset, len));
  }

  skip(n: number): void {
    this.pos += n;
  }
}

/** ggml tensor type -> [elements per block, bytes per block] (gguf-py GGML_QUANT_SIZES). */
const GGML_BLOCK: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  30: [1, 2], // BF16
};

const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

async function readScalar(c: BlobCursor, type: number): Promise<string | number | boolean | bigint> {
  switch (type) {
    case 0: return c.u8();
    case 1: return c.i8();
    case 2: return c.u16();
    case 3: return c.i16();
    case 4: return c.u32();
    case 5: return c.i32();
    case 6: return c.f32();
    case 7: return (await c.u8()) !== 0;
    case 8: return c.str();
    case 10: return c.u64();
    case 11: return c.i64();
    case 12: return c.f64();
    default: throw new Error(`unknown GGUF value type ${type}`);
  }
}

/**
 * Parses magic, version, scalar metadata and tensor extents; the arrays named in `arrays` are read
 * too (others are skipped). Throws on anything that is not GGUF v2/v3.
 */
export async function readGgufHeader(blob: Blob, options: { arrays?: readonly string[] } = {}): Promise<GgufHeader> {
  const wanted = new Set(options.arrays ?? []);
  const arrays = new Map<string, (string | number | boolean | bigint)[]>();
  if (!(await hasGgufMagic(blob))) throw new Error('not a GGUF file');
  const c = new BlobCursor(blob);
  c.skip(4);
  const version = await c.u32();
  if (version !== 2 && version !== 3) throw new Error(`unsupported GGUF version ${version}`);
  const tensorCount = Number(await c.u64());
  const kvCount = Number(await c.u64());
  const metadata = new Map<string, string | number | boolean | bigint>();
  const arrayLengths = new Map<string, number>();
  for (let i = 0; i < kvCount; i++) {
    const key = await c.str();
    const type = await c.u32();
    if (type === 9) {
      const itemType = await c.u32();
      const len = Number(await c.u64());
      arrayLengths.set(key, len);
      if (wanted.has(key) && (itemType === 8 || FIXED_SIZE[itemType] !== undefined)) {
        const items: (string | number | boolean | bigint)[] = new Array(len);
        for (let j = 0; j < len; j++) items[j] = await readScalar(c, itemType);
        arrays.set(key, items);
      } else if (itemType === 8) {
        for (let j = 0; j < len; j++) c.skip(Number(await c.u64()));
      } else if (FIXED_SIZE[itemType] !== undefined) {
        c.skip(FIXED_SIZE[itemType] * len);
      } else {
        throw new Error(`unsupported GGUF array item type ${itemType}`);
      }
    } else {
      metadata.set(key, await readScalar(c, type));
    }
  }
  let dataEnd = 0;
  for (let i = 0; i < tensorCount; i++) {
    await c.str(); // name
    const nDims = await c.u32();
    let elements = 1;
    for (let d = 0; d < nDims; d++) elements *= Number(await c.u64());
    const type = await c.u32();
    const offset = Number(await c.u64());
    const block = GGML_BLOCK[type];
    const bytes = block ? Math.ceil(elements / block[0]) * block[1] : 0;
    dataEnd = Math.max(dataEnd, offset + bytes);
  }
  const alignmentValue = metadata.get('general.alignment');
  const alignment = typeof alignmentValue === 'number' && alignmentValue > 0 ? alignmentValue : 32;
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  return { version, tensorCount, metadata, arrayLengths, arrays, dataOffset, minimumFileSize: dataOffset + dataEnd };
}

/** `<arch>.context_length`, or null when the header does not say. */
export function trainedContextLength(header: GgufHeader): number | null {
  const arch = header.metadata.get('general.architecture');
  if (typeof arch !== 'string') return null;
  const v = header.metadata.get(`${arch}.context_length`);
  if (typeof v === 'number' && v > 0) return v;
  if (typeof v === 'bigint' && v > 0n) return Number(v);
  return null;
}
