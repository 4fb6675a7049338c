// torch.nn.functional.grid_sample for images (N, C, H, W) sampled at grid (N, Ho, Wo, 2) of
// (x, y) in [-1, 1]: "bilinear" or "nearest", padding "zeros" or "border". Written with
// PyTorch's CPU kernel's float arithmetic — the source index (g + 1)·(size/2) − 0.5, the
// weights (1 − dx)(1 − dy)…, the sum nw + ne + sw + se in that order, round-half-even for
// nearest — out of differentiable ops (gather, floor, where), so gradients for the input and
// the grid, of every order, follow from theirs.
import { fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { internal } from "../tensor/lifetime.js";

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
