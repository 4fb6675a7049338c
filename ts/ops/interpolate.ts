// torch.nn.functional.interpolate for images (N, C, H, W) or (N, C, L): "nearest" and
// "bilinear"/"linear" with PyTorch's source-index rules. Each spatial axis is resampled by a
// small interpolation matrix (one row per output position, its weights on the input positions
// PyTorch's kernel reads), so the result is matrix products and gradients of every order
// follow from matmul's.
import { fmtShape } from "../tensor/shape.js";
import { tensor } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";
import { internal } from "../tensor/lifetime.js";

export interface InterpolateOptions {
  size?: number | readonly number[];
  scaleFactor?: number | readonly number[];
  mode?: "nearest" | "linear" | "bilinear";
  alignCorners?: boolean | null;
}

/** The [out, in] matrix resampling one axis. */
function axisMatrix(inSize: number, outSize: number, mode: "nearest" | "linear", alignCorners: boolean, scale: number | null): number[] {
  const m = new Array<number>(outSize * inSize).fill(0);
  for (let o = 0; o < outSize; o++) {
    if (mode === "nearest") {
      // PyTorch's legacy nearest: floor(o · in/out), or 1/scale_factor when one is given
      const s = scale !== null ? 1 / scale : inSize / outSize;
      m[o * inSize + Math.min(Math.floor(o * s), inSize - 1)] = 1;
      continue;
    }
    let src: number;
    if (alignCorners) src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
    else src = Math.max(0, (scale !== null ? 1 / scale : inSize / outSize) * (o + 0.5) - 0.5);
    const i0 = Math.floor(src);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const l1 = src - i0;
    m[o * inSize + i0] += 1 - l1;
    m[o * inSize + i1] += l1;
  }
  return m;
}

export function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  const { mode = "nearest" } = opts;
  const spatial = x.dim() - 2;
  if (spatial !== 1 && spatial !== 2) throw new Error(`interpolate: taimatsu supports 3-D (N, C, L) and 4-D (N, C, H, W) input, got ${fmtShape(x.shape)}`);
  if (mode === "bilinear" && spatial !== 2) throw new Error(`Got ${x.dim()}D input, but bilinear mode needs 4D input`);
  if (mode === "linear" && spatial !== 1) throw new Error(`Got ${x.dim()}D input, but linear mode needs 3D input`);
  if (mode !== "nearest" && mode !== "linear" && mode !== "bilinear") throw new Error(`interpolate: mode '${String(mode)}' is not supported by taimatsu (nearest, linear, bilinear are)`);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) throw new Error("only one of size or scale_factor should be defined");
  if (mode === "nearest" && opts.alignCorners != null) throw new Error("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
  const perAxis = (v: number | readonly number[] | undefined): (number | undefined)[] => (v === undefined ? [] : typeof v === "number" ? new Array(spatial).fill(v) : [...v]);
  const sizes = perAxis(opts.size);
  const scales = perAxis(opts.scaleFactor);
  const inSizes = x.shape.slice(2);
  const outSizes = inSizes.map((s, k) => sizes[k] ?? Math.floor(s * scales[k]!));
  if (outSizes.length !== spatial || !outSizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new Error(`interpolate: output size ${JSON.stringify(outSizes)} for input ${fmtShape(x.shape)} must be ${spatial} positive integers`);
  }
  const kind = mode === "nearest" ? "nearest" : "linear";
  return internal(() => {
    const matrix = (k: number) => tensor(axisMatrix(inSizes[k], outSizes[k], kind, opts.alignCorners ?? false, scales[k] ?? null), { dtype: x.dtype }).reshape([outSizes[k], inSizes[k]]);
    // the last axis: x · Mᵀ; the one before (images): M · x
    let y = x.matmul(matrix(spatial - 1).t());
    if (spatial === 2) y = matrix(0).matmul(y);
    return y;
  });
}
