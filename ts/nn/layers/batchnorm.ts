// BatchNorm1d and BatchNorm2d: batch statistics while training (updating the running ones
// with PyTorch's momentum rule and unbiased variance), running statistics in eval.
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";

export interface BatchNormOptions {
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
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  protected abstract readonly inputDims: readonly number[];

  constructor(readonly numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(Tensor.zeros([numFeatures]).add(1)) : null;
    this.bias = this.affine ? new Parameter(Tensor.zeros([numFeatures])) : null;
    const buffers: [string, Tensor | null][] = this.trackRunningStats
      ? [["running_mean", Tensor.zeros([numFeatures])], ["running_var", Tensor.zeros([numFeatures]).add(1)], ["num_batches_tracked", Tensor.zeros([], "int64")]]
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
    const eps = this.eps.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
    const momentum = this.momentum === null ? "None" : `${this.momentum}`;
    const py = (b: boolean): string => (b ? "True" : "False");
    return `${this.numFeatures}, eps=${eps}, momentum=${momentum}, affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
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
