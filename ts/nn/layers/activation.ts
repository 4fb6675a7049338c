// Activation layers: thin modules over nn.functional, taking PyTorch's arguments and printing like PyTorch.
import { Tensor } from "../../tensor/tensor.js";
import { assign_ } from "../../ops/convert.js";
import { bindArgs, Rest } from "../../signature.js";
import { Module } from "../module.js";
import * as F from "../functional.js";
import { pyFloat } from "../py-repr.js";


/** An elementwise activation with PyTorch's `inplace` flag: the result overwrites the input when set. */
abstract class Elementwise extends Module {
  abstract readonly inplace: boolean;
  protected abstract activation(x: Tensor): Tensor;
  protected abstract readonly opName: string;
  forward(x: Tensor): Tensor {
    return this.inplace ? assign_(x, this.activation(x), this.opName) : this.activation(x);
  }
}

type InplaceOptions = { inplace?: boolean };

export class ReLU extends Elementwise {
  readonly inplace: boolean;
  protected readonly opName = "relu_";
  constructor(...args: Rest<[inplace: boolean], InplaceOptions>) {
    super();
    this.inplace = bindArgs<InplaceOptions>({ fn: "ReLU.__init__", positional: ["inplace"] }, args).inplace ?? false;
  }
  protected activation(x: Tensor): Tensor {
    return x.relu();
  }
  extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

export class SiLU extends Elementwise {
  readonly inplace: boolean;
  protected readonly opName = "silu_";
  constructor(...args: Rest<[inplace: boolean], InplaceOptions>) {
    super();
    this.inplace = bindArgs<InplaceOptions>({ fn: "SiLU.__init__", positional: ["inplace"] }, args).inplace ?? false;
  }
  protected activation(x: Tensor): Tensor {
    return x.silu();
  }
  extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

type LeakyReLUOptions = { negativeSlope?: number; inplace?: boolean };

export class LeakyReLU extends Elementwise {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  protected readonly opName = "leaky_relu_";
  constructor(...args: Rest<[negativeSlope: number, inplace: boolean], LeakyReLUOptions>) {
    super();
    const a = bindArgs<LeakyReLUOptions>({ fn: "LeakyReLU.__init__", positional: ["negativeSlope", "inplace"] }, args);
    this.negativeSlope = a.negativeSlope ?? 0.01;
    this.inplace = a.inplace ?? false;
  }
  protected activation(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

type ELUOptions = { alpha?: number; inplace?: boolean };

export class ELU extends Elementwise {
  readonly alpha: number;
  readonly inplace: boolean;
  protected readonly opName = "elu_";
  constructor(...args: Rest<[alpha: number, inplace: boolean], ELUOptions>) {
    super();
    const a = bindArgs<ELUOptions>({ fn: "ELU.__init__", positional: ["alpha", "inplace"] }, args);
    this.alpha = a.alpha ?? 1;
    this.inplace = a.inplace ?? false;
  }
  protected activation(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
  extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

type GELUOptions = { approximate?: "none" | "tanh" };

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(...args: Rest<[approximate: "none" | "tanh"], GELUOptions>) {
    super();
    this.approximate = bindArgs<GELUOptions>({ fn: "GELU.__init__", positional: ["approximate"] }, args).approximate ?? "none";
    if (this.approximate !== "none" && this.approximate !== "tanh") throw new Error(`approximate argument must be either none or tanh.`);
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
  extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Sigmoid extends Module {
  constructor(...args: []) {
    super();
    bindArgs({ fn: "Sigmoid.__init__", positional: [] }, args);
  }
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class Tanh extends Module {
  constructor(...args: []) {
    super();
    bindArgs({ fn: "Tanh.__init__", positional: [] }, args);
  }
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

type DimOptions = { dim?: number | null };

/** PyTorch's implicit dim for softmax without one (deprecated there, with a warning): 0 for 0-, 1- and 3-D input, else 1. */
function softmaxDim(op: string, dim: number | null, x: Tensor): number {
  if (dim !== null) return dim;
  console.warn(`UserWarning: Implicit dimension choice for ${op} has been deprecated. Change the call to include dim=X as an argument.`);
  return x.dim() === 0 || x.dim() === 1 || x.dim() === 3 ? 0 : 1;
}

export class Softmax extends Module {
  readonly dim: number | null;
  constructor(...args: Rest<[dim: number | null], DimOptions>) {
    super();
    this.dim = bindArgs<DimOptions>({ fn: "Softmax.__init__", positional: ["dim"] }, args).dim ?? null;
  }
  forward(x: Tensor): Tensor {
    return x.softmax(softmaxDim("softmax", this.dim, x));
  }
  extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}

export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(...args: Rest<[dim: number | null], DimOptions>) {
    super();
    this.dim = bindArgs<DimOptions>({ fn: "LogSoftmax.__init__", positional: ["dim"] }, args).dim ?? null;
  }
  forward(x: Tensor): Tensor {
    return x.logSoftmax(softmaxDim("log_softmax", this.dim, x));
  }
  extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}
