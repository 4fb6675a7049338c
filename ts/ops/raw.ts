// Kernel dispatch without autograd: each function allocates its contiguous result and
// runs the Rust SIMD kernel for float32, or a plain JS loop for the other dtypes (those
// loops are also the oracle the property tests hold the kernels to).
import { kernel, writeFlatMeta, writeMeta } from "../backend/wasm.js";
import { runParallel } from "../backend/threads.js";
import { numericArray, readValues, writeValues } from "../backend/typed.js";
import { DType, itemSize } from "../tensor/dtype.js";
import { contiguousStrides, numel, sameShape, Shape } from "../tensor/shape.js";
import { dropHidden, freedError } from "../tensor/lifetime.js";
import { pressureDue, pressurePass } from "../tensor/residency.js";
import { setCurrentOp } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";

/** Throws PyTorch-style if `t` was disposed; returns it. */
export function check<T extends Tensor>(op: string, t: T): T {
  if (t.freedBy !== null) throw freedError(t, op);
  return t;
}

/**
 * An op's entry: its inputs must not have been disposed, are brought back into WebAssembly
 * memory if evicted and marked used now; then, under memory pressure, what has not been used
 * for a while is evicted (see tensor/residency.ts).
 */
export function use(op: string, ...ts: Tensor[]): void {
  setCurrentOp(op);
  for (const t of ts) check(op, t).storage.touch();
  if (pressureDue()) pressurePass();
}

/** Marks a tensor as read (item, tolist, printing). */
export function read(op: string, t: Tensor): void {
  use(op, t);
}

/** When false, float32 also takes the JS paths: the tests' oracle switch. */
let useWasm = true;
export function setWasmKernels(on: boolean): void {
  useWasm = on;
}
/** Whether float32 work of this dtype goes to the wasm kernels (false in oracle mode). */
export const wasmF32 = (dtype: DType): boolean => useWasm && dtype === "float32";

/** The address of t's first element; a disposed tensor never reaches a kernel. */
export function bytePtr(t: Tensor): number {
  if (t.freedBy !== null) throw freedError(t, "kernel");
  return t.storage.ptr + t.offset * itemSize[t.dtype];
}

export function isContiguous(t: Tensor): boolean {
  let acc = 1;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    if (t.shape[d] !== 1 && t.strides[d] !== acc) return false;
    acc *= t.shape[d];
  }
  return true;
}

/**
 * Drops size-1 dims and merges neighbours that are contiguous in every operand, so kernels
 * walk as few and as long rows as possible.
 */
export function coalesce(shape: Shape, strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((st, k) => outStrides[k][last] === st[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((st, k) => (outStrides[k][last] = st[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((st, k) => outStrides[k].push(st[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Strides that read `t` as if broadcast to `shape` (0 along broadcast dims). */
export function broadcastStrides(t: Tensor, shape: Shape): number[] {
  const nd = shape.length;
  const lead = nd - t.shape.length;
  return shape.map((_, d) => (d < lead || t.shape[d - lead] === 1 ? 0 : t.strides[d - lead]));
}

/** Copies `src` (broadcast to dst's shape) into the strided view `dst`, casting if needed. */
export function copyInto(dst: Tensor, src: Tensor): void {
  use("copy_", dst, src);
  const sst = broadcastStrides(src, dst.shape);
  if (src.dtype === dst.dtype) {
    const { shape, strides } = coalesce(dst.shape, [sst, [...dst.strides]]);
    const meta = writeMeta(shape, strides[0], strides[1]);
    kernel(`copy_strided_${itemSize[src.dtype] * 8}`)(bytePtr(src), bytePtr(dst), meta, shape.length);
    return;
  }
  const values = readValues(src.storage, dst.shape, sst, src.offset);
  if (isContiguous(dst)) {
    writeValues(dst.storage, dst.offset, values);
  } else {
    const tmp = fromValues(values, dst.shape, dst.dtype);
    copyInto(dst, tmp);
    dropHidden(tmp);
  }
}

/** Frees `copy` if it is a temporary the op made from `t`. */
export function dropCopy(copy: Tensor, t: Tensor): void {
  if (copy !== t) dropHidden(copy);
}

export function fromValues(values: ArrayLike<number>, shape: Shape, dtype: DType): Tensor {
  const t = Tensor.empty(shape, dtype);
  writeValues(t.storage, 0, values);
  return t;
}

export function contiguous(t: Tensor): Tensor {
  use("contiguous", t);
  if (isContiguous(t)) return t;
  const out = Tensor.empty(t.shape, t.dtype);
  copyInto(out, t);
  return out;
}

export function cast(t: Tensor, dtype: DType): Tensor {
  use("to", t);
  const out = Tensor.empty(t.shape, dtype);
  copyInto(out, t);
  return out;
}

export function values(t: Tensor): Float64Array {
  read("read", t);
  return readValues(t.storage, t.shape, t.strides, t.offset);
}

// ---- elementwise ----------------------------------------------------------------------

export function unary(x: Tensor, name: string | null, js: (v: number) => number, outDtype: DType = x.dtype, ...scalars: number[]): Tensor {
  use(name ?? "unary", x);
  if (name !== null && wasmF32(x.dtype) && outDtype === "float32") {
    const src = contiguous(x);
    const out = Tensor.empty(x.shape, "float32");
    f32Kernel(name)(bytePtr(src), bytePtr(out), numel(x.shape), ...scalars);
    dropCopy(src, x);
    return out;
  }
  const v = values(x);
  for (let i = 0; i < v.length; i++) v[i] = js(v[i]);
  return fromValues(v, x.shape, outDtype);
}

export function binary(a: Tensor, b: Tensor, shape: Shape, name: string, js: (x: number, y: number) => number, outDtype: DType): Tensor {
  use(name, a, b);
  if (wasmF32(a.dtype) && a.dtype === b.dtype) {
    const out = Tensor.empty(shape, outDtype);
    runBinary(name, a, b, out, false);
    return out;
  }
  const va = readValues(a.storage, shape, broadcastStrides(a, shape), a.offset);
  const vb = readValues(b.storage, shape, broadcastStrides(b, shape), b.offset);
  for (let i = 0; i < va.length; i++) va[i] = js(va[i], vb[i]);
  return fromValues(va, shape, outDtype);
}

/** The float32 kernel of an op by its op name, without building the export name per call. */
const f32Kernels = new Map<string, (...args: number[]) => void>();
function f32Kernel(name: string): (...args: number[]) => void {
  let fn = f32Kernels.get(name);
  if (fn === undefined) {
    fn = kernel(`${name}_f32`);
    f32Kernels.set(name, fn);
  }
  return fn;
}

function runBinary(name: string, a: Tensor, b: Tensor, out: Tensor, inPlace: boolean): void {
  const fn = f32Kernel(name);
  // the common case, two contiguous operands of one shape, is a single flat row
  if (sameShape(a.shape, b.shape) && isContiguous(a) && isContiguous(b)) {
    fn(bytePtr(a), bytePtr(b), bytePtr(out), writeFlatMeta(out.numel()), 1);
    return;
  }
  const { shape, strides } = coalesce(out.shape, [
    inPlace ? contiguousStrides(out.shape) : broadcastStrides(a, out.shape),
    broadcastStrides(b, out.shape),
  ]);
  const meta = writeMeta(shape, strides[0], strides[1]);
  fn(inPlace ? bytePtr(out) : bytePtr(a), bytePtr(b), bytePtr(out), meta, shape.length);
}

/** a ← a op b for a float32 contiguous `a` not overlapping `b`; JS loop otherwise. */
export function binaryInPlace(a: Tensor, b: Tensor, name: string, js: (x: number, y: number) => number): void {
  use(`${name}_`, a, b);
  if (wasmF32(a.dtype) && b.dtype === "float32" && isContiguous(a) && b.storage !== a.storage) {
    runBinary(name, a, b, a, true);
  } else {
    copyInto(a, binary(a, b, a.shape, name, js, a.dtype));
  }
}

export function where(c: Tensor, a: Tensor, b: Tensor, shape: Shape, dtype: DType): Tensor {
  use("where", c, a, b);
  if (wasmF32(dtype) && a.dtype === dtype && b.dtype === dtype && c.dtype === "bool") {
    const out = Tensor.empty(shape, dtype);
    const { shape: s, strides } = coalesce(shape, [broadcastStrides(c, shape), broadcastStrides(a, shape), broadcastStrides(b, shape)]);
    const meta = writeMeta(s, strides[0], strides[1], strides[2]);
    kernel("where_f32")(bytePtr(c), bytePtr(a), bytePtr(b), bytePtr(out), meta, s.length);
    return out;
  }
  const vc = readValues(c.storage, shape, broadcastStrides(c, shape), c.offset);
  const va = readValues(a.storage, shape, broadcastStrides(a, shape), a.offset);
  const vb = readValues(b.storage, shape, broadcastStrides(b, shape), b.offset);
  for (let i = 0; i < vc.length; i++) vc[i] = vc[i] !== 0 ? va[i] : vb[i];
  return fromValues(vc, shape, dtype);
}

// ---- reductions -----------------------------------------------------------------------

export type ReduceKind = "sum" | "max" | "min" | "prod" | "argmax" | "argmin";

const jsReduce: Record<ReduceKind, (v: Float64Array, start: number, n: number, step: number) => number> = {
  sum: (v, s, n, st) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += v[s + i * st];
    return acc;
  },
  prod: (v, s, n, st) => {
    let acc = 1;
    for (let i = 0; i < n; i++) acc *= v[s + i * st];
    return acc;
  },
  max: (v, s, n, st) => {
    let m = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = v[s + i * st];
      if (Number.isNaN(x)) return NaN;
      if (x > m) m = x;
    }
    return m;
  },
  min: (v, s, n, st) => {
    let m = Infinity;
    for (let i = 0; i < n; i++) {
      const x = v[s + i * st];
      if (Number.isNaN(x)) return NaN;
      if (x < m) m = x;
    }
    return m;
  },
  argmax: (v, s, n, st) => argExtreme(v, s, n, st, (a, b) => a > b),
  argmin: (v, s, n, st) => argExtreme(v, s, n, st, (a, b) => a < b),
};

function argExtreme(v: Float64Array, s: number, n: number, st: number, better: (a: number, b: number) => boolean): number {
  let best = 0;
  for (let i = 1; i < n; i++) {
    const b = v[s + best * st];
    if (Number.isNaN(b)) break;
    const x = v[s + i * st];
    if (Number.isNaN(x) || better(x, b)) best = i;
  }
  return best;
}

/**
 * Reduces the sorted `dims` of x. The result has the kept dims (size 1 at reduced dims
 * when keepdim). Reduced dims that are not one contiguous run are permuted to the end first.
 */
export function reduce(x: Tensor, dims: number[], keepdim: boolean, kind: ReduceKind, outDtype: DType): Tensor {
  use(kind, x);
  const nd = x.shape.length;
  const outShape = keepdim ? x.shape.map((s, d) => (dims.includes(d) ? 1 : s)) : x.shape.filter((_, d) => !dims.includes(d));
  const run = dims.length === 0 || dims[dims.length - 1] - dims[0] === dims.length - 1;
  let src = x;
  let view = x;
  let outer: number, n: number, inner: number;
  if (run && dims.length > 0) {
    src = contiguous(x);
    outer = numel(x.shape.slice(0, dims[0]));
    n = numel(x.shape.slice(dims[0], dims[dims.length - 1] + 1));
    inner = numel(x.shape.slice(dims[dims.length - 1] + 1));
  } else {
    const order = [...Array(nd).keys()].filter((d) => !dims.includes(d)).concat(dims);
    view = x.permute(order);
    src = contiguous(view);
    n = numel(dims.map((d) => x.shape[d]));
    outer = numel(x.shape) / Math.max(n, 1);
    inner = 1;
    if (dims.length === 0) n = 1;
  }
  if (n === 0 && kind !== "sum" && kind !== "prod") {
    throw new Error(`${kind}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  }
  let out: Tensor;
  if (wasmF32(x.dtype) && n > 0) {
    out = Tensor.empty(outShape, outDtype);
    kernel(`${kind}_f32`)(bytePtr(src), bytePtr(out), outer, n, inner);
  } else {
    out = fromValues(jsReduceAll(values(src), kind, outer, n, inner), outShape, outDtype);
  }
  dropCopy(src, view);
  dropCopy(view, x);
  return out;
}

function jsReduceAll(v: Float64Array, kind: ReduceKind, outer: number, n: number, inner: number): Float64Array {
  const res = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) res[o * inner + i] = jsReduce[kind](v, o * n * inner + i, n, inner);
  }
  return res;
}

// ---- softmax --------------------------------------------------------------------------

export function softmax(x: Tensor, dim: number, log: boolean): Tensor {
  use(log ? "log_softmax" : "softmax", x);
  const src = contiguous(x);
  const outer = numel(x.shape.slice(0, dim));
  const n = x.shape[dim] ?? 1;
  const inner = numel(x.shape.slice(dim + 1));
  if (wasmF32(x.dtype)) {
    const out = Tensor.empty(x.shape, x.dtype);
    if (numel(x.shape) > 0) kernel(log ? "log_softmax_f32" : "softmax_f32")(bytePtr(src), bytePtr(out), outer, n, inner);
    dropCopy(src, x);
    return out;
  }
  const v = values(src);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (r: number): number => (o * n + r) * inner + i;
      let m = -Infinity;
      for (let r = 0; r < n; r++) m = Math.max(m, v[at(r)]);
      let s = 0;
      for (let r = 0; r < n; r++) s += Math.exp(v[at(r)] - m);
      for (let r = 0; r < n; r++) v[at(r)] = log ? v[at(r)] - m - Math.log(s) : Math.exp(v[at(r)] - m) / s;
    }
  }
  return fromValues(v, x.shape, x.dtype);
}

// ---- matmul ---------------------------------------------------------------------------

/**
 * Batched matrix product of a (..., m, k) and b (..., k, n) with broadcast batch dims, any
 * strides: transposed operands are read in place by the kernel's packing.
 */
export function matmul(a: Tensor, b: Tensor, batchShape: Shape, dtype: DType): Tensor {
  use("matmul", a, b);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const out = Tensor.empty([...batchShape, m, n], dtype);
  const nb = batchShape.length;
  const sa = broadcastStrides(a, [...batchShape, m, k]);
  const sb = broadcastStrides(b, [...batchShape, k, n]);
  if (!wasmF32(dtype)) {
    jsMatmul(a, b, out, sa, sb, batchShape, m, n, k);
    return out;
  }
  const { shape: bshape, strides } = coalesce(batchShape, [sa.slice(0, nb), sb.slice(0, nb)]);
  const [ars, acs, brs, bcs] = [sa[nb], sa[nb + 1], sb[nb], sb[nb + 1]];
  const inner = bshape.length ? bshape[bshape.length - 1] : 1;
  const [ia, ib] = bshape.length ? [strides[0][bshape.length - 1], strides[1][bshape.length - 1]] : [0, 0];
  const outerCount = numel(bshape.slice(0, -1));
  const outerIdx = new Array<number>(Math.max(bshape.length - 1, 0)).fill(0);
  for (let o = 0; o < outerCount; o++) {
    let offA = 0;
    let offB = 0;
    outerIdx.forEach((i, d) => {
      offA += i * strides[0][d];
      offB += i * strides[1][d];
    });
    const isz = itemSize[dtype];
    // a product of few rows is split by rows only if each thread gets enough of them: every
    // thread packs all of B, so thin shares cost more than they save
    const work = inner > 1 || m >= 64 ? inner * m * n * k : 0;
    runParallel("matmul_f32", work, bytePtr(a) + offA * isz, bytePtr(b) + offB * isz, bytePtr(out) + o * inner * m * n * isz, m, n, k, ars, acs, brs, bcs, inner, ia, ib);
    for (let d = outerIdx.length - 1; d >= 0; d--) {
      if (++outerIdx[d] < bshape[d]) break;
      outerIdx[d] = 0;
    }
  }
  return out;
}

function jsMatmul(a: Tensor, b: Tensor, out: Tensor, sa: number[], sb: number[], batchShape: Shape, m: number, n: number, k: number): void {
  const va = numericArray(a.storage);
  const vb = numericArray(b.storage);
  const num = (arr: typeof va, i: number): number => Number(arr[i]);
  const nb = batchShape.length;
  const res = new Float64Array(numel(batchShape) * m * n);
  const batchIdx = new Array<number>(nb).fill(0);
  for (let t = 0; t < numel(batchShape); t++) {
    let oa = a.offset;
    let ob = b.offset;
    batchIdx.forEach((i, d) => {
      oa += i * sa[d];
      ob += i * sb[d];
    });
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += num(va, oa + i * sa[nb] + p * sa[nb + 1]) * num(vb, ob + p * sb[nb] + j * sb[nb + 1]);
        res[(t * m + i) * n + j] = acc;
      }
    }
    for (let d = nb - 1; d >= 0; d--) {
      if (++batchIdx[d] < batchShape[d]) break;
      batchIdx[d] = 0;
    }
  }
  writeValues(out.storage, 0, res);
}
