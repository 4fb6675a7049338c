// Linear, Identity, Flatten, Unflatten.
import { Tensor } from "../../tensor/tensor.js";
import { DType } from "../../tensor/dtype.js";
import { Generator } from "../../tensor/random.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { device as checkDevice, Device } from "../../ops/convert.js";
import { bindArgs, checkCount, Rest } from "../../signature.js";
import { pyBool } from "../py-repr.js";

/** The factory arguments every parametrised layer takes: PyTorch's device and dtype, and taimatsu's seeded generator. */
export interface FactoryOptions {
  device?: string | Device | null;
  dtype?: DType | null;
  generator?: Generator;
}

/** The dtype a layer's parameters take, after checking the device is the CPU. */
export function factoryDType(o: FactoryOptions): DType {
  checkDevice(o.device ?? "cpu");
  return o.dtype ?? "float32";
}

export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

/** y = x·Wᵀ + b, initialised as PyTorch: kaiming_uniform(a=√5) weights, U(±1/√in) bias. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, ...args: Rest<[bias: boolean, device: string | Device | null, dtype: DType | null], LinearOptions>) {
    super();
    const o = bindArgs<LinearOptions & { inFeatures: number; outFeatures: number }>(
      { fn: "Linear.__init__", positional: ["inFeatures", "outFeatures", "bias", "device", "dtype"], required: 2, keywords: ["generator"] },
      [inFeatures, outFeatures, ...args],
    );
    this.inFeatures = checkCount("Linear.__init__", "inFeatures", o.inFeatures);
    this.outFeatures = checkCount("Linear.__init__", "outFeatures", o.outFeatures);
    const dtype = factoryDType(o);
    this.weight = new Parameter(Tensor.empty([this.outFeatures, this.inFeatures], dtype));
    this.bias = o.bias === false ? null : new Parameter(Tensor.empty([this.outFeatures], dtype));
    this.resetParameters(o.generator);
  }

  resetParameters(generator?: Generator): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      init.uniform_(this.bias, -bound, bound, generator);
    }
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

type FlattenOptions = { startDim?: number; endDim?: number };

export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(...args: Rest<[startDim: number, endDim: number], FlattenOptions>) {
    super();
    const o = bindArgs<FlattenOptions>({ fn: "Flatten.__init__", positional: ["startDim", "endDim"] }, args);
    this.startDim = o.startDim ?? 1;
    this.endDim = o.endDim ?? -1;
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];
  constructor(...args: [dim: number, unflattenedSize: number[]] | [{ dim: number; unflattenedSize: number[] }]) {
    super();
    const o = bindArgs<{ dim: number; unflattenedSize: number[] }>({ fn: "Unflatten.__init__", positional: ["dim", "unflattenedSize"], required: 2 }, args);
    this.dim = o.dim;
    this.unflattenedSize = o.unflattenedSize;
  }
  forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }
  extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(", ")}${this.unflattenedSize.length === 1 ? "," : ""})`;
  }
}
