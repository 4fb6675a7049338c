// Reductions over all or given dims, with keepdim. sum/prod/amax/amin are primitives on the
// reduce kernels; mean, var, std and logsumexp are written on top of them (so their
// gradients, and gradients of gradients, come from the primitives').
import { record } from "../autograd/node.js";
import { DType, isFloating, scalarTypeName } from "../tensor/dtype.js";
import { normDim, normDims, numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { where } from "./binary.js";
import { scatterAdd } from "./indexing.js";
import { withGradMode } from "../autograd/mode.js";
import { expand, reshape } from "./movement.js";
import * as raw from "./raw.js";
import { dropHidden } from "../tensor/lifetime.js";

type Dims = number | readonly number[] | undefined;

function keepShape(x: Tensor, dims: number[]): number[] {
  return x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
}

/** The gradient of a reduction, broadcast back over the reduced dims. */
function unreduce(g: Tensor, x: Tensor, dims: number[]): Tensor {
  return expand(reshape(g, keepShape(x, dims)), [...x.shape]);
}

const dimsOf = (x: Tensor, dim: Dims): number[] =>
  dim === undefined || (Array.isArray(dim) && dim.length === 0) ? normDims(undefined, x.dim()) : normDims(dim, x.dim());

export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = dimsOf(x, dim);
  const outDtype: DType = isFloating(x.dtype) ? x.dtype : "int64";
  const src = x.dtype === outDtype ? x : x.to(outDtype);
  const out = raw.reduce(src, dims, keepdim, "sum", outDtype);
  return record(dim === undefined ? "SumBackward0" : "SumBackward1", [x], out, [], (g) => [unreduce(g, x, dims)]);
}

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) {
    throw new Error(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName[x.dtype]}`,
    );
  }
  const dims = dimsOf(x, dim);
  const n = numel(dims.map((d) => x.shape[d]));
  const total = raw.reduce(x, dims, keepdim, "sum", x.dtype);
  const count = raw.fromValues([n], [], x.dtype);
  const out = raw.binary(total, count, total.shape, "div", (a, b) => a / b, x.dtype);
  dropHidden(total);
  dropHidden(count);
  return record(dim === undefined ? "MeanBackward0" : "MeanBackward1", [x], out, [], (g) => [unreduce(g, x, dims).div(n)]);
}

export function prod(x: Tensor, dim?: number, keepdim = false): Tensor {
  const dims = dimsOf(x, dim);
  const outDtype: DType = isFloating(x.dtype) ? x.dtype : "int64";
  const src = x.dtype === outDtype ? x : x.to(outDtype);
  const out = raw.reduce(src, dims, keepdim, "prod", outDtype);
  return record("ProdBackward0", [x], out, [x, out], (g, [xs, o]) => {
    // out/x, except where x is 0: there the product of the others (non-zero only if that
    // is the single zero of its slice).
    const ok = reshape(o, keepShape(xs, dims));
    const zero = xs.eq(0);
    const others = prod(where(zero, 1, xs), dims.length === xs.dim() ? undefined : dims[0], true);
    const single = sum(zero, dims, true).eq(1);
    const atZero = where(single, others, 0);
    return [unreduce(g, xs, dims).mul(where(zero, atZero, ok.div(where(zero, 1, xs))))];
  });
}

function extreme(x: Tensor, dim: Dims, keepdim: boolean, kind: "max" | "min"): Tensor {
  const dims = dimsOf(x, dim);
  const out = raw.reduce(x, dims, keepdim, kind, x.dtype);
  const name = kind === "max" ? "AmaxBackward0" : "AminBackward0";
  return record(name, [x], out, [x, out], (g, [xs, o]) => {
    // ties share the gradient evenly, as PyTorch's amax/amin
    const mask = xs.eq(reshape(o, keepShape(xs, dims))).to(g.dtype);
    return [unreduce(g, xs, dims).mul(mask).div(sum(mask, dims, true))];
  });
}

export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme(x, dim, keepdim, "max");
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme(x, dim, keepdim, "min");

/**
 * torch.max(x, dim), min, sort, topk: PyTorch's (values, indices) named tuple, as an array
 * [values, indices] that also has .values and .indices, so it destructures typed.
 */
export type ValuesIndices = readonly [values: Tensor, indices: Tensor] & { readonly values: Tensor; readonly indices: Tensor };

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as const, { values, indices });
}

export function maxDim(x: Tensor, dim: number, keepdim: boolean, kind: "max" | "min"): ValuesIndices {
  const d = normDim(dim, x.dim());
  const indices = raw.reduce(x, [d], keepdim, kind === "max" ? "argmax" : "argmin", "int64");
  const out = raw.reduce(x, [d], keepdim, kind, x.dtype);
  const values = record(kind === "max" ? "MaxBackward0" : "MinBackward0", [x], out, [indices], (g, [idx]) => {
    const gk = reshape(g, keepShape(x, [d]));
    const ik = reshape(idx, keepShape(x, [d]));
    return [scatterAdd(Tensor.zeros(x.shape, g.dtype), d, ik, gk)];
  });
  return valuesIndices(values, indices);
}

export function argExtreme(x: Tensor, dim: number | undefined, keepdim: boolean, kind: "argmax" | "argmin"): Tensor {
  if (dim === undefined) return raw.reduce(reshape(x, [-1]), [0], false, kind, "int64").view(keepdim ? x.shape.map(() => 1) : []);
  return raw.reduce(x, [normDim(dim, x.dim())], keepdim, kind, "int64");
}

/** var/std: computed as a composite without a graph, then recorded as one node with PyTorch's name. */
function spread(x: Tensor, dim: Dims, correction: number, keepdim: boolean, root: boolean): Tensor {
  const dims = dimsOf(x, dim);
  const n = numel(dims.map((d) => x.shape[d]));
  const divisor = Math.max(n - correction, 0);
  const out = withGradMode(false, () => {
    const v = sum(x.sub(mean(x, dims, true)).square(), dims, keepdim).div(divisor);
    return root ? v.sqrt() : v;
  });
  return record(root ? "StdBackward0" : "VarBackward0", [x], out, [x, out], (g, [xs, o]) => {
    const centered = xs.sub(mean(xs, dims, true));
    const dVar = unreduce(g, xs, dims).mul(centered).mul(2 / divisor);
    return [root ? dVar.div(unreduce(o, xs, dims).mul(2)) : dVar];
  });
}

export const variance = (x: Tensor, dim: Dims, correction: number, keepdim: boolean): Tensor => spread(x, dim, correction, keepdim, false);
export const std = (x: Tensor, dim: Dims, correction: number, keepdim: boolean): Tensor => spread(x, dim, correction, keepdim, true);

export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  const dims = dimsOf(x, dim);
  const kept = withGradMode(false, () => {
    const m = amax(x, dims, true);
    // an all -inf (or +inf) slice has no finite shift; PyTorch shifts by 0 there
    const shift = where(m.abs().eq(Infinity), 0, m);
    return sum(x.sub(shift).exp(), dims, true).log().add(shift);
  });
  const out = keepdim ? kept : withGradMode(false, () => reshape(kept, x.shape.filter((_, d) => !dims.includes(d))));
  // exp(x - logsumexp(x)) is recomputed with a graph so that the gradient is differentiable too
  return record("LogsumexpBackward0", [x], out, [x], (g, [xs]) => [unreduce(g, xs, dims).mul(xs.sub(logsumexp(xs, dims, true)).exp())]);
}
