// Indexing: x.index(":, -1") for Python's x[:, -1], indexPut_ for x[...] = v, and the
// gather/scatter family (indexSelect, gather, scatterAdd, maskedFill) with their gradients.
import { fused, record } from "../autograd/node.js";
import { readValues, writeValues } from "../backend/typed.js";
import { kernel } from "../backend/wasm.js";
import { itemSize } from "../tensor/dtype.js";
import { contiguousStrides, fmtShape, normDim, numel } from "../tensor/shape.js";
import { NestedList, Operand, Tensor } from "../tensor/tensor.js";
import { scalarTensor, where } from "./binary.js";
import { assign_, copy_, expandsTo } from "./convert.js";
import { expand, permute, reshape, select, slice, unsqueeze } from "./movement.js";
import { arange, tensor } from "../tensor/create.js";
import { broadcastShapes } from "../tensor/shape.js";
import * as raw from "./raw.js";

/**
 * One index item: an integer, a slice string ("1:5:2", ":"), "...", null (new axis), an index
 * or mask tensor, or a (nested) array of integers or booleans, taken as such a tensor.
 */
export type IndexItem = number | string | null | Tensor | NestedIndex;
type NestedIndex = readonly (number | boolean | NestedIndex)[];
export type IndexSpec = string | IndexItem | readonly IndexItem[];

function parseItems(spec: IndexSpec): IndexItem[] {
  if (typeof spec === "string") {
    return spec.split(",").map((p) => {
      const s = p.trim();
      if (s === "None") return null;
      if (s === "..." || s.includes(":")) return s;
      const n = Number(s);
      if (s === "" || !Number.isInteger(n)) throw new SyntaxError(`index: cannot parse '${s}' in "${spec}"`);
      return n;
    });
  }
  return Array.isArray(spec) ? [...spec] : [spec as IndexItem];
}

function parseSlice(s: string): [number | null, number | null, number] {
  const parts = s.split(":").map((p) => p.trim());
  if (parts.length > 3) throw new SyntaxError(`index: bad slice '${s}'`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p === "") return null;
    const n = Number(p);
    if (!Number.isInteger(n)) throw new SyntaxError(`index: bad slice bound '${p}' in '${s}'`);
    return n;
  };
  return [num(parts[0]), num(parts[1]), num(parts[2]) ?? 1];
}

/** Items with arrays made tensors and "..." expanded to the slices it stands for. */
function normalize(x: Tensor, spec: IndexSpec): (number | string | null | Tensor)[] {
  const items = parseItems(spec).map((it) => (Array.isArray(it) ? tensor(it as unknown as NestedList) : (it as number | string | null | Tensor)));
  const consumes = (it: IndexItem): number => (it === null || it === "..." ? 0 : it instanceof Tensor && it.dtype === "bool" ? Math.max(it.dim(), 1) : 1);
  const used = items.reduce((a: number, it) => a + consumes(it), 0);
  if (used > x.dim()) throw new RangeError(`too many indices for tensor of dimension ${x.dim()}`);
  const ell = items.indexOf("...");
  if (ell >= 0 && items.indexOf("...", ell + 1) >= 0) throw new SyntaxError("an index can only have a single ellipsis ('...')");
  return ell >= 0 ? [...items.slice(0, ell), ...Array<string>(x.dim() - used).fill(":"), ...items.slice(ell + 1)] : items;
}

/**
 * x[spec] with PyTorch's semantics. Integers, slices, None and "..." index as views. Index
 * tensors (and masks, each standing for the index tensors of its true positions) are
 * advanced indices: broadcast together to one shape B, they pick x's elements pairwise, and
 * B replaces the indexed dims — where they stood when they are adjacent, in front otherwise.
 */
export function index(x: Tensor, spec: IndexSpec): Tensor {
  const items = normalize(x, spec);
  let out = x;
  let d = 0;
  const advanced: { dim: number; idx: Tensor }[] = [];
  for (const it of items) {
    if (it === null) {
      out = unsqueeze(out, d++);
    } else if (typeof it === "number") {
      out = select(out, d, it);
    } else if (typeof it === "string") {
      const [s, e, st] = parseSlice(it);
      out = slice(out, d++, s, e, st);
    } else if (it.dtype === "bool") {
      for (const coords of maskCoordinates(it, out.shape, d)) advanced.push({ dim: d++, idx: coords });
    } else {
      if (it.dtype !== "int64" && it.dtype !== "int32") throw new IndexError("tensors used as indices must be long, byte or bool tensors");
      advanced.push({ dim: d++, idx: it });
    }
  }
  return advanced.length === 0 ? out : gatherAdvanced(out, advanced);
}

class IndexError extends Error {
  override name = "IndexError";
}

/** The coordinates of a mask's true positions, one int64 tensor per dim it covers. */
function maskCoordinates(mask: Tensor, shape: readonly number[], d: number): Tensor[] {
  const m = mask.dim() === 0 ? reshape(mask, [1]) : mask;
  m.shape.forEach((s, k) => {
    if (shape[d + k] !== s) {
      throw new IndexError(
        `The shape of the mask ${fmtShape(mask.shape)} at index ${k} does not match the shape of the indexed tensor ${fmtShape(shape)} at index ${d + k}`,
      );
    }
  });
  const v = raw.values(m);
  const coords: number[][] = m.shape.map(() => []);
  const strides = contiguousStrides(m.shape);
  v.forEach((on, flat) => {
    if (!on) return;
    strides.forEach((st, k) => coords[k].push(Math.floor(flat / st) % m.shape[k]));
  });
  return coords.map((c) => raw.fromValues(c, [c.length], "int64"));
}

/** The flat position, in the indexed dims of `x` (row-major), of each element of the broadcast indices. */
function flatPositions(x: Tensor, advanced: { dim: number; idx: Tensor }[]): { shape: number[]; flat: Float64Array } {
  let shape: readonly number[] = [];
  try {
    for (const a of advanced) shape = broadcastShapes(shape, a.idx.shape);
  } catch {
    throw new IndexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${advanced.map((a) => fmtShape(a.idx.shape)).join(", ")}`);
  }
  const n = numel(shape);
  const flat = new Float64Array(n);
  let stride = 1;
  for (let k = advanced.length - 1; k >= 0; k--) {
    const { dim, idx } = advanced[k];
    const size = x.shape[dim];
    const vals = readValues(idx.storage, shape, broadcastStridesOf(idx, shape), idx.offset);
    for (let i = 0; i < n; i++) {
      const j = vals[i];
      if (j < -size || j >= size) throw new IndexError(`index ${j} is out of bounds for dimension ${dim} with size ${size}`);
      flat[i] += (j < 0 ? j + size : j) * stride;
    }
    stride *= size;
  }
  return { shape: [...shape], flat };
}

function broadcastStridesOf(t: Tensor, shape: readonly number[]): number[] {
  const lead = shape.length - t.dim();
  return shape.map((_, d) => (d < lead || t.shape[d - lead] === 1 ? 0 : t.strides[d - lead]));
}

/** x indexed by advanced indices at the given dims: one indexSelect over the indexed dims flattened. */
function gatherAdvanced(x: Tensor, advanced: { dim: number; idx: Tensor }[]): Tensor {
  const dims = advanced.map((a) => a.dim);
  const rest = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const { shape: b, flat } = flatPositions(x, advanced);
  const grouped = reshape(permute(x, [...dims, ...rest]), [-1, ...rest.map((d) => x.shape[d])]);
  const picked = reshape(indexSelect(grouped, 0, raw.fromValues(flat, [flat.length], "int64")), [...b, ...rest.map((d) => x.shape[d])]);
  const adjacent = dims.every((d, k) => d === dims[0] + k);
  if (!adjacent || dims[0] === 0) return picked;
  // adjacent indices: B goes where they stood, after the dims before them
  const before = dims[0];
  const order = [...Array(before).keys()].map((k) => b.length + k);
  const bDims = [...Array(b.length).keys()];
  const after = [...Array(rest.length - before).keys()].map((k) => b.length + before + k);
  return permute(picked, [...order, ...bDims, ...after]);
}

/**
 * x[spec] = value, in place (`accumulate` adds instead, summing repeated positions). Basic
 * indices write through copy_ into a view; advanced ones through the positions they select:
 * either way autograd records it as PyTorch does (CopySlices on x when x is in a graph or
 * value requires grad). Where advanced indices repeat a position, the last write wins.
 */
export function indexPut_<T extends Tensor>(x: T, spec: IndexSpec, value: Operand, opts: { accumulate?: boolean } = {}): T {
  const v = value instanceof Tensor ? value : scalarTensor(value, x.dtype);
  const items = normalize(x, spec);
  if (!items.some((it) => it instanceof Tensor)) {
    const view = index(x, items);
    if (!expandsTo(v.shape, view.shape)) {
      throw new Error(`shape mismatch: value tensor of shape ${fmtShape(v.shape)} cannot be broadcast to indexing result of shape ${fmtShape(view.shape)}`);
    }
    if (opts.accumulate) assign_(view, view.add(v), "index_put_");
    else copy_(view, v);
    return x;
  }
  const positions = index(reshape(arange(0, x.numel(), 1, { dtype: "int64" }), [...x.shape]), items);
  let vals: Tensor;
  try {
    vals = reshape(expand(v.to(x.dtype), [...positions.shape]), [-1]);
  } catch {
    throw new Error(`shape mismatch: value tensor of shape ${fmtShape(v.shape)} cannot be broadcast to indexing result of shape ${fmtShape(positions.shape)}`);
  }
  const flat = reshape(x, [-1]);
  let pos = raw.values(positions);
  if (opts.accumulate) {
    const added = indexAdd(Tensor.zeros([x.numel()], x.dtype), 0, raw.fromValues(pos, [pos.length], "int64"), vals);
    return assign_(x, reshape(flat.add(added), [...x.shape]), "index_put_");
  }
  // the last write to each position wins, as on PyTorch's CPU
  const last = new Map<number, number>();
  pos.forEach((p, k) => last.set(p, k));
  const kept = [...last.values()].sort((a, b) => a - b);
  pos = Float64Array.from(kept, (k) => pos[k]);
  const picked = indexSelect(vals, 0, raw.fromValues(kept, [kept.length], "int64"));
  const idx = raw.fromValues(pos, [pos.length], "int64");
  const placed = indexAdd(Tensor.zeros([x.numel()], x.dtype), 0, idx, picked);
  const mask = new Uint8Array(x.numel());
  for (const p of pos) mask[p] = 1;
  return assign_(x, reshape(where(raw.fromValues(mask, [x.numel()], "bool"), placed, flat), [...x.shape]), "index_put_");
}

function checkIndex(op: string, idx: Tensor): Float64Array {
  if (idx.dtype !== "int64" && idx.dtype !== "int32") {
    throw new TypeError(`${op}(): Expected dtype int64 for index, but got ${idx.dtype}`);
  }
  return raw.values(idx);
}

/** The index as int64 values in [0, size), wrapping negatives; errors name the bad index. */
function int64Index(op: string, index: Tensor, size: number, dim: number): Tensor {
  const idx = checkIndex(op, index);
  // negative indices do not count from the end here, as in PyTorch (an Embedding of -1 is an error)
  for (const i of idx) {
    if (i < 0 || i >= size) throw new RangeError(`index out of range in self: ${op} index ${i} for dimension ${dim} of size ${size}`);
  }
  if (index.dtype === "int64") return raw.contiguous(index.reshape(-1));
  return raw.fromValues(idx, [idx.length], "int64");
}

/** [outer, n, inner] around dim d. */
const around = (shape: readonly number[], d: number): [number, number, number] => [numel(shape.slice(0, d)), shape[d], numel(shape.slice(d + 1))];

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim(dim, x.dim());
  if (index.dim() > 1) throw new Error(`index_select(): Index is supposed to be a vector, got shape ${fmtShape(index.shape)}`);
  const idx = int64Index("index_select", index, x.shape[d], d);
  const src = raw.contiguous(x);
  raw.use("index_select", src, idx);
  const shape = [...x.shape];
  shape[d] = idx.numel();
  const out = Tensor.empty(shape, x.dtype);
  const [outer, n, inner] = around(x.shape, d);
  kernel(`index_select_${itemSize[x.dtype] * 8}`)(raw.bytePtr(src), raw.bytePtr(idx), raw.bytePtr(out), outer, n, idx.numel(), inner);
  return record("IndexSelectBackward0", [x], out, [idx], (g, [ix]) => [indexAdd(Tensor.zeros(x.shape, g.dtype), d, ix, g)]);
}

/** self with src's slices added at the given indices along dim (out of place). */
export function indexAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normDim(dim, self.dim());
  const idx = int64Index("index_add", index, self.shape[d], d);
  const out = raw.cast(self, self.dtype);
  const s = raw.contiguous(src.to(self.dtype));
  raw.use("index_add", s, idx);
  const [outer, n, inner] = around(self.shape, d);
  if (self.dtype === "float32") {
    kernel("index_add_f32")(raw.bytePtr(out), raw.bytePtr(idx), raw.bytePtr(s), outer, n, idx.numel(), inner);
  } else {
    const o = raw.values(out);
    const v = raw.values(s);
    const ids = raw.values(idx);
    const m = ids.length;
    for (let a = 0; a < outer; a++) {
      ids.forEach((i, k) => {
        for (let j = 0; j < inner; j++) o[(a * n + i) * inner + j] += v[(a * m + k) * inner + j];
      });
    }
    writeValues(out.storage, 0, o);
  }
  return record("IndexAddBackward0", [self, src], out, [idx], (g, [ix]) => [g, indexSelect(g, d, ix)]);
}

/** Walks every coordinate of `shape`, giving the flat position and the coordinate array. */
function forEachCoord(shape: readonly number[], fn: (flat: number, coord: number[]) => void): void {
  const n = numel(shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    fn(i, coord);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++coord[k] < shape[k]) break;
      coord[k] = 0;
    }
  }
}

function checkGatherShapes(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.dim() !== x.dim()) throw new Error(`${op}(): Index tensor must have the same number of dimensions as input tensor`);
  index.shape.forEach((s, k) => {
    if (k !== d && s > x.shape[k]) {
      throw new Error(`${op}(): Size does not match at dimension ${k} expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${d}`);
    }
  });
}

/**
 * Whether gather / scatter_add can run in a kernel: an int64 index with the source's shape but
 * along dim (every autograd use: max, sort, pooling), and values of a kernel's width.
 */
const fitsKernel = (x: Tensor, d: number, index: Tensor, widths: readonly number[]): boolean =>
  index.dtype === "int64" && widths.includes(itemSize[x.dtype]) && index.shape.every((s, k) => k === d || s === x.shape[k]);

/** Runs a gather/scatter kernel over [outer, n, inner] × an index of m along dim; it returns the first out-of-range position, or all ones. */
function runIndexKernel(op: string, name: string, x: Tensor, d: number, index: Tensor, a: Tensor, b: Tensor): void {
  const idx = raw.contiguous(index);
  const [outer, n, inner] = around(x.shape, d);
  raw.use(op, a, idx, b);
  const bad = kernel(name)(raw.bytePtr(a), raw.bytePtr(idx), raw.bytePtr(b), outer, n, index.shape[d], inner) >>> 0;
  if (bad !== 0xffffffff) {
    const i = raw.values(idx.reshape(-1).narrow(0, bad, 1))[0];
    throw new RangeError(`${op}(): index ${i} is out of bounds for dimension ${d} with size ${n}`);
  }
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim(dim, x.dim());
  checkGatherShapes("gather", x, d, index);
  const backward = (g: Tensor, [ix]: Tensor[]) => [scatterAdd(Tensor.zeros(x.shape, g.dtype), d, ix, g)];
  if (fitsKernel(x, d, index, [4, 8])) {
    const out = Tensor.empty(index.shape, x.dtype);
    runIndexKernel("gather", `gather_${itemSize[x.dtype] * 8}`, x, d, index, raw.contiguous(x), out);
    return record("GatherBackward0", [x], out, [index], backward);
  }
  const idx = checkIndex("gather", index);
  raw.use("gather", x, index);
  const src = raw.values(x);
  const strides = contiguousStrides(x.shape);
  const vals = new Float64Array(idx.length);
  forEachCoord(index.shape, (flat, c) => {
    const i = idx[flat];
    if (i < 0 || i >= x.shape[d]) throw new RangeError(`gather(): index ${i} is out of bounds for dimension ${d} with size ${x.shape[d]}`);
    let off = 0;
    c.forEach((v, k) => (off += (k === d ? i : v) * strides[k]));
    vals[flat] = src[off];
  });
  const out = raw.fromValues(vals, index.shape, x.dtype);
  return record("GatherBackward0", [x], out, [index], backward);
}

/** self.scatter_add(dim, index, src), out of place. */
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normDim(dim, self.dim());
  checkGatherShapes("scatter_add", self, d, index);
  const backward = (g: Tensor, [ix]: Tensor[]) => [g, gather(g, d, ix)];
  if ((self.dtype === "float32" || self.dtype === "float64") && fitsKernel(self, d, index, [4, 8]) && src.shape.join() === index.shape.join()) {
    const out = raw.cast(self, self.dtype);
    runIndexKernel("scatter_add", `scatter_add_f${itemSize[self.dtype] * 8}`, self, d, index, out, raw.contiguous(src.to(self.dtype)));
    return record("ScatterAddBackward0", [self, src], out, [index], backward);
  }
  const idx = checkIndex("scatter_add", index);
  raw.use("scatter_add", self, index, src);
  const vals = raw.values(self);
  const sv = readValues(src.storage, index.shape, src.strides, src.offset);
  const strides = contiguousStrides(self.shape);
  forEachCoord(index.shape, (flat, c) => {
    const i = idx[flat];
    if (i < 0 || i >= self.shape[d]) throw new RangeError(`scatter_add(): index ${i} is out of bounds for dimension ${d} with size ${self.shape[d]}`);
    let off = 0;
    c.forEach((v, k) => (off += (k === d ? i : v) * strides[k]));
    vals[off] += sv[flat];
  });
  const out = Tensor.empty(self.shape, self.dtype);
  writeValues(out.storage, 0, vals);
  return record("ScatterAddBackward0", [self, src], out, [index], backward);
}

/** torch.flip: the order along each of `dims` reversed, as a copy (PyTorch has no negative strides either). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const ds = (typeof dims === "number" ? [dims] : [...dims]).map((d) => normDim(d, x.dim()));
  const repeated = ds.find((d, k) => ds.indexOf(d) !== k);
  if (repeated !== undefined) throw new Error(`dim ${repeated} appears multiple times in the list of dims`);
  const reversed = () => ds.reduce((t, d) => indexSelect(t, d, arange(x.shape[d] - 1, -1, -1, { dtype: "int64" })), x);
  return fused("FlipBackward0", [x], [], reversed, (g) => [flip(g, ds)]);
}

export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== "bool") throw new TypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  return where(mask, value, x);
}
