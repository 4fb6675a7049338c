// nn.utils: gradient clipping and the parameter count.
import { withGradMode } from "../autograd/mode.js";
import { internal } from "../tensor/lifetime.js";
import { gradOf, Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

type Params = Iterable<Tensor> | Tensor;
const list = (p: Params): Tensor[] => (p instanceof Tensor ? [p] : [...p]);

/** Scales all gradients so their joint norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm_(parameters: Params, maxNorm: number, normType = 2): Tensor {
  const grads = list(parameters).map(gradOf).filter((g): g is Tensor => g !== null);
  return withGradMode(false, () => internal(() => {
    if (grads.length === 0) return Tensor.zeros([]);
    const total = normType === Infinity
      ? grads.map((g) => g.abs().amax()).reduce((a, b) => a.maximum(b))
      : grads.map((g) => g.abs().pow(normType).sum()).reduce((a, b) => a.add(b)).pow(1 / normType);
    const coef = Math.min(maxNorm / (total.item() + 1e-6), 1);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return total;
  }));
}

export function clipGradValue_(parameters: Params, clipValue: number): void {
  withGradMode(false, () => {
    for (const p of list(parameters)) gradOf(p)?.clamp_(-clipValue, clipValue);
  });
}

/** The number of parameter elements: sum(p.numel() for p in model.parameters()). */
export function countParameters(module: Module, opts: { trainableOnly?: boolean } = {}): number {
  let n = 0;
  for (const p of module.parameters()) if (!opts.trainableOnly || p.requiresGrad) n += p.numel();
  return n;
}
