// Max and average pooling over NCHW batches (unbatched CHW too), computed straight over the
// input planes by kernels. Max pooling keeps each output's argmax as a flat index into its
// input plane; its backward scatters through those indices (and that scatter's backward
// gathers), so gradients of every order come from ops with their own gradients. Average
// pooling's backward is its adjoint kernel, whose backward is average pooling again.
import { record } from "../autograd/node.js";
import { runParallel } from "../backend/threads.js";
import { internal } from "../tensor/lifetime.js";
import { fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { scatterAdd } from "./indexing.js";
import { stack } from "./movement.js";
import * as raw from "./raw.js";
import { bindArgs, Rest } from "../signature.js";
import { as1d, batched, checkFloating, meta, outLength, pair, Pair, unfoldRaw, Window, windowOf } from "./conv.js";

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

/** The window of a pooling op, with PyTorch's checks. */
function poolWindow(op: string, x: Tensor, kernelSize: Pair, o: Pool2dOptions): { w: Window; out: [number, number] } {
  if ((x.dim() !== 3 && x.dim() !== 4) || x.numel() === 0) throw new Error("non-empty 3D or 4D (batch mode) tensor expected for input");
  checkFloating(op, x);
  const w = windowOf(op, kernelSize, { stride: o.stride ?? kernelSize, padding: o.padding, dilation: o.dilation });
  for (const a of [0, 1] as const) {
    if (w.p[a] * 2 > w.k[a]) throw new Error(`pad should be at most half of kernel size, but got pad=${w.p[a]} and kernel_size=${w.k[a]}`);
  }
  const [h, wd] = x.shape.slice(-2);
  const out: [number, number] = [outLength(h, w, 0, o.ceilMode), outLength(wd, w, 1, o.ceilMode)];
  if (out[0] < 1 || out[1] < 1) {
    const c = x.shape[x.dim() - 3];
    throw new Error(`Given input size: (${c}x${h}x${wd}). Calculated output size: (${c}x${Math.max(out[0], 0)}x${Math.max(out[1], 0)}). Output size is too small`);
  }
  return { w, out };
}

const geometry = (x4: Tensor, w: Window, out: [number, number]): number => meta(x4.shape[0], x4.shape[1], x4.shape[2], x4.shape[3], w, out[0], out[1]);

const MAX_POOL = ["stride", "padding", "dilation", "ceilMode", "returnIndices"];
const AVG_POOL = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"];

/** Pooling options from F's positional order or an options object; what taimatsu lacks is refused, not ignored. */
function poolArgs<O>(fn: string, positional: string[], args: readonly unknown[]): O {
  const o = bindArgs<O & { returnIndices?: boolean; ceilMode?: boolean; stride?: unknown }>({ fn, positional }, args);
  if (o.returnIndices) throw new Error(`${fn}: returnIndices is not supported by taimatsu`);
  if (o.ceilMode && fn.startsWith("avg")) throw new Error(`${fn}: ceilMode is not supported by taimatsu`);
  if (o.stride === null) delete o.stride;
  return o;
}

type MaxPoolRest<K> = Rest<[stride: K | null, padding: K, dilation: K, ceilMode: boolean, returnIndices: boolean], { stride?: K | null; padding?: K; dilation?: K; ceilMode?: boolean; returnIndices?: boolean }>;
type AvgPoolRest<K, O> = Rest<[stride: K | null, padding: K, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null], O>;

/**
 * Each window's maximum and its flat index in the input plane: the first maximum, NaN winning,
 * padding never chosen (the kernel, and its definition in JS for float64).
 */
function maxPoolRaw(x4: Tensor, w: Window, out: [number, number]): [Tensor, Tensor] {
  const [n, c, h, wd] = x4.shape;
  const shape = [n, c, out[0], out[1]];
  const src = raw.contiguous(x4);
  raw.use("max_pool2d", src);
  if (raw.wasmF32(x4.dtype)) {
    const y = Tensor.empty(shape, x4.dtype);
    const idx = Tensor.empty(shape, "int64");
    runParallel("max_pool2d_f32", y.numel() * w.k[0] * w.k[1], raw.bytePtr(src), raw.bytePtr(y), raw.bytePtr(idx), geometry(x4, w, out));
    return [y, idx];
  }
  const v = raw.values(src);
  const yV = new Float64Array(n * c * out[0] * out[1]);
  const idxV = new Float64Array(yV.length);
  for (let p = 0, o = 0; p < n * c; p++) {
    for (let oy = 0; oy < out[0]; oy++) {
      for (let ox = 0; ox < out[1]; ox++, o++) {
        let [best, at] = [-Infinity, -1];
        for (let ky = 0; ky < w.k[0]; ky++) {
          const iy = oy * w.s[0] - w.p[0] + ky * w.d[0];
          for (let kx = 0; kx < w.k[1] && iy >= 0 && iy < h; kx++) {
            const ix = ox * w.s[1] - w.p[1] + kx * w.d[1];
            const value = v[p * h * wd + iy * wd + ix];
            if (ix >= 0 && ix < wd && (at < 0 || value > best || Number.isNaN(value))) [best, at] = [value, iy * wd + ix];
          }
        }
        [yV[o], idxV[o]] = [best, at];
      }
    }
  }
  return [raw.fromValues(yV, shape, x4.dtype), raw.fromValues(idxV, shape, "int64")];
}

/** torch.nn.functional.max_pool2d: padding reads -inf; the gradient goes to each window's first maximum. */
export function maxPool2d(x: Tensor, kernelSize: Pair, ...args: MaxPoolRest<Pair>): Tensor {
  const opts = poolArgs<Pool2dOptions>("max_pool2d", MAX_POOL, args);
  const { w, out } = poolWindow("max_pool2d", x, kernelSize, opts);
  return internal(() =>
    batched(x, (x4) => {
      const [y, indices] = maxPoolRaw(x4, w, out);
      const [n, c] = x4.shape;
      const planes = (t: Tensor) => t.reshape([n * c, -1]);
      return record("MaxPool2DWithIndicesBackward0", [x4], y, [indices], (g, [ix]) => [scatterAdd(Tensor.zeros([n * c, x4.shape[2] * x4.shape[3]], g.dtype), 1, planes(ix), planes(g)).reshape([...x4.shape])]);
    }),
  );
}

export interface AvgPool2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Whether zero padding counts in the average (PyTorch's default: true). */
  countIncludePad?: boolean;
  divisorOverride?: number;
}

/** What an average divides by, as the kernels take it: mode 0 a fixed divisor, 1 the window with padding, 2 without. */
type Divisor = [mode: number, divisor: number];

/** Average pooling of a float32 batch, or the adjoint (`backward`: gradient of the output in, of the input out). */
function avgPoolKernel(t: Tensor, w: Window, out: [number, number], inShape: readonly number[], divisor: Divisor, backward: boolean): Tensor {
  const src = raw.contiguous(t);
  raw.use(backward ? "avg_pool2d_backward" : "avg_pool2d", src);
  const [n, c, h, wd] = inShape;
  const y = backward ? Tensor.zeros([n, c, h, wd], t.dtype) : Tensor.empty([n, c, out[0], out[1]], t.dtype);
  const g = meta(n, c, h, wd, w, out[0], out[1]);
  runParallel(backward ? "avg_pool2d_backward_f32" : "avg_pool2d_f32", n * c * out[0] * out[1] * w.k[0] * w.k[1], raw.bytePtr(src), raw.bytePtr(y), g, divisor[0], divisor[1]);
  const [name, next] = backward ? ["AvgPool2DBackwardBackward0", false] : ["AvgPool2DBackward0", true];
  return record(name, [t], y, [], (grad) => [avgPoolKernel(grad, w, out, inShape, divisor, next)]);
}

/** torch.nn.functional.avg_pool2d (ceil_mode false). */
export function avgPool2d(x: Tensor, kernelSize: Pair, ...args: AvgPoolRest<Pair, AvgPool2dOptions & { ceilMode?: boolean }>): Tensor {
  const opts = poolArgs<AvgPool2dOptions>("avg_pool2d", AVG_POOL, args);
  const { w, out } = poolWindow("avg_pool2d", x, kernelSize, { stride: opts.stride, padding: opts.padding });
  if (opts.divisorOverride === 0) throw new Error("avg_pool2d: divisor must be not zero");
  const divisor: Divisor = opts.divisorOverride !== undefined ? [0, opts.divisorOverride] : opts.countIncludePad === false ? [2, 0] : [1, 0];
  return internal(() =>
    batched(x, (x4) => {
      if (raw.wasmF32(x4.dtype)) return avgPoolKernel(x4, w, out, x4.shape, divisor, false);
      // float64: the mean over unfolded windows (padding reads 0), its gradient from unfold's
      const [n, c] = x4.shape;
      const windows = (t: Tensor) => unfoldRaw(t, w, out, 0).reshape([t.shape[0], t.shape[1], w.k[0] * w.k[1], out[0] * out[1]]);
      let by: Tensor | number = divisor[0] === 0 ? divisor[1] : w.k[0] * w.k[1];
      // in-bounds positions per window: the windows of a plane of ones
      if (divisor[0] === 2) by = windows(Tensor.zeros([1, 1, x4.shape[2], x4.shape[3]], x4.dtype).add(1)).sum(2);
      return windows(x4).sum(2).div(by).reshape([n, c, out[0], out[1]]);
    }),
  );
}

/**
 * torch.nn.functional.adaptive_avg_pool2d: output cell (i, j) averages rows
 * ⌊i·H/oh⌋..⌈(i+1)·H/oh⌉ and likewise columns; an even split is plain average pooling.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  if ((x.dim() !== 3 && x.dim() !== 4) || x.numel() === 0) throw new Error("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got " + fmtShape(x.shape));
  const [oh, ow] = pair(outputSize);
  const [h, w] = x.shape.slice(-2);
  if (h % oh === 0 && w % ow === 0) return avgPool2d(x, [h / oh, w / ow]);
  return internal(() => {
    const cells: Tensor[] = [];
    for (let i = 0; i < oh; i++) {
      const [r0, r1] = [Math.floor((i * h) / oh), Math.ceil(((i + 1) * h) / oh)];
      for (let j = 0; j < ow; j++) {
        const [c0, c1] = [Math.floor((j * w) / ow), Math.ceil(((j + 1) * w) / ow)];
        cells.push(x.narrow(-2, r0, r1 - r0).narrow(-1, c0, c1 - c0).mean([-2, -1]));
      }
    }
    return stack(cells, -1).reshape([...x.shape.slice(0, -2), oh, ow]);
  });
}

/** torch.nn.functional.max_pool1d. */
export function maxPool1d(x: Tensor, kernelSize: number, ...args: MaxPoolRest<number>): Tensor {
  const opts = poolArgs<{ stride?: number; padding?: number; dilation?: number; ceilMode?: boolean }>("max_pool1d", MAX_POOL, args);
  return as1d(x, () => `max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:${fmtShape(x.shape)}`, (x4) =>
    maxPool2d(x4, [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], dilation: [1, opts.dilation ?? 1], ceilMode: opts.ceilMode }),
  );
}

type AvgPool1dOptions = { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean };

/** torch.nn.functional.avg_pool1d. */
export function avgPool1d(x: Tensor, kernelSize: number, ...args: Rest<[stride: number | null, padding: number, ceilMode: boolean, countIncludePad: boolean], AvgPool1dOptions>): Tensor {
  const opts = poolArgs<{ stride?: number; padding?: number; countIncludePad?: boolean }>("avg_pool1d", AVG_POOL.slice(0, 4), args);
  return as1d(x, () => `Expected 2 to 3 dimensions, but got ${x.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)`, (x4) =>
    avgPool2d(x4, [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], countIncludePad: opts.countIncludePad }),
  );
}
