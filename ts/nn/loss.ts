// Loss modules: PyTorch's constructor arguments (positional or an options object, including the
// deprecated sizeAverage/reduce pair), the functional form in forward.
import { Tensor } from "../tensor/tensor.js";
import { bindArgs, Rest } from "../signature.js";
import { Module } from "./module.js";
import * as L from "./losses.js";
import type { Reduction } from "./losses.js";

interface LegacyReduction<R = Reduction> {
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
  reduction?: R;
}

/** The reduction, from the deprecated sizeAverage/reduce flags when either is given (PyTorch's legacy_get_string). */
function reductionOf<R extends string>(o: LegacyReduction<R>): R | Reduction {
  if (o.sizeAverage == null && o.reduce == null) return o.reduction ?? "mean";
  const reduction = (o.reduce ?? true) ? ((o.sizeAverage ?? true) ? "mean" : "sum") : "none";
  console.warn(`UserWarning: size_average and reduce args will be deprecated, please use reduction='${reduction}' instead.`);
  return reduction;
}

/** Binds a loss's arguments, named `name` in messages, in PyTorch's positional order. */
function lossArgs<O>(name: string, positional: string[], args: unknown[]): O & { reduction: Reduction } {
  const o = bindArgs<O & LegacyReduction>({ fn: `${name}.__init__`, positional }, args);
  return { ...o, reduction: reductionOf(o) as Reduction };
}

type Legacy = [sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction];
const LEGACY = ["sizeAverage", "reduce", "reduction"];

interface CrossEntropyLossOptions extends LegacyReduction {
  weight?: Tensor | null;
  ignoreIndex?: number;
  labelSmoothing?: number;
}

export class CrossEntropyLoss extends Module {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  readonly labelSmoothing: number;
  constructor(...args: Rest<[weight: Tensor | null, sizeAverage: boolean | null, ignoreIndex: number, reduce: boolean | null, reduction: Reduction, labelSmoothing: number], CrossEntropyLossOptions>) {
    super();
    const o = lossArgs<CrossEntropyLossOptions>("CrossEntropyLoss", ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"], args);
    this.weight = o.weight?.keep() ?? null;
    this.ignoreIndex = o.ignoreIndex ?? -100;
    this.reduction = o.reduction;
    this.labelSmoothing = o.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

interface NLLLossOptions extends LegacyReduction {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

export class NLLLoss extends Module {
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  constructor(...args: Rest<[weight: Tensor | null, sizeAverage: boolean | null, ignoreIndex: number, reduce: boolean | null, reduction: Reduction], NLLLossOptions>) {
    super();
    const o = lossArgs<NLLLossOptions>("NLLLoss", ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"], args);
    this.weight = o.weight?.keep() ?? null;
    this.ignoreIndex = o.ignoreIndex ?? -100;
    this.reduction = o.reduction;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class MSELoss extends Module {
  readonly reduction: Reduction;
  constructor(...args: Rest<Legacy, LegacyReduction>) {
    super();
    this.reduction = lossArgs<LegacyReduction>("MSELoss", LEGACY, args).reduction;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Module {
  readonly reduction: Reduction;
  constructor(...args: Rest<Legacy, LegacyReduction>) {
    super();
    this.reduction = lossArgs<LegacyReduction>("L1Loss", LEGACY, args).reduction;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Module {
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(...args: Rest<[...Legacy, beta: number], LegacyReduction & { beta?: number }>) {
    super();
    const o = lossArgs<{ beta?: number }>("SmoothL1Loss", [...LEGACY, "beta"], args);
    this.reduction = o.reduction;
    this.beta = o.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Module {
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(...args: Rest<[reduction: Reduction, delta: number], { reduction?: Reduction; delta?: number }>) {
    super();
    const o = lossArgs<{ delta?: number }>("HuberLoss", ["reduction", "delta"], args);
    this.reduction = o.reduction;
    this.delta = o.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

type WeightOptions = LegacyReduction & { weight?: Tensor | null };

export class BCELoss extends Module {
  readonly weight: Tensor | null;
  readonly reduction: Reduction;
  constructor(...args: Rest<[weight: Tensor | null, ...Legacy], WeightOptions>) {
    super();
    const o = lossArgs<WeightOptions>("BCELoss", ["weight", ...LEGACY], args);
    this.weight = o.weight?.keep() ?? null;
    this.reduction = o.reduction;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

type BCEWithLogitsOptions = WeightOptions & { posWeight?: Tensor | null };

export class BCEWithLogitsLoss extends Module {
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;
  readonly reduction: Reduction;
  constructor(...args: Rest<[weight: Tensor | null, ...Legacy, posWeight: Tensor | null], BCEWithLogitsOptions>) {
    super();
    const o = lossArgs<BCEWithLogitsOptions>("BCEWithLogitsLoss", ["weight", ...LEGACY, "posWeight"], args);
    this.weight = o.weight?.keep() ?? null;
    this.posWeight = o.posWeight?.keep() ?? null;
    this.reduction = o.reduction;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

type KLDivOptions = LegacyReduction<Reduction | "batchmean"> & { logTarget?: boolean };

export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;
  constructor(...args: Rest<[sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction | "batchmean", logTarget: boolean], KLDivOptions>) {
    super();
    const o = bindArgs<KLDivOptions>({ fn: "KLDivLoss.__init__", positional: [...LEGACY, "logTarget"] }, args);
    this.reduction = reductionOf(o);
    this.logTarget = o.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
