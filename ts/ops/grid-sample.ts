// torch.nn.functional.grid_sample for images (N, C, H, W) sampled at grid (N, Ho, Wo, 2) of
// (x, y) in [-1, 1]: "bilinear" or "nearest", padding "zeros" or "border". Written with
// PyTorch's CPU kernel's float arithmetic — the source index (g + 1)·(size/2) − 0.5, the
// weights (1 − dx)(1 − dy)…, the sum nw + ne + sw + se in that order, round-half-even for
// nearest — out of differentiable ops (gather, floor, where), so gradients for the input and
// the grid, of every order, follow from theirs. Without gradients to record (augmentation),
// the same arithmetic runs as one loop over the pixels (sampleDirect), which the tests hold
// to the composed ops bit for bit.
import { fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { internal } from "../tensor/lifetime.js";
import { tensor } from "../tensor/create.js";
import { isGradEnabled } from "../autograd/mode.js";
import { roundHalfEven } from "./unary.js";

export interface GridSampleOptions {
  mode?: "bilinear" | "nearest";
  paddingMode?: "zeros" | "border";
  alignCorners?: boolean;
}

export function gridSample(input: Tensor, grid: Tensor, opts: GridSampleOptions = {}): Tensor {
  const { mode = "bilinear", paddingMode = "zeros", alignCorners = false } = opts;
  if (input.dim() !== 4) throw new Error(`grid_sample: taimatsu supports 4-D input (N, C, H, W), got ${fmtShape(input.shape)}`);
  if (grid.dim() !== 4 || grid.shape[3] !== 2) throw new Error(`grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes ${fmtShape(grid.shape)}`);
  if (grid.shape[0] !== input.shape[0]) {
    throw new Error(`grid_sampler(): expected grid and input to have same batch size, but got input with sizes ${fmtShape(input.shape)} and grid with sizes ${fmtShape(grid.shape)}`);
  }
  if (mode !== "bilinear" && mode !== "nearest") throw new Error(`nn.functional.grid_sample(): expected mode to be 'bilinear' or 'nearest' (taimatsu has no 'bicubic'), but got: '${String(mode)}'`);
  if (paddingMode !== "zeros" && paddingMode !== "border") throw new Error(`nn.functional.grid_sample(): expected padding_mode to be 'zeros' or 'border' (taimatsu has no 'reflection'), but got: '${String(paddingMode)}'`);
  if (!(isGradEnabled() && (input.requiresGrad || grid.requiresGrad)) && (input.dtype === "float32" || input.dtype === "float64") && grid.dtype === input.dtype) {
    return sampleDirect(input, grid, mode, paddingMode, alignCorners);
  }
  return sampleComposed(input, grid, mode, paddingMode, alignCorners);
}

/** The differentiable definition: taps gathered at the rounded or floored positions, weighted and summed. */
export function sampleComposed(input: Tensor, grid: Tensor, mode: "bilinear" | "nearest", paddingMode: "zeros" | "border", alignCorners: boolean): Tensor {
  const [n, c, h, w] = input.shape;
  const [, ho, wo] = grid.shape;
  return internal(() => {
    const source = (coord: Tensor, size: number): Tensor => {
      const i = alignCorners ? coord.add(1).mul((size - 1) / 2) : coord.add(1).mul(size / 2).sub(0.5);
      return paddingMode === "border" ? i.clamp(0, size - 1) : i;
    };
    const ix = source(grid.select(3, 0), w);
    const iy = source(grid.select(3, 1), h);
    const flat = input.reshape([n, c, h * w]);
    /** The input at integer positions (x, y) of shape (N, Ho, Wo), zero outside the image: (N, C, Ho, Wo). */
    const tap = (x: Tensor, y: Tensor): Tensor => {
      const inside = x.ge(0).logicalAnd(x.le(w - 1)).logicalAnd(y.ge(0)).logicalAnd(y.le(h - 1));
      const at = y.clamp(0, h - 1).mul(w).add(x.clamp(0, w - 1)).long().reshape([n, 1, ho * wo]).expand([n, c, ho * wo]);
      const v = flat.gather(2, at).reshape([n, c, ho, wo]);
      return v.where(inside.unsqueeze(1), 0);
    };
    if (mode === "nearest") {
      const [rx, ry] = [ix.round(), iy.round()];
      // exactly 1, through round's zero gradient: the grid's gradient is zeros, as PyTorch's, not absent
      const one = rx.sub(rx).add(ry.sub(ry)).add(1).unsqueeze(1);
      return tap(rx, ry).mul(one);
    }
    const x0 = ix.floor();
    const y0 = iy.floor();
    const dx = ix.sub(x0);
    const dy = iy.sub(y0);
    const [ex, sy] = [dx.neg().add(1), dy.neg().add(1)];
    const weight = (a: Tensor, b: Tensor) => a.mul(b).unsqueeze(1);
    const [x1, y1] = [x0.add(1), y0.add(1)];
    return tap(x0, y0).mul(weight(sy, ex))
      .add(tap(x1, y0).mul(weight(sy, dx)))
      .add(tap(x0, y1).mul(weight(dy, ex)))
      .add(tap(x1, y1).mul(weight(dy, dx)));
  });
}

/** sampleComposed's arithmetic, operation by operation in the input's precision, as one loop. */
function sampleDirect(input: Tensor, grid: Tensor, mode: "bilinear" | "nearest", paddingMode: "zeros" | "border", alignCorners: boolean): Tensor {
  const [n, c, h, w] = input.shape;
  const [, ho, wo] = grid.shape;
  const r = input.dtype === "float32" ? Math.fround : (v: number) => v;
  const x = input.contiguous().toTypedArray() as Float32Array | Float64Array;
  const g = grid.contiguous().toTypedArray() as Float32Array | Float64Array;
  const out = new (input.dtype === "float32" ? Float32Array : Float64Array)(n * c * ho * wo);
  const source = (coord: number, size: number): number => {
    const i = alignCorners ? r(r(coord + 1) * r((size - 1) / 2)) : r(r(r(coord + 1) * r(size / 2)) - 0.5);
    return paddingMode === "border" ? Math.min(Math.max(i, 0), size - 1) : i;
  };
  const at = (b: number, ch: number, xi: number, yi: number): number => (xi >= 0 && xi <= w - 1 && yi >= 0 && yi <= h - 1 ? x[((b * c + ch) * h + yi) * w + xi] : 0);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < ho * wo; p++) {
      const ix = source(g[2 * (b * ho * wo + p)], w);
      const iy = source(g[2 * (b * ho * wo + p) + 1], h);
      if (mode === "nearest") {
        const [rx, ry] = [roundHalfEven(ix), roundHalfEven(iy)];
        for (let ch = 0; ch < c; ch++) out[(b * c + ch) * ho * wo + p] = at(b, ch, rx, ry);
        continue;
      }
      const [x0, y0] = [Math.floor(ix), Math.floor(iy)];
      const [dx, dy] = [r(ix - x0), r(iy - y0)];
      const [ex, sy] = [r(1 - dx), r(1 - dy)];
      const [nw, ne, sw, se] = [r(sy * ex), r(sy * dx), r(dy * ex), r(dy * dx)];
      for (let ch = 0; ch < c; ch++) {
        const sum = r(r(r(r(at(b, ch, x0, y0) * nw) + r(at(b, ch, x0 + 1, y0) * ne)) + r(at(b, ch, x0, y0 + 1) * sw)) + r(at(b, ch, x0 + 1, y0 + 1) * se));
        out[(b * c + ch) * ho * wo + p] = sum;
      }
    }
  }
  return tensor(out, { dtype: input.dtype }).reshape([n, c, ho, wo]);
}
