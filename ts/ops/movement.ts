// Shape and view ops. Views share storage (only shape/strides/offset change); their
// backward maps the gradient back (reshape, inverse permute, sum over expanded dims, or
// scatter into zeros for narrow/select/slice). cat/stack copy.
import { record } from "../autograd/node.js";
import { promoteTypes } from "../tensor/dtype.js";
import { contiguousStrides, fmtShape, normDim, numel, Shape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { sumTo } from "./binary.js";
import * as raw from "./raw.js";

/** Resolves one -1 in a requested shape, with PyTorch's errors. */
export function inferShape(shape: readonly number[], n: number): number[] {
  const free = shape.filter((s) => s === -1).length;
  if (free > 1) throw new Error("only one dimension can be inferred");
  const known = shape.reduce((a, s) => (s === -1 ? a : a * s), 1);
  const out = shape.map((s) => (s === -1 ? (known === 0 ? -1 : n / known) : s));
  if (out.some((s) => !Number.isInteger(s) || s < 0) || numel(out) !== n) {
    throw new Error(`shape '${fmtShape(shape)}' is invalid for input of size ${n}`);
  }
  return out;
}

/** Strides that view `shape` through `oldStrides` without copying, or null (PyTorch's computeStride). */
function viewStrides(oldShape: Shape, oldStrides: Shape, shape: number[]): number[] | null {
  if (numel(oldShape) === 0 || oldShape.length === 0) return contiguousStrides(shape);
  const out = new Array<number>(shape.length);
  let viewD = shape.length - 1;
  let base = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * base)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        out[viewD] = viewNumel * base;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        base = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

function viewOp(x: Tensor, name: string, shape: Shape, strides: Shape, offset: number, backward: (g: Tensor) => Tensor): Tensor {
  const out = x.makeView(shape, strides, offset);
  out.viewBase = x.viewBase ?? x;
  out.seenRebases = out.viewBase.rebases;
  return record(name, [x], out, [], (g) => [backward(g)]);
}

export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel());
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides === null) {
    throw new Error(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across " +
        "two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  return viewOp(x, "ViewBackward0", target, strides, x.offset, (g) => reshape(g, [...x.shape]));
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel());
  if (viewStrides(x.shape, x.strides, target) !== null) return view(x, target);
  return view(contiguous(x), target);
}

export function contiguous(x: Tensor): Tensor {
  return raw.isContiguous(x) ? x : x.clone();
}

export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.dim() === 0) return reshape(x, [1]);
  const s = normDim(start, x.dim());
  const e = normDim(end, x.dim());
  if (s > e) throw new Error("flatten() has invalid args: start_dim cannot come after end_dim");
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

export function unflatten(x: Tensor, dim: number, sizes: number[]): Tensor {
  const d = normDim(dim, x.dim());
  const inner = inferShape(sizes, x.shape[d]);
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? x.shape.map((_, d) => d) : (typeof dim === "number" ? [dim] : [...dim]).map((d) => normDim(d, x.dim()));
  const keep = x.shape.map((s, d) => !(dims.includes(d) && s === 1));
  const shape = x.shape.filter((_, d) => keep[d]);
  const strides = x.strides.filter((_, d) => keep[d]);
  return viewOp(x, "SqueezeBackward0", shape, strides, x.offset, (g) => reshape(g, [...x.shape]));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.dim() + 1);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.dim() ? x.strides[d] * x.shape[d] : 1);
  return viewOp(x, "UnsqueezeBackward0", shape, strides, x.offset, (g) => squeeze(g, d));
}

export function permute(x: Tensor, dims: readonly number[], name = "PermuteBackward0"): Tensor {
  if (dims.length !== x.dim()) {
    throw new Error(
      `permute(): number of dimensions in the tensor input does not match the length of the desired ordering of ` +
        `dimensions i.e. input.dim() = ${x.dim()} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const order = dims.map((d) => normDim(d, x.dim()));
  if (new Set(order).size !== order.length) throw new Error("permute(): duplicate dims are not allowed.");
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return viewOp(x, name, order.map((d) => x.shape[d]), order.map((d) => x.strides[d]), x.offset, (g) => permute(g, inverse));
}

/** x.t(): a 2-D tensor transposed (TBackward0); 0- and 1-D tensors as they are. */
export function t(x: Tensor): Tensor {
  if (x.dim() > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  return x.dim() < 2 ? x : permute(x, [1, 0], "TBackward0");
}

export function transpose(x: Tensor, d0: number, d1: number): Tensor {
  if (x.dim() === 0) return x;
  const order = [...Array(x.dim()).keys()];
  const [a, b] = [normDim(d0, x.dim()), normDim(d1, x.dim())];
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order, "TransposeBackward0");
}

export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.dim()) {
    throw new Error(
      `expand(${x.type()}{${fmtShape(x.shape)}}, size=${fmtShape(sizes)}): the number of sizes provided (${sizes.length}) ` +
        `must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const lead = sizes.length - x.dim();
  const shape: number[] = [];
  const strides: number[] = [];
  sizes.forEach((s, d) => {
    if (d < lead) {
      if (s < 0) throw new Error(`The expanded size of the tensor (${s}) isn't allowed in a leading, non-existing dimension ${d}`);
      shape.push(s);
      strides.push(0);
      return;
    }
    const own = x.shape[d - lead];
    const target = s === -1 ? own : s;
    if (own !== target && own !== 1) {
      throw new Error(
        `The expanded size of the tensor (${target}) must match the existing size (${own}) at non-singleton ` +
          `dimension ${d}.  Target sizes: ${fmtShape(sizes)}.  Tensor sizes: ${fmtShape(x.shape)}`,
      );
    }
    shape.push(target);
    strides.push(own === target ? x.strides[d - lead] : 0);
  });
  return viewOp(x, "ExpandBackward0", shape, strides, x.offset, (g) => sumTo(g, x.shape));
}

/**
 * Backward of a view that picks a subset (narrow, select, slice): the gradient lands in a
 * zero tensor of the input's shape, at the same view.
 */
function scatterIntoZeros(g: Tensor, shape: Shape, pick: (t: Tensor) => Tensor, name: string): Tensor {
  const out = Tensor.zeros(shape, g.dtype);
  raw.copyInto(pick(out), g);
  return record(name, [g], out, [], (gg) => [pick(gg)]);
}

function subsetView(x: Tensor, name: string, shape: number[], strides: number[], offset: number, again: (t: Tensor) => Tensor): Tensor {
  const out = viewOp(x, name, shape, strides, offset, (g) => scatterIntoZeros(g, x.shape, again, `${name.replace(/0$/, "")}Backward0`));
  if (out.gradFn !== null) out.gradFn.regionOf = again;
  return out;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.dim());
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (s < 0 || s > size) throw new RangeError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  if (length < 0 || s + length > size) throw new RangeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return slice(x, d, s, s + length, 1);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.dim());
  const size = x.shape[d];
  if (index < -size || index >= size) {
    throw new RangeError(`select(): index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = x.shape.filter((_, k) => k !== d);
  const strides = x.strides.filter((_, k) => k !== d);
  return subsetView(x, "SelectBackward0", shape, strides, x.offset + i * x.strides[d], (t) => select(t, d, i));
}

/** x[start:end:step] along dim, with Python's clamping of out-of-range bounds. */
export function slice(x: Tensor, dim: number, start: number | null, end: number | null, step = 1): Tensor {
  const d = normDim(dim, x.dim());
  if (step <= 0) throw new Error("slice step must be positive");
  const size = x.shape[d];
  const wrap = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const s = wrap(start, 0);
  const e = Math.max(wrap(end, size), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  return subsetView(x, "SliceBackward0", shape, strides, x.offset + s * x.strides[d], (t) => slice(t, d, s, e, step));
}

export function split(x: Tensor, sizeOrSections: number | number[], dim = 0): Tensor[] {
  const d = normDim(dim, x.dim());
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    if (sizeOrSections <= 0) throw new Error(`split expects split_size be non-negative, but got split_size=${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
  } else {
    sizes = sizeOrSections;
    if (sizes.reduce((a, b) => a + b, 0) !== n) {
      throw new Error(`split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(sizes)}`);
    }
  }
  let at = 0;
  return sizes.map((s) => {
    const part = narrow(x, d, at, s);
    at += s;
    return part;
  });
}

export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const n = x.shape[normDim(dim, x.dim())];
  return split(x, Math.max(Math.ceil(n / chunks), 1), dim);
}

export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normDim(dim, x.dim());
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("torch.cat(): expected a non-empty list of Tensors");
  // PyTorch skips legacy empty 1-D tensors of shape [0]
  const parts = tensors.filter((t) => !(t.dim() === 1 && t.numel() === 0));
  if (parts.length === 0) return tensors[0].clone();
  const ref = parts[0];
  const d = normDim(dim, ref.dim());
  parts.forEach((t, i) => {
    if (t.dim() !== ref.dim()) {
      throw new Error(`Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`);
    }
    t.shape.forEach((s, k) => {
      if (k !== d && s !== ref.shape[k]) {
        throw new Error(`Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${s} for tensor number ${i} in the list.`);
      }
    });
  });
  raw.use("cat", ...parts);
  const dtype = parts.map((t) => t.dtype).reduce(promoteTypes);
  const shape = [...ref.shape];
  shape[d] = parts.reduce((a, t) => a + t.shape[d], 0);
  const out = Tensor.empty(shape, dtype);
  let at = 0;
  for (const t of parts) {
    raw.copyInto(out.makeView(t.shape, out.strides, out.offset + at * out.strides[d]), t);
    at += t.shape[d];
  }
  const sizes = parts.map((t) => t.shape[d]);
  return record("CatBackward0", parts, out, [], (g) => {
    let off = 0;
    return sizes.map((s, i) => {
      const piece = narrow(g, d, off, s);
      off += s;
      return parts[i].dtype === g.dtype ? piece : piece.to(parts[i].dtype);
    });
  });
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("stack expects a non-empty TensorList");
  tensors.forEach((t, i) => {
    if (t.shape.join() !== tensors[0].shape.join()) {
      throw new Error(`stack expects each tensor to be equal size, but got ${fmtShape(tensors[0].shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normDim(dim, tensors[0].dim() + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * torch.nn.functional.pad, constant mode: `pads` are (left, right) pairs starting from the last
 * dim; negative amounts crop. Its backward is the opposite pad of the gradient (crop what was
 * added, zeros where it cropped).
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  if (pads.length % 2 !== 0) throw new Error("Padding length must be divisible by 2");
  if (pads.length / 2 > x.dim()) throw new Error("Padding length too large");
  raw.use("constant_pad_nd", x);
  const shape = [...x.shape];
  const srcStart = new Array<number>(x.dim()).fill(0);
  const dstStart = new Array<number>(x.dim()).fill(0);
  const extent = [...x.shape];
  for (let k = 0; k < pads.length / 2; k++) {
    const d = x.dim() - 1 - k;
    const [l, r] = [pads[2 * k], pads[2 * k + 1]];
    shape[d] = x.shape[d] + l + r;
    if (shape[d] < 0) throw new Error(`The input size ${x.shape[d]}, plus negative padding ${l} and ${r} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`);
    srcStart[d] = Math.max(0, -l);
    dstStart[d] = Math.max(0, l);
    extent[d] = Math.max(0, x.shape[d] - Math.max(0, -l) - Math.max(0, -r));
  }
  const out = raw.fromValues([value], [], x.dtype).expand(shape).contiguous();
  const region = (t: Tensor, start: number[]): Tensor =>
    t.makeView(extent, t.strides, t.offset + start.reduce((a, s, d) => a + s * t.strides[d], 0));
  if (numel(extent) > 0) raw.copyInto(region(out, dstStart), region(x, srcStart));
  return record("ConstantPadNdBackward0", [x], out, [], (g) => [pad(g, pads.map((p) => -p))]);
}
