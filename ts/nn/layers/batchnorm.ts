// BatchNorm1d and BatchNorm2d: batch statistics while training (updating the running ones
// with PyTorch's momentum rule and unbiased variance), running statistics in eval.
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";
import { Device } from "../../ops/convert.js";
import { DType } from "../../tensor/dtype.js";
import { bindArgs, checkCount, Rest } from "../../signature.js";
import { pyBool, pyFloat } from "../py-repr.js";
import { factoryDType, FactoryOptions } from "./linear.js";

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** Weight of each batch in the running statistics; null: a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  // buffers under PyTorch's names, which are also their state-dict keys
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  protected abstract readonly inputDims: readonly number[];

  constructor(numFeatures: number, ...args: Rest<[eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean, device: string | Device | null, dtype: DType | null], BatchNormOptions>) {
    super();
    const o = bindArgs<BatchNormOptions & { numFeatures: number }>(
      { fn: `${new.target.name}.__init__`, positional: ["numFeatures", "eps", "momentum", "affine", "trackRunningStats", "device", "dtype"], required: 1 },
      [numFeatures, ...args],
    );
    this.numFeatures = checkCount(`${new.target.name}.__init__`, "numFeatures", o.numFeatures);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    const dtype = factoryDType(o);
    const n = [this.numFeatures];
    this.weight = this.affine ? new Parameter(Tensor.zeros(n, dtype).add(1)) : null;
    this.bias = this.affine ? new Parameter(Tensor.zeros(n, dtype)) : null;
    const buffers: [string, Tensor | null][] = this.trackRunningStats
      ? [["running_mean", Tensor.zeros(n, dtype)], ["running_var", Tensor.zeros(n, dtype).add(1)], ["num_batches_tracked", Tensor.zeros([], "int64")]]
      : [["running_mean", null], ["running_var", null], ["num_batches_tracked", null]];
    for (const [name, t] of buffers) this.registerBuffer(name, t);
  }

  forward(x: Tensor): Tensor {
    if (!this.inputDims.includes(x.dim())) {
      throw new Error(`expected ${this.inputDims.map((d) => `${d}D`).join(" or ")} input (got ${x.dim()}D input)`);
    }
    const tracked = this.num_batches_tracked;
    let momentum = this.momentum ?? 0;
    if (this.training && tracked !== null) {
      tracked.add_(1);
      if (this.momentum === null) momentum = 1 / Number(tracked.item());
    }
    // batch statistics while training, and always when no running ones are kept (as PyTorch)
    const batchStats = this.training || this.running_mean === null;
    return F.batchNorm(x, this.running_mean, this.running_var, this.weight, this.bias, batchStats, momentum, this.eps);
  }

  extraRepr(): string {
    const eps = pyFloat(this.eps);
    const momentum = this.momentum === null ? "None" : `${this.momentum}`;
    return `${this.numFeatures}, eps=${eps}, momentum=${momentum}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Over (N, C) or (N, C, L) input, per channel C. */
export class BatchNorm1d extends BatchNorm {
  protected readonly inputDims = [2, 3];
}

/** Over (N, C, H, W) input, per channel C. */
export class BatchNorm2d extends BatchNorm {
  protected readonly inputDims = [4];
}
