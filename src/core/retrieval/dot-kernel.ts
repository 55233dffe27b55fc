// A tiny WebAssembly SIMD kernel (about 200 bytes, assembled below): one query's dot product with every row of a matrix.

/**
 * Why: brute-force cosine over 50k × 384 floats is ~19M multiply-adds a query; scalar JS does
 * that in ~20–25 ms, four-lane SIMD in a few. The module imports its memory, so the caller owns
 * and grows it; vectors live there and are never copied per query.
 *
 * `scores(query, matrix, rows, stride, out)`: byte offsets `query` and `matrix`, `rows` rows of
 * `stride` floats each (a multiple of 8, at least 8), writes `rows` float32 dot products at `out`.
 * Two 4-lane accumulators; lane sums are added as ((l0 + l1) + l2) + l3.
 */
export interface DotKernel {
  readonly memory: WebAssembly.Memory;
  scores(query: number, matrix: number, rows: number, stride: number, out: number): void;
}

// Opcodes used below (WebAssembly core + SIMD proposals).
const I32 = 0x7f;
const V128 = 0x7b;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const GET = 0x20;
const SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_LT_U = 0x49;
const I32_GE_U = 0x4f;
const F32_ADD = 0x92;
const F32_STORE = [0x38, 0x02, 0x00]; // align 4 bytes, offset 0
const SIMD = 0xfd;
const v128Load = (offset: number) => [SIMD, 0x00, 0x04, offset]; // align 16 bytes; offset < 128
const V128_ZERO = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const lane = (i: number) => [SIMD, 0x1f, i]; // f32x4.extract_lane

// Locals: parameters 0–4, then row, end, qp (i32) and acc0, acc1 (v128).
const [Q, M, N, STRIDE, OUT, ROW, ROW_END, QP, ACC0, ACC1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function body(): number[] {
  const multiplyAdd = (acc: number, offset: number) => [
    GET, acc,
    GET, M, ...v128Load(offset),
    GET, QP, ...v128Load(offset),
    ...F32X4_MUL, ...F32X4_ADD,
    SET, acc,
  ];
  const advance = (local: number, bytes: number) => [GET, local, I32_CONST, bytes, I32_ADD, SET, local];
  return [
    0x02, 0x03, I32, 0x02, V128, // local declarations
    BLOCK, VOID,
    LOOP, VOID,
    GET, ROW, GET, N, I32_GE_U, BR_IF, 1,
    ...V128_ZERO, SET, ACC0,
    ...V128_ZERO, SET, ACC1,
    GET, Q, SET, QP,
    GET, M, GET, STRIDE, I32_CONST, 2, I32_SHL, I32_ADD, SET, ROW_END,
    LOOP, VOID,
    ...multiplyAdd(ACC0, 0),
    ...multiplyAdd(ACC1, 16),
    ...advance(M, 32),
    ...advance(QP, 32),
    GET, M, GET, ROW_END, I32_LT_U, BR_IF, 0,
    END,
    GET, ACC0, GET, ACC1, ...F32X4_ADD, SET, ACC0,
    GET, OUT,
    GET, ACC0, ...lane(0),
    GET, ACC0, ...lane(1), F32_ADD,
    GET, ACC0, ...lane(2), F32_ADD,
    GET, ACC0, ...lane(3), F32_ADD,
    ...F32_STORE,
    ...advance(OUT, 4),
    ...advance(ROW, 1),
    BR, 0,
    END,
    END,
    END,
  ];
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];

export function kernelBytes(): Uint8Array<ArrayBuffer> {
  const code = body();
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]), // type: (i32 × 5) → ()
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]), // import memory, min 1 page
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...name('scores'), 0x00, 0]), // export it
    ...section(10, [1, ...leb(code.length), ...code]),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * A kernel with its own memory, or null where WebAssembly or its SIMD is missing (the caller
 * then uses plain JS). The module is compiled once; each call gives a fresh memory.
 */
export function createDotKernel(): DotKernel | null {
  if (compiled === undefined) {
    try {
      const bytes = kernelBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  const scores = instance.exports.scores as (q: number, m: number, n: number, stride: number, out: number) => void;
  return { memory, scores };
}
