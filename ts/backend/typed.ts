// Typed-array access to a tensor's storage for the JS paths (non-f32 dtypes, reading values
// out, writing values in). Views are made per call because memory growth detaches buffers.
import { heap } from "./wasm.js";
import type { DType } from "../tensor/dtype.js";
import type { Storage } from "../tensor/storage.js";

export type AnyTyped = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

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
      return new Uint8Array(buf, s.ptr, s.length);
  }
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
  if (arr instanceof BigInt64Array) {
    for (let i = 0; i < idx.length; i++) out[i] = Number(arr[idx[i]]);
  } else {
    for (let i = 0; i < idx.length; i++) out[i] = arr[idx[i]];
  }
  return out;
}

/** Converts a JS number to a dtype's value as PyTorch's casts do (truncation toward zero). */
export function castNumber(v: number, dtype: DType): number {
  switch (dtype) {
    case "bool":
      return v !== 0 ? 1 : 0;
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
  } else if (arr instanceof Uint8Array) {
    for (let i = 0; i < values.length; i++) arr[offset + i] = values[i] !== 0 ? 1 : 0;
  } else if (arr instanceof Int32Array) {
    for (let i = 0; i < values.length; i++) arr[offset + i] = castNumber(values[i], "int32");
  } else {
    arr.set(values, offset);
  }
}
