// Loss functions (the functional forms), with PyTorch's argument names camelCased and its
// reductions. Each is written with differentiable ops; log-softmax is the fused kernel.
import { sumTo, where } from "../ops/binary.js";
import { isFloating } from "../tensor/dtype.js";
import { broadcastShapes, fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as raw from "../ops/raw.js";
import { fused, record } from "../autograd/node.js";
import { kernel } from "../backend/wasm.js";
import { internal } from "../tensor/lifetime.js";

export type Reduction = "mean" | "sum" | "none";

function reduce(loss: Tensor, reduction: Reduction | "batchmean"): Tensor {
  if (reduction === "none") return loss;
  if (reduction === "sum") return loss.sum();
  if (reduction === "batchmean") return loss.sum().div(loss.dim() > 0 ? loss.shape[0] : 1);
  if (reduction === "mean") return loss.mean();
  throw new Error(`${reduction} is not a valid value for reduction`);
}

export interface NllOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

/** Moves the class dim (1) last and flattens: (N, C, d1, …) → (N·d1·…, C). */
function classesLast(input: Tensor): Tensor {
  if (input.dim() <= 2) return input;
  const order = [0, ...Array.from({ length: input.dim() - 2 }, (_, i) => i + 2), 1];
  return input.permute(order).reshape(-1, input.shape[1]);
}

function checkTargetTypes(op: string, input: Tensor, target: Tensor): void {
  if (target.dtype !== "int64" && target.dtype !== "int32") {
    throw new TypeError(`${op}: expected scalar type Long for class targets but found ${target.dtype === "float32" ? "Float" : target.dtype}`);
  }
  const batchShape = input.dim() === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (target.shape.join() !== batchShape.join()) {
    throw new Error(`${op}: expected target of shape ${fmtShape(batchShape)} for input of shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
  }
}

const outOfBounds = (t: number): RangeError => new RangeError(`Target ${t} is out of bounds.`);

/** A class weight must have one entry per class (a shorter one read past its buffer before). */
function checkClassWeight(weight: Tensor | null, classes: number): void {
  if (weight !== null && (weight.dim() !== 1 || weight.shape[0] !== classes)) {
    throw new Error(`weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`);
  }
}

/** PyTorch's warning when a regression loss's target shape differs from the input's (they broadcast, seldom as meant). */
export function warnSizeMismatch(input: Tensor, target: Tensor): void {
  if (input.shape.join() !== target.shape.join()) {
    console.warn(
      `UserWarning: Using a target size (${fmtShape(target.shape)}) that is different to the input size (${fmtShape(input.shape)}). ` +
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
    );
  }
}

/** torch.nn.functional.nll_loss on log-probabilities (N, C) or (N, C, d1, …). */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  return internal(() => {
    const { weight = null, ignoreIndex = -100, reduction = "mean" } = opts;
    checkTargetTypes("nll_loss", input, target);
    const logp = classesLast(input.dim() === 1 ? input.unsqueeze(0) : input);
    checkClassWeight(weight, logp.shape[1]);
    const t = target.reshape(-1).long();
    if (raw.wasmF32(logp.dtype) && (weight === null || weight.dtype === "float32")) {
      return fusedNll(logp, t, weight, ignoreIndex, reduction, target.shape);
    }
    const classes = logp.shape[1];
    for (const v of raw.values(t)) if (v !== ignoreIndex && (v < 0 || v >= classes)) throw outOfBounds(v);
    const ignored = t.eq(ignoreIndex);
    const safe = where(ignored, 0, t);
    const picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
    const w = (weight ? weight.indexSelect(0, safe) : picked.detach().mul(0).add(1)).maskedFill(ignored, 0);
    const loss = picked.mul(w).neg();
    if (reduction === "none") return loss.reshape([...target.shape]);
    if (reduction === "sum") return loss.sum();
    return loss.sum().div(w.sum());
  });
}

/**
 * NLL by the Rust kernel: per-sample losses and weights in one pass, and as gradient a
 * constant (N, C) mask times the incoming gradient, so it stays differentiable.
 */
function fusedNll(logp: Tensor, t: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: Reduction, targetShape: readonly number[]): Tensor {
  const [n, c] = logp.shape;
  const lp = raw.contiguous(logp);
  const w = weight ? raw.contiguous(weight) : null;
  raw.use("nll_loss", lp, t);
  const losses = Tensor.empty([n]);
  const wsum = Tensor.empty([n]);
  const bad = kernel("nll_f32")(raw.bytePtr(lp), raw.bytePtr(t), w ? raw.bytePtr(w) : 0, n, c, ignoreIndex, raw.bytePtr(losses), raw.bytePtr(wsum));
  if (bad >= 0) throw outOfBounds(t.select(0, bad).item());
  const total = reduction === "none" ? null : raw.reduce(losses, [0], false, "sum", "float32");
  const denom = reduction === "mean" ? raw.reduce(wsum, [0], false, "sum", "float32").item() : 1;
  const out = reduction === "none" ? losses.reshape([...targetShape]) : reduction === "sum" ? total! : raw.binary(total!, raw.fromValues([denom], [], "float32"), [], "div", (a, b) => a / b, "float32");
  return record("NllLossBackward0", [logp], out, w ? [t, w] : [t], (g, [ts, ws]) => {
    const mask = Tensor.empty([n, c]);
    const one = raw.fromValues([1], [], "float32");
    kernel("nll_grad_f32")(raw.bytePtr(ts), ws ? raw.bytePtr(ws) : 0, raw.bytePtr(one), 0, n, c, ignoreIndex, raw.bytePtr(mask));
    const scale = reduction === "none" ? g.reshape(n, 1) : reduction === "mean" ? g.div(denom) : g;
    return [mask.mul(scale)];
  });
}

export interface CrossEntropyOptions extends NllOptions {
  labelSmoothing?: number;
}

/**
 * torch.nn.functional.cross_entropy: logits (N, C) or (N, C, d1, …) with integer class
 * targets, or with class probabilities of the input's shape.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  return internal(() => {
    const { weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = opts;
    if (labelSmoothing < 0 || labelSmoothing > 1) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${labelSmoothing}`);
    const classDim = input.dim() === 1 ? 0 : 1;
    const classes = input.shape[classDim];
    const logp = input.logSoftmax(classDim);
    const wShape = input.shape.map((_, d) => (d === classDim ? classes : 1));
    checkClassWeight(weight, classes);
    if (isFloating(target.dtype)) {
      if (target.shape.join() !== input.shape.join()) {
        const classIndices = target.dim() === input.dim() - 1;
        throw new Error(
          `cross_entropy: probability targets must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}` +
            (classIndices ? ` (expected scalar type Long but found ${target.dtype}: class indices must be an int64 tensor; use target.long())` : ""),
        );
      }
      const smoothed = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
      const weighted = weight ? logp.mul(weight.reshape(wShape)) : logp;
      const loss = weighted.mul(smoothed).sum(classDim).neg();
      if (reduction === "mean") return loss.sum().div(input.numel() / classes);
      return reduce(loss, reduction);
    }
    const nll = nllLoss(logp, target, { weight, ignoreIndex, reduction });
    if (labelSmoothing === 0) return nll;
    const ignored = target.eq(ignoreIndex);
    const smooth = (weight ? logp.mul(weight.reshape(wShape)) : logp).sum(classDim).neg().maskedFill(ignored, 0);
    let ret: Tensor;
    if (reduction === "mean") {
      const denom = weight ? weight.indexSelect(0, where(ignored, 0, target).reshape(-1)).maskedFill(ignored.reshape(-1), 0).sum() : ignored.logicalNot().sum();
      ret = smooth.sum().div(denom);
    } else {
      ret = reduce(smooth, reduction);
    }
    return nll.mul(1 - labelSmoothing).add(ret.mul(labelSmoothing / classes));
  });
}

/** F.mse_loss as one MseLossBackward0 node, as PyTorch records it. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const reduction = opts.reduction ?? "mean";
  warnSizeMismatch(input, target);
  return fused("MseLossBackward0", [input, target], [input, target], () => reduce(input.sub(target).square(), reduction), (g, [x, y]) => {
    const n = broadcastShapes(x.shape, y.shape).reduce((a, b) => a * b, 1);
    const d = x.sub(y).mul(reduction === "mean" ? 2 / n : 2).mul(g);
    return [input.requiresGrad ? sumTo(d, x.shape) : null, target.requiresGrad ? sumTo(d.neg(), y.shape) : null];
  });
}

export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  warnSizeMismatch(input, target);
  return internal(() => reduce(input.sub(target).abs(), opts.reduction ?? "mean"));
}

export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  warnSizeMismatch(input, target);
  return internal(() => {
    const beta = opts.beta ?? 1;
    const d = input.sub(target).abs();
    const loss = beta === 0 ? d : where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta));
    return reduce(loss, opts.reduction ?? "mean");
  });
}

export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  warnSizeMismatch(input, target);
  return internal(() => {
    const delta = opts.delta ?? 1;
    const d = input.sub(target).abs();
    return reduce(where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), opts.reduction ?? "mean");
  });
}

/** Binary cross-entropy on probabilities; log terms are clamped at -100 as PyTorch does. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  return internal(() => {
    if (input.shape.join() !== target.shape.join()) {
      throw new Error(`Using a target size (${fmtShape(target.shape)}) that is different to the input size (${fmtShape(input.shape)}) is deprecated. Please ensure they have the same size.`);
    }
    for (const [what, t] of [["input", input], ["target", target]] as const) {
      const v = raw.values(t);
      for (let k = 0; k < v.length; k++) if (!(v[k] >= 0 && v[k] <= 1)) throw new RangeError(`binary_cross_entropy: all elements of ${what} should be between 0 and 1 (got ${v[k]})`);
    }
    const logX = input.log().clamp(-100, null);
    const log1mX = input.neg().add(1).log().clamp(-100, null);
    let loss = target.mul(logX).add(target.neg().add(1).mul(log1mX)).neg();
    if (opts.weight) loss = loss.mul(opts.weight);
    return reduce(loss, opts.reduction ?? "mean");
  });
}

/** BCE on logits, stable for any magnitude: (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x). */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  return internal(() => {
    if (input.shape.join() !== target.shape.join()) {
      throw new Error(`Target size (${fmtShape(target.shape)}) must be the same as input size (${fmtShape(input.shape)})`);
    }
    const sp = input.neg().softplus();
    const logWeight = opts.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
    let loss = target.neg().add(1).mul(input).add(logWeight ? logWeight.mul(sp) : sp);
    if (opts.weight) loss = loss.mul(opts.weight);
    return reduce(loss, opts.reduction ?? "mean");
  });
}

/** KL divergence with `input` as log-probabilities; target as probabilities (or logs with logTarget). */
export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}): Tensor {
  return internal(() => {
    const loss = opts.logTarget
      ? target.exp().mul(target.sub(input))
      : where(target.gt(0), target.mul(target.log().sub(input)), 0);
    return reduce(loss, opts.reduction ?? "mean");
  });
}
