// Typed-array access to a tensor's storage for the JS paths (non-f32 dtypes, reading values
// out, writing values in). Views are made per call because memory growth detaches buffers.
import { heap } from "./wasm.js";
import type { DType } from "../tensor/dtype.js";
import type { Storage } from "../tensor/storage.js";

export type AnyTyped = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array | Uint16Array;

/** The storage's memory as its typed array; float16 and bfloat16 are their raw 16-bit patterns. */
export function storageArray(s: Storage): AnyTyped {
  const buf = heap().u8.buffer;
  switch (s.dtype) {
    case "float32":
      return new Float32Array(buf, s.ptr, s.length);
    case "float64":
      return new Float64Array(buf, s.ptr, s.length);
    case "int32":
      return new Int32Array(buf, s.ptr, s.length);
    case "int64":
      return new BigInt64Array(buf, s.ptr, s.length);
    case "bool":
    case "uint8":
      return new Uint8Array(buf, s.ptr, s.length);
    case "int8":
      return new Int8Array(buf, s.ptr, s.length);
    case "int16":
      return new Int16Array(buf, s.ptr, s.length);
    case "float16":
    case "bfloat16":
      return new Uint16Array(buf, s.ptr, s.length);
  }
}

// ---- 16-bit floats: IEEE half and bfloat16, rounded to nearest even from float32 --------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfBits(v: number): number {
  f32[0] = v;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 112;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) !== 0)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // a carry out of the mantissa steps the exponent, up to infinity: what rounding does
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) !== 0)) half++;
  return sign | half;
}

export function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function bfloat16Bits(v: number): number {
  f32[0] = v;
  const bits = u32[0];
  if (Number.isNaN(v)) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bfloat16Value(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}

/** Decodes one stored element to a JS number. */
function decoder(dtype: DType): ((raw: number) => number) | null {
  return dtype === "float16" ? halfValue : dtype === "bfloat16" ? bfloat16Value : null;
}

/** The storage's values as numbers (16-bit floats decoded), indexable like storageArray. */
export function numericArray(s: Storage): AnyTyped {
  const arr = storageArray(s);
  const decode = decoder(s.dtype);
  return decode === null ? arr : Float32Array.from(arr as Uint16Array, decode);
}

/** Storage indices of a strided layout's elements, in logical (row-major) order. */
export function stridedIndices(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  let n = 1;
  for (const s of shape) n *= s;
  const out = new Int32Array(n);
  if (n === 0) return out;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let off = offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Values of a strided layout as JS numbers (bool → 0/1, int64 → nearest double). */
export function readValues(s: Storage, shape: readonly number[], strides: readonly number[], offset: number): Float64Array {
  const arr = storageArray(s);
  const idx = stridedIndices(shape, strides, offset);
  const out = new Float64Array(idx.length);
  const decode = decoder(s.dtype);
  if (arr instanceof BigInt64Array) {
    for (let i = 0; i < idx.length; i++) out[i] = Number(arr[idx[i]]);
  } else if (decode !== null) {
    for (let i = 0; i < idx.length; i++) out[i] = decode(arr[idx[i]]);
  } else {
    for (let i = 0; i < idx.length; i++) out[i] = arr[idx[i]];
  }
  return out;
}

/** Converts a JS number to a dtype's value as PyTorch's casts do (truncation toward zero, integers wrapping). */
export function castNumber(v: number, dtype: DType): number {
  switch (dtype) {
    case "bool":
      return v !== 0 ? 1 : 0;
    case "uint8":
      return Number.isFinite(v) ? Math.trunc(v) & 0xff : 0;
    case "int8":
      return Number.isFinite(v) ? (Math.trunc(v) << 24) >> 24 : 0;
    case "int16":
      return Number.isFinite(v) ? (Math.trunc(v) << 16) >> 16 : 0;
    case "float16":
      return halfValue(halfBits(v));
    case "bfloat16":
      return bfloat16Value(bfloat16Bits(v));
    case "int32":
      return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case "int64":
      return Number.isFinite(v) ? Math.trunc(v) : 0;
    case "float32":
      return Math.fround(v);
    default:
      return v;
  }
}

/** Writes numbers into a contiguous range of storage, cast to the storage's dtype. */
export function writeValues(s: Storage, offset: number, values: ArrayLike<number>): void {
  const arr = storageArray(s);
  if (arr instanceof BigInt64Array) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      arr[offset + i] = BigInt(Number.isFinite(v) ? Math.trunc(v) : 0);
    }
  } else if (s.dtype === "float16") {
    for (let i = 0; i < values.length; i++) arr[offset + i] = halfBits(values[i]);
  } else if (s.dtype === "bfloat16") {
    for (let i = 0; i < values.length; i++) arr[offset + i] = bfloat16Bits(values[i]);
  } else if (s.dtype === "float32" || s.dtype === "float64") {
    arr.set(values, offset);
  } else {
    for (let i = 0; i < values.length; i++) arr[offset + i] = castNumber(values[i], s.dtype);
  }
}
