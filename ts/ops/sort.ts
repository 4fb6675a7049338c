// sort, argsort and topk along a dim. The order is found in JavaScript (a stable sort of each
// line, NaN greater than every number as PyTorch orders it); values are gathered by that order,
// and the gradient goes back to where each value came from.
import { record } from "../autograd/node.js";
import { normDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { scatterAdd } from "./indexing.js";
import { ValuesIndices, valuesIndices } from "./reduce.js";
import * as raw from "./raw.js";

/** Ascending order with NaN last (PyTorch's); descending is its reverse, so NaN comes first. */
const ascending = (a: number, b: number): number => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

/** For each line along `d`, the positions of its `k` first elements in the requested order. */
function order(x: Tensor, d: number, descending: boolean, k: number): Tensor {
  const shape = x.shape;
  const n = shape[d];
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const v = raw.values(x);
  const out = new Float64Array(outer * k * inner);
  const line = Array.from({ length: n }, (_, i) => i);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => v[(o * n + j) * inner + i];
      for (let j = 0; j < n; j++) line[j] = j;
      line.sort(descending ? (a, b) => ascending(at(b), at(a)) : (a, b) => ascending(at(a), at(b)));
      for (let j = 0; j < k; j++) out[(o * k + j) * inner + i] = line[j];
    }
  }
  return raw.fromValues(out, [...shape.slice(0, d), k, ...shape.slice(d + 1)], "int64");
}

/** The values at `indices` along `d`, recorded as `name` (the gradient scattered back to those positions). */
function take(x: Tensor, d: number, indices: Tensor, name: string): Tensor {
  const v = raw.values(x);
  const idx = raw.values(indices);
  const shape = indices.shape;
  const n = x.shape[d];
  const k = shape[d];
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const vals = new Float64Array(idx.length);
  for (let f = 0; f < idx.length; f++) {
    const i = f % inner;
    const o = Math.floor(f / (inner * k));
    vals[f] = v[(o * n + idx[f]) * inner + i];
  }
  const out = raw.fromValues(vals, shape, x.dtype);
  return record(name, [x], out, [indices], (g, [ix]) => [scatterAdd(Tensor.zeros(x.shape, g.dtype), d, ix, g)]);
}

function lineDim(op: string, x: Tensor, dim: number): number {
  raw.use(op, x);
  if (x.dtype === "bool" && op !== "sort" && op !== "argsort") throw new TypeError(`"${op}" not implemented for 'Bool'`);
  return x.dim() === 0 ? 0 : normDim(dim, x.dim());
}

/** torch.sort(x, dim=-1, descending=false): [values, indices]; stable (ties keep their order). */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  const d = lineDim("sort", x, dim);
  if (x.dim() === 0) return valuesIndices(take(x.reshape([1]), 0, Tensor.zeros([1], "int64"), "SortBackward0").reshape([]), Tensor.zeros([], "int64"));
  const indices = order(x, d, descending, x.shape[d]);
  return valuesIndices(take(x, d, indices, "SortBackward0"), indices);
}

export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  const d = lineDim("argsort", x, dim);
  if (x.dim() === 0) return Tensor.zeros([], "int64");
  return order(x, d, descending, x.shape[d]);
}

/** torch.topk(x, k, dim=-1, largest=true, sorted=true): the k largest (or smallest) along dim, in order. */
export function topk(x: Tensor, k: number, dim = -1, largest = true): ValuesIndices {
  const d = lineDim("topk", x, dim);
  const size = x.dim() === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) throw new RangeError(`selected index k out of range (k = ${k}, size along dim ${dim} = ${size})`);
  if (x.dim() === 0) return sort(x);
  const indices = order(x, d, largest, k);
  return valuesIndices(take(x, d, indices, "TopkBackward0"), indices);
}
