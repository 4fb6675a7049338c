// 2-D convolution over NCHW batches: the weights times the unfolded (im2col) input. For
// float32 one kernel gathers the unfolded input as it multiplies (implicit GEMM), and another
// computes the weight gradient the same way; the input gradient folds (col2im) the weights'
// transpose times the output gradient. Other dtypes and grouped convolutions compose unfold
// and matmul. unfold and fold are each other's backward, and the weight-gradient op's backward
// is made of convolution and fold, so gradients of every order come from these ops. Unbatched
// CHW input is accepted, as PyTorch does. The window helpers here are shared with pooling.
import { fused, record } from "../autograd/node.js";
import { writeMeta } from "../backend/wasm.js";
import { runParallel } from "../backend/threads.js";
import { internal } from "../tensor/lifetime.js";
import { fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { cat, pad } from "./movement.js";
import * as raw from "./raw.js";
import { bindArgs, isOptionsObject, Rest } from "../signature.js";

/** F.conv1d/conv2d(x, w, {options}) without a bias: the options object in bias's place moves to the options. */
function convArgs<O>(fn: string, bias: Tensor | null | O, args: readonly unknown[]): { bias: Tensor | null; opts: O } {
  const [b, rest] = isOptionsObject(bias) ? [null, [bias, ...args]] : [bias as Tensor | null, args];
  return { bias: b, opts: bindArgs<O>({ fn, positional: ["stride", "padding", "dilation", "groups"] }, rest) };
}

export type Pair = number | readonly [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

export interface UnfoldOptions {
  dilation?: Pair;
  padding?: Pair;
  stride?: Pair;
}

/** Kernel, stride, padding and dilation along (height, width). */
export interface Window {
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
}

/** A window's sizes, checked before any kernel runs (a zero stride would divide by zero), with PyTorch's texts. */
export function windowOf(op: string, kernelSize: Pair, o: UnfoldOptions): Window {
  const w: Window = { k: pair(kernelSize), s: pair(o.stride ?? 1), p: pair(o.padding ?? 0), d: pair(o.dilation ?? 1) };
  const pool = op.includes("pool");
  for (const [name, v] of [["kernel_size", w.k], ["stride", w.s], ["padding", w.p], ["dilation", w.d]] as const) {
    if (!v.every(Number.isInteger)) throw new TypeError(`${op}: ${name} must be integers, got (${v.join(", ")})`);
  }
  if (w.k.some((k) => k <= 0)) throw new Error(`${op}: kernel size should be greater than zero, but got kH: ${w.k[0]} kW: ${w.k[1]}`);
  if (w.s.some((s) => s <= 0)) throw new Error(`${op}: ${pool ? (w.s.some((s) => s === 0) ? "stride should not be zero" : "stride should be greater than zero") : "non-positive stride is not supported"}`);
  if (w.d.some((d) => d <= 0)) throw new Error(`${op}: dilation should be greater than zero, but got [${w.d.join(", ")}]`);
  if (w.p.some((p) => p < 0)) throw new Error(`${op}: negative padding is not supported`);
  return w;
}

/** Output length along one axis; with ceilMode the last window may overhang, but must start inside. */
export function outLength(size: number, w: Window, axis: 0 | 1, ceilMode = false): number {
  const span = size + 2 * w.p[axis] - w.d[axis] * (w.k[axis] - 1) - 1;
  let n = (ceilMode ? Math.ceil(span / w.s[axis]) : Math.floor(span / w.s[axis])) + 1;
  if (ceilMode && (n - 1) * w.s[axis] >= size + w.p[axis]) n--;
  return n;
}

export function meta(n: number, c: number, h: number, wd: number, w: Window, oh: number, ow: number): number {
  return writeMeta([n, c, h, wd, w.k[0], w.k[1], w.s[0], w.s[1], w.p[0], w.p[1], w.d[0], w.d[1], oh, ow]);
}

/**
 * im2col of a 4-D batch, positions outside the input reading `pad`; `out` is [oh, ow]. Its
 * backward folds the gradient back (padding positions get none).
 */
export function unfoldRaw(x: Tensor, w: Window, out: [number, number], pad: number): Tensor {
  const [n, c, h, wd] = x.shape;
  const src = raw.contiguous(x);
  raw.use("unfold", src);
  const shape = [n, c * w.k[0] * w.k[1], out[0] * out[1]];
  let cols: Tensor;
  if (raw.wasmF32(x.dtype)) {
    cols = Tensor.empty(shape, x.dtype);
    runParallel("im2col_f32", cols.numel(), raw.bytePtr(src), raw.bytePtr(cols), meta(n, c, h, wd, w, out[0], out[1]), pad);
  } else {
    const v = raw.values(src);
    const colsV = new Float64Array(n * shape[1] * shape[2]);
    forEachTap([n, c, h, wd], w, out, (at, from) => (colsV[at] = from < 0 ? pad : v[from]));
    cols = raw.fromValues(colsV, shape, x.dtype);
  }
  return record("Im2ColBackward0", [x], cols, [], (g) => [foldRaw(g, w, [h, wd], out)]);
}

/** col2im: sums each column entry onto the input position it came from. */
function foldRaw(cols: Tensor, w: Window, size: [number, number], out: [number, number]): Tensor {
  const [n, ckk] = cols.shape;
  const c = ckk / (w.k[0] * w.k[1]);
  const src = raw.contiguous(cols);
  raw.use("fold", src);
  let x: Tensor;
  if (raw.wasmF32(cols.dtype)) {
    x = Tensor.zeros([n, c, size[0], size[1]], cols.dtype);
    runParallel("col2im_f32", cols.numel(), raw.bytePtr(src), raw.bytePtr(x), meta(n, c, size[0], size[1], w, out[0], out[1]));
  } else {
    const v = raw.values(src);
    const xV = new Float64Array(n * c * size[0] * size[1]);
    forEachTap([n, c, size[0], size[1]], w, out, (at, from) => from >= 0 && (xV[from] += v[at]));
    x = raw.fromValues(xV, [n, c, size[0], size[1]], cols.dtype);
  }
  return record("Col2ImBackward0", [cols], x, [], (g) => [unfoldRaw(g, w, out, 0)]);
}

/**
 * The definition of im2col, one column entry at a time: `f(column index, input index or -1
 * outside the input)`. The JS path for dtypes without a kernel, and the kernels' oracle.
 */
function forEachTap(input: [number, number, number, number], w: Window, out: [number, number], f: (at: number, from: number) => void): void {
  const [n, c, h, wd] = input;
  let at = 0;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let ky = 0; ky < w.k[0]; ky++)
        for (let kx = 0; kx < w.k[1]; kx++)
          for (let oy = 0; oy < out[0]; oy++)
            for (let ox = 0; ox < out[1]; ox++, at++) {
              const iy = oy * w.s[0] + ky * w.d[0] - w.p[0];
              const ix = ox * w.s[1] + kx * w.d[1] - w.p[1];
              f(at, iy < 0 || ix < 0 || iy >= h || ix >= wd ? -1 : ((b * c + ch) * h + iy) * wd + ix);
            }
}

export function checkFloating(op: string, t: Tensor): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new TypeError(`${op}: expected a floating-point tensor, but got ${t.dtype}`);
}

/** Runs `f` on a 4-D batch, adding and removing the batch dim for unbatched 3-D input. */
export function batched(x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  return x.dim() === 3 ? f(x.unsqueeze(0)).squeeze(0) : f(x);
}

/** torch.nn.functional.unfold: [N, C, H, W] → [N, C·kh·kw, L]. */
export function unfold(x: Tensor, kernelSize: Pair, opts: UnfoldOptions = {}): Tensor {
  if (x.dim() !== 3 && x.dim() !== 4) throw new Error(`Input Error: Only 3D or 4D input Tensors are supported (got ${x.dim()}D)`);
  checkFloating("unfold", x);
  const w = windowOf("unfold", kernelSize, opts);
  return batched(x, (x4) => unfoldRaw(x4, w, [outLength(x4.shape[2], w, 0), outLength(x4.shape[3], w, 1)], 0));
}

/** torch.nn.functional.fold: [N, C·kh·kw, L] → [N, C, H, W], overlapping entries summed. */
export function fold(cols: Tensor, outputSize: Pair, kernelSize: Pair, opts: UnfoldOptions = {}): Tensor {
  if (cols.dim() !== 2 && cols.dim() !== 3) throw new Error(`Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ${cols.dim()}D)`);
  checkFloating("fold", cols);
  const w = windowOf("fold", kernelSize, opts);
  const size = pair(outputSize);
  const out: [number, number] = [outLength(size[0], w, 0), outLength(size[1], w, 1)];
  const c3 = cols.dim() === 2 ? cols.unsqueeze(0) : cols;
  const kk = w.k[0] * w.k[1];
  if (c3.shape[1] % kk !== 0) {
    throw new Error(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${c3.shape[1]} and kernel_size=(${w.k.join(", ")})`);
  }
  if (c3.shape[2] !== out[0] * out[1]) {
    throw new Error(`Given output_size=(${size.join(", ")}), kernel_size=(${w.k.join(", ")}), dilation=(${w.d.join(", ")}), padding=(${w.p.join(", ")}), stride=(${w.s.join(", ")}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${out[0]} * ${out[1]} = ${out[0] * out[1]}, but got input.size(2)=${c3.shape[2]}.`);
  }
  const x = foldRaw(c3, w, size, out);
  return cols.dim() === 2 ? x.squeeze(0) : x;
}

export interface Conv2dOptions {
  stride?: Pair;
  /** Numbers, or "valid" (none) / "same" (output size = input size; stride 1). */
  padding?: Pair | "valid" | "same";
  dilation?: Pair;
  groups?: number;
}

/** torch.nn.functional.conv2d (cross-correlation, as PyTorch): F.conv2d(x, w, b, stride, padding, dilation, groups) or options. */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  biasOrOptions: Tensor | null | Conv2dOptions = null,
  ...args: Rest<[stride: Pair, padding: Pair | "valid" | "same", dilation: Pair, groups: number], Conv2dOptions>
): Tensor {
  const { bias, opts } = convArgs<Conv2dOptions>("conv2d", biasOrOptions, args);
  if (x.dim() !== 3 && x.dim() !== 4) {
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${fmtShape(x.shape)}`);
  }
  if (weight.dim() !== 4) throw new Error(`conv2d: expected a 4D weight [out_channels, in_channels/groups, kH, kW], but got ${fmtShape(weight.shape)}`);
  checkFloating("conv2d", x);
  checkFloating("conv2d", weight);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups <= 0) throw new Error(`conv2d: non-positive groups is not supported (got ${groups})`);
  const [outC, inPerGroup, kh, kw] = weight.shape;
  const x4 = x.dim() === 3 ? x.unsqueeze(0) : x;
  if (outC % groups !== 0) {
    throw new Error(`Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${fmtShape(weight.shape)}] instead`);
  }
  if (x4.shape[1] !== inPerGroup * groups) {
    throw new Error(`Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x4.shape)} to have ${inPerGroup * groups} channels, but got ${x4.shape[1]} channels instead`);
  }
  // the window's checks; "same" / "valid" padding is resolved below
  windowOf("conv2d", [kh, kw], { stride: opts.stride, dilation: opts.dilation, padding: typeof opts.padding === "string" ? 0 : opts.padding });
  const dilation = pair(opts.dilation ?? 1);
  const [top, bottom, left, right] = paddingOf(opts.padding ?? 0, [kh, kw], dilation, opts.stride ?? 1);
  // uneven padding ("same" with an even kernel) pads the input; even padding is the unfold's
  const even = top === bottom && left === right;
  const xin = even ? x4 : pad(x4, [left, right, top, bottom]);
  const w: Window = { k: [kh, kw], s: pair(opts.stride ?? 1), p: even ? [top, left] : [0, 0], d: dilation };
  const [h, wd] = [xin.shape[2], xin.shape[3]];
  const padded = [h + 2 * w.p[0], wd + 2 * w.p[1]];
  const span = [w.d[0] * (kh - 1) + 1, w.d[1] * (kw - 1) + 1];
  if (padded[0] < span[0] || padded[1] < span[1]) {
    throw new Error(`Calculated padded input size per channel: (${padded[0]} x ${padded[1]}). Kernel size: (${span[0]} x ${span[1]}). Kernel size can't be greater than actual input size`);
  }
  const out: [number, number] = [outLength(h, w, 0), outLength(wd, w, 1)];
  if (groups === 1 && raw.wasmF32(xin.dtype) && weight.dtype === xin.dtype && (bias === null || bias.dtype === xin.dtype)) {
    const y = convolve(xin, weight, bias, w, out);
    return x.dim() === 3 ? y.squeeze(0) : y;
  }
  return internal(() => {
    const perGroup = (xs: Tensor, ws: Tensor): Tensor => ws.reshape([ws.shape[0], -1]).matmul(unfoldRaw(xs, w, out, 0));
    const y = groups === 1
      ? perGroup(xin, weight)
      : cat(Array.from({ length: groups }, (_, g) => perGroup(xin.narrow(1, g * inPerGroup, inPerGroup), weight.narrow(0, (g * outC) / groups, outC / groups))), 1);
    let result = y.reshape([x4.shape[0], outC, out[0], out[1]]);
    if (bias !== null) result = result.add(bias.reshape([1, outC, 1, 1]));
    return x.dim() === 3 ? result.squeeze(0) : result;
  });
}

/** The float32 convolution kernel, unrecorded: [n, c, h, w] by [cout, c, kh, kw] → [n, cout, oh, ow]. */
function convRaw(x: Tensor, weight: Tensor, w: Window, out: [number, number]): Tensor {
  const [n, c, h, wd] = x.shape;
  const cout = weight.shape[0];
  const [src, ws] = [raw.contiguous(x), raw.contiguous(weight)];
  raw.use("conv2d", src, ws);
  const y = Tensor.empty([n, cout, out[0], out[1]], x.dtype);
  runParallel("conv2d_f32", y.numel() * ws.numel() / cout, raw.bytePtr(src), raw.bytePtr(ws), raw.bytePtr(y), meta(n, c, h, wd, w, out[0], out[1]), cout);
  return y;
}

/** The input gradient of a convolution: the weights' transpose times the output gradient, folded. */
function inputGrad(gy: Tensor, weight: Tensor, w: Window, size: [number, number], out: [number, number]): Tensor {
  const [n, cout] = gy.shape;
  const cols = weight.reshape([cout, -1]).transpose(0, 1).matmul(gy.reshape([n, cout, out[0] * out[1]]));
  return foldRaw(cols, w, size, out);
}

/**
 * The weight gradient Σ over images of gy · unfold(x)ᵀ, by its kernel for float32. It is
 * bilinear in (x, gy): its own backward is a convolution (for gy) and an input gradient (for x).
 */
function weightGrad(x: Tensor, gy: Tensor, w: Window, out: [number, number], shape: readonly number[]): Tensor {
  const [n, c, h, wd] = x.shape;
  const cout = shape[0];
  const [src, g] = [raw.contiguous(x), raw.contiguous(gy)];
  raw.use("conv2d_weight", src, g);
  const gw = Tensor.empty(shape, x.dtype);
  runParallel("conv2d_weight_f32", g.numel() * gw.numel() / cout, raw.bytePtr(src), raw.bytePtr(g), raw.bytePtr(gw), meta(n, c, h, wd, w, out[0], out[1]), cout);
  return record("ConvolutionBackwardBackward0", [x, gy], gw, [x, gy], (gg, [xs, gys]) => [
    x.requiresGrad ? inputGrad(gys, gg, w, [h, wd], out) : null,
    gy.requiresGrad ? convolve(xs, gg, null, w, out) : null,
  ]);
}

/** The recorded float32 convolution (ConvolutionBackward0, as PyTorch's, bias included). */
function convolve(x: Tensor, weight: Tensor, bias: Tensor | null, w: Window, out: [number, number]): Tensor {
  return fused("ConvolutionBackward0", [x, weight, bias], [x, weight], () => {
    const y = convRaw(x, weight, w, out);
    return bias === null ? y : y.add(bias.reshape([1, -1, 1, 1]));
  }, (g, [xs, ws]) => [
    x.requiresGrad ? inputGrad(g, ws, w, [xs.shape[2], xs.shape[3]], out) : null,
    weight.requiresGrad ? weightGrad(xs, g, w, out, ws.shape) : null,
    bias?.requiresGrad ? g.sum([0, 2, 3]) : null,
  ]);
}

/**
 * Padding as (top, bottom, left, right). "same" splits d·(k-1) as PyTorch does: half on each
 * side, the odd one on the bottom/right.
 */
function paddingOf(p: Pair | "valid" | "same", k: [number, number], d: [number, number], stride: Pair): [number, number, number, number] {
  if (p === "valid") return [0, 0, 0, 0];
  if (p !== "same") {
    const [ph, pw] = pair(p);
    return [ph, ph, pw, pw];
  }
  if (pair(stride).some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
  const [th, tw] = [d[0] * (k[0] - 1), d[1] * (k[1] - 1)];
  return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
}

/** A 1-D op as its 2-D form over a height of 1: (N, C, L) or (C, L) input, else PyTorch's error for the op. */
export function as1d(x: Tensor, wrongDims: () => string, f: (x4: Tensor) => Tensor): Tensor {
  if (x.dim() !== 2 && x.dim() !== 3) throw new Error(wrongDims());
  return f(x.unsqueeze(-2)).squeeze(-2);
}

const first = (v: number | readonly number[] | undefined): number | undefined => (v === undefined ? undefined : typeof v === "number" ? v : v[0]);

type Conv1dOptions = { stride?: number | readonly [number]; padding?: number | "valid" | "same"; dilation?: number | readonly [number]; groups?: number };

/** torch.nn.functional.conv1d. */
export function conv1d(
  x: Tensor,
  weight: Tensor,
  biasOrOptions: Tensor | null | Conv1dOptions = null,
  ...args: Rest<[stride: number, padding: number | "valid" | "same", dilation: number, groups: number], Conv1dOptions>
): Tensor {
  const { bias, opts } = convArgs<Conv1dOptions>("conv1d", biasOrOptions, args);
  if (weight.dim() !== 3) throw new Error(`conv1d: expected a 3D weight [out_channels, in_channels/groups, kW], but got ${fmtShape(weight.shape)}`);
  const padding = typeof opts.padding === "string" ? opts.padding : ([0, opts.padding ?? 0] as const);
  return as1d(x, () => `Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: ${fmtShape(x.shape)}`, (x4) =>
    conv2d(x4, weight.unsqueeze(2), bias, { stride: [1, first(opts.stride) ?? 1], dilation: [1, first(opts.dilation) ?? 1], padding, groups: opts.groups }),
  );
}
