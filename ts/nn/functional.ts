// torch.nn.functional: the functional forms the layers call.
import { Tensor } from "../tensor/tensor.js";
import { leakyRelu as leakyReluOp } from "../ops/unary.js";
import { Generator } from "../tensor/random.js";
import { where } from "../ops/binary.js";
import { pad as padOp } from "../ops/movement.js";
import { addmm } from "../ops/matmul.js";
import { withGradMode } from "../autograd/mode.js";
import { internal } from "../tensor/lifetime.js";

export * from "./losses.js";
export { conv1d, conv2d, unfold, fold } from "../ops/conv.js";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool2d } from "../ops/pool.js";
export { interpolate } from "../ops/interpolate.js";
export { gridSample } from "../ops/grid-sample.js";
export type { GridSampleOptions } from "../ops/grid-sample.js";
export type { InterpolateOptions } from "../ops/interpolate.js";

/** torch.nn.functional.pad: (left, right) pairs from the last dim on; negative amounts crop. */
export function pad(x: Tensor, pads: readonly number[], opts: { mode?: "constant"; value?: number } = {}): Tensor {
  if ((opts.mode ?? "constant") !== "constant") throw new Error(`pad: mode '${opts.mode}' is not supported by taimatsu (only 'constant')`);
  return padOp(x, pads, opts.value ?? 0);
}
export type { Conv2dOptions, UnfoldOptions } from "../ops/conv.js";
export type { Pool2dOptions, AvgPool2dOptions } from "../ops/pool.js";

export const relu = (x: Tensor): Tensor => x.relu();
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => leakyReluOp(x, negativeSlope);
/** GELU, exact (erf) or with PyTorch's tanh approximation. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate === "none") return x.gelu();
  return internal(() => x.mul(0.5).mul(x.pow(3).mul(0.044715).add(x).mul(Math.sqrt(2 / Math.PI)).tanh().add(1)));
}
export const silu = (x: Tensor): Tensor => x.silu();
export const softplus = (x: Tensor): Tensor => x.softplus();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);

/** ELU: x for x > 0, alpha·(eˣ − 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return internal(() => where(x.gt(0), x, x.exp().sub(1).mul(alpha)));
}

/** y = x·Wᵀ + b, with W of shape (out, in) as PyTorch stores it; Wᵀ is a view, not a copy. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return internal(() => {
    if (x.shape[x.dim() - 1] !== weight.shape[1]) {
      const rows = x.numel() / x.shape[x.dim() - 1];
      throw new Error(`mat1 and mat2 shapes cannot be multiplied (${rows}x${x.shape[x.dim() - 1]} and ${weight.shape[1]}x${weight.shape[0]})`);
    }
    // PyTorch's graph: addmm(bias, x, Wᵀ) for a batch of vectors, matmul (+ add) otherwise
    if (x.dim() === 2 && bias && bias.dim() <= 1) return addmm(bias, x, weight.t());
    const y = x.matmul(weight.t());
    return bias ? y.add(bias) : y;
  });
}

/** Inverted dropout: zeroes with probability p while training and scales the rest by 1/(1-p). */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  return internal(() => {
    if (p < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    if (!training || p === 0) return x;
    if (p === 1) return x.mul(0);
    // PyTorch's order of draws and roundings: a bernoulli(1 - p) mask scaled by 1/(1 - p), then the product
    const noise = Tensor.empty(x.shape, x.dtype).bernoulli_(1 - p, generator).div(1 - p);
    return x.mul(noise);
  });
}

/**
 * torch.nn.functional.batch_norm over dim 1 (the channels) of (N, C, ...) input. Training
 * normalises by the batch's mean and biased variance and, when running statistics are given,
 * moves them toward the batch's (the variance unbiased) by `momentum`; otherwise the running
 * statistics normalise.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null,
  training = false, momentum = 0.1, eps = 1e-5): Tensor {
  return internal(() => {
    const c = x.shape[1];
    const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
    const perChannel = x.shape.map((s, d) => (d === 1 ? s : 1));
    let y: Tensor;
    if (training) {
      const n = x.numel() / c;
      if (n <= 1) throw new Error(`Expected more than 1 value per channel when training, got input size torch.Size([${x.shape.join(", ")}])`);
      const mean = x.mean(dims, true);
      const variance = x.var(dims, { correction: 0, keepdim: true });
      if (runningMean !== null && runningVar !== null) {
        withGradMode(false, () => {
          runningMean.mul_(1 - momentum).add_(mean.reshape([c]).mul(momentum));
          runningVar.mul_(1 - momentum).add_(variance.reshape([c]).mul((momentum * n) / (n - 1)));
        });
      }
      y = x.sub(mean).div(variance.add(eps).sqrt());
    } else {
      if (runningMean === null || runningVar === null) throw new Error("batch_norm: running_mean and running_var must be defined in evaluation mode");
      y = x.sub(runningMean.reshape(perChannel)).div(runningVar.reshape(perChannel).add(eps).sqrt());
    }
    if (weight !== null) y = y.mul(weight.reshape(perChannel));
    if (bias !== null) y = y.add(bias.reshape(perChannel));
    return y;
  });
}

export function layerNorm(x: Tensor, normalizedShape: number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return internal(() => {
    const tail = x.shape.slice(x.dim() - normalizedShape.length);
    if (tail.join() !== normalizedShape.join()) {
      throw new Error(
        `Given normalized_shape=[${normalizedShape.join(", ")}], expected input with shape [*, ${normalizedShape.join(", ")}], but got input of size[${x.shape.join(", ")}]`,
      );
    }
    const dims = normalizedShape.map((_, i) => x.dim() - normalizedShape.length + i);
    const mean = x.mean(dims, true);
    const centered = x.sub(mean);
    const y = centered.mul(centered.square().mean(dims, true).add(eps).rsqrt());
    const scaled = weight ? y.mul(weight) : y;
    return bias ? scaled.add(bias) : scaled;
  });
}

/** Rows of `weight` at `input`'s indices; the paddingIdx row gets no gradient. */
export function embedding(input: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  return internal(() => {
    if (input.dtype !== "int64" && input.dtype !== "int32") {
      throw new TypeError(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead`);
    }
    const rows = weight.indexSelect(0, input.reshape(-1));
    const out = rows.reshape([...input.shape, weight.shape[1]]);
    if (paddingIdx === null || !weight.requiresGrad) return out;
    const pad = input.eq(paddingIdx).unsqueeze(-1).to(out.dtype);
    // same values, but padding positions take them from a detached copy: no gradient flows
    return out.mul(pad.neg().add(1)).add(out.detach().mul(pad));
  });
}
