// Indexing: x.index(":, -1") for Python's x[:, -1], indexPut_ for x[...] = v, and the
// gather/scatter family (indexSelect, gather, scatterAdd, maskedFill) with their gradients.
import { record } from "../autograd/node.js";
import { readValues, writeValues } from "../backend/typed.js";
import { kernel } from "../backend/wasm.js";
import { itemSize } from "../tensor/dtype.js";
import { contiguousStrides, fmtShape, normDim, numel } from "../tensor/shape.js";
import { Operand, Tensor } from "../tensor/tensor.js";
import { scalarTensor, where } from "./binary.js";
import { assign_, copy_ } from "./convert.js";
import { reshape, select, slice, unsqueeze } from "./movement.js";
import * as raw from "./raw.js";

/** One index item: an integer, a slice string ("1:5:2", ":"), "..." , null (new axis) or an index/mask tensor. */
export type IndexItem = number | string | null | Tensor;
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

/** x[spec] with Python/PyTorch semantics for basic indexing and one index or mask tensor. */
export function index(x: Tensor, spec: IndexSpec): Tensor {
  const items = parseItems(spec);
  const consumes = (it: IndexItem): number => (it === null || it === "..." ? 0 : it instanceof Tensor && it.dtype === "bool" ? it.dim() : 1);
  const used = items.reduce((a: number, it) => a + consumes(it), 0);
  if (used > x.dim()) throw new RangeError(`too many indices for tensor of dimension ${x.dim()}`);
  const ell = items.indexOf("...");
  const expanded = ell >= 0 ? [...items.slice(0, ell), ...Array(x.dim() - used).fill(":"), ...items.slice(ell + 1)] : items;
  let out = x;
  let d = 0;
  for (const it of expanded) {
    if (it === null) {
      out = unsqueeze(out, d++);
    } else if (typeof it === "number") {
      out = select(out, d, it);
    } else if (typeof it === "string") {
      const [s, e, st] = parseSlice(it);
      out = slice(out, d++, s, e, st);
    } else if (it.dtype === "bool") {
      if (it.dim() !== out.dim() - d || d !== 0) throw new Error("index: a boolean mask must cover the whole tensor (x.index(mask))");
      return maskedSelect(out, it);
    } else {
      const flat = reshape(it, [-1]);
      const picked = indexSelect(out, d, flat);
      out = reshape(picked, [...out.shape.slice(0, d), ...it.shape, ...out.shape.slice(d + 1)]);
      d += it.dim();
    }
  }
  return out;
}

/**
 * x[spec] = value, in place. Each write goes through copy_ into a view of x, so autograd
 * records it as PyTorch does (CopySlices on x when x is in a graph or value requires grad).
 */
export function indexPut_<T extends Tensor>(x: T, spec: IndexSpec, value: Operand): T {
  const v = value instanceof Tensor ? value : scalarTensor(value, x.dtype);
  const items = parseItems(spec);
  if (items.length === 1 && items[0] instanceof Tensor && items[0].dtype === "bool") {
    return assign_(x, maskedPut(x, items[0], v.to(x.dtype)), "index_put_");
  }
  const idxItem = items.findIndex((it) => it instanceof Tensor);
  if (idxItem < 0) {
    copy_(index(x, spec), v);
    return x;
  }
  const idx = raw.values(items[idxItem] as Tensor);
  idx.forEach((i, k) => {
    const one = [...items];
    one[idxItem] = i;
    copy_(index(x, one), v.dim() > 0 && v.shape[0] === idx.length ? select(v, 0, k) : v);
  });
  return x;
}

/**
 * x with the masked positions replaced (out of place, differentiable): by `v` broadcast, or,
 * when v holds one value per masked position, by those values in order (x[mask] = v).
 */
function maskedPut(x: Tensor, mask: Tensor, v: Tensor): Tensor {
  const positions = raw.values(mask).reduce((acc: number[], m, i) => (m ? (acc.push(i), acc) : acc), []);
  if (v.dim() === 0 || v.numel() !== positions.length || v.numel() === 1) return where(mask, v, x);
  const idx = raw.fromValues(positions, [positions.length], "int64");
  const placed = reshape(indexAdd(Tensor.zeros([x.numel()], x.dtype), 0, idx, reshape(v, [-1])), [...x.shape]);
  return where(mask, placed, x);
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
  let wrapped = false;
  for (const i of idx) {
    if (i < -size || i >= size) throw new RangeError(`index out of range in self: index ${i} for dimension ${dim} of size ${size}`);
    if (i < 0) wrapped = true;
  }
  if (!wrapped && index.dtype === "int64") return raw.contiguous(index.reshape(-1));
  return raw.fromValues(idx.map((i) => (i < 0 ? i + size : i)), [idx.length], "int64");
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

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim(dim, x.dim());
  const idx = checkIndex("gather", index);
  checkGatherShapes("gather", x, d, index);
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
  return record("GatherBackward0", [x], out, [index], (g, [ix]) => [scatterAdd(Tensor.zeros(x.shape, g.dtype), d, ix, g)]);
}

/** self.scatter_add(dim, index, src), out of place. */
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normDim(dim, self.dim());
  const idx = checkIndex("scatter_add", index);
  checkGatherShapes("scatter_add", self, d, index);
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
  return record("ScatterAddBackward0", [self, src], out, [index], (g, [ix]) => [g, gather(g, d, ix)]);
}

export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== "bool") throw new TypeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  return where(mask, value, x);
}

/** x[mask]: the elements where mask is true, as a 1-D tensor. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (mask.shape.join() !== x.shape.join()) {
    throw new Error(`The shape of the mask ${fmtShape(mask.shape)} does not match the shape of the indexed tensor ${fmtShape(x.shape)}`);
  }
  const m = raw.values(mask);
  const positions: number[] = [];
  m.forEach((v, i) => v && positions.push(i));
  const flat = reshape(x, [-1]);
  return indexSelect(flat, 0, raw.fromValues(positions, [positions.length], "int64"));
}
