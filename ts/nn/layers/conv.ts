// Conv2d, MaxPool2d and AvgPool2d.
import { Tensor } from "../../tensor/tensor.js";
import { DType } from "../../tensor/dtype.js";
import { Generator } from "../../tensor/random.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import type { Pair } from "../../ops/conv.js";

/** PyTorch's convolution initialisation: kaiming_uniform(a=√5) weights, U(±1/√fan_in) bias. */
function resetConv(weight: Parameter, bias: Parameter | null, generator?: Generator): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5), generator });
  if (bias) {
    const [fanIn] = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound, generator);
  }
}

const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);
const tuple = (v: [number, number]): string => `(${v[0]}, ${v[1]})`;

export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: Pair | "valid" | "same";
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/**
 * A 2-D convolution over NCHW (or CHW) input, initialised as PyTorch's: kaiming_uniform(a=√5)
 * weights and U(±1/√fan_in) bias, so a seed gives PyTorch's initial weights.
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "valid" | "same";
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, opts: Conv2dLayerOptions = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(opts.stride ?? 1);
    this.padding = typeof opts.padding === "string" ? opts.padding : pair(opts.padding ?? 0);
    this.dilation = pair(opts.dilation ?? 1);
    this.groups = opts.groups ?? 1;
    if (inChannels % this.groups !== 0) throw new Error("in_channels must be divisible by groups");
    if (outChannels % this.groups !== 0) throw new Error("out_channels must be divisible by groups");
    const dtype = opts.dtype ?? "float32";
    this.weight = new Parameter(Tensor.empty([outChannels, inChannels / this.groups, ...this.kernelSize], dtype));
    this.bias = opts.bias === false ? null : new Parameter(Tensor.empty([outChannels], dtype));
    this.resetParameters(opts.generator);
  }

  resetParameters(generator?: Generator): void {
    resetConv(this.weight, this.bias, generator);
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}

const show = (v: Pair): string => (typeof v === "number" ? `${v}` : tuple(pair(v)));

export class MaxPool2d extends Module {
  readonly stride: Pair;
  private readonly opts: F.Pool2dOptions;
  constructor(readonly kernelSize: Pair, opts: F.Pool2dOptions = {}) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.opts = { ...opts, stride: this.stride };
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, this.opts);
  }
  extraRepr(): string {
    const o = this.opts;
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(o.padding ?? 0)}, dilation=${show(o.dilation ?? 1)}, ceil_mode=${o.ceilMode ? "True" : "False"}`;
  }
}

export class AvgPool2d extends Module {
  readonly stride: Pair;
  private readonly opts: F.AvgPool2dOptions;
  constructor(readonly kernelSize: Pair, opts: F.AvgPool2dOptions = {}) {
    super();
    this.stride = opts.stride ?? kernelSize;
    this.opts = { ...opts, stride: this.stride };
  }
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.opts);
  }
  extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.opts.padding ?? 0)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
  extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}

export interface Conv1dLayerOptions {
  stride?: number;
  padding?: number | "valid" | "same";
  dilation?: number;
  groups?: number;
  bias?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/** A 1-D convolution over NCL (or CL) input, initialised as PyTorch's Conv1d. */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly stride: number;
  readonly padding: number | "valid" | "same";
  readonly dilation: number;
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, opts: Conv1dLayerOptions = {}) {
    super();
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.groups = opts.groups ?? 1;
    if (inChannels % this.groups !== 0) throw new Error("in_channels must be divisible by groups");
    if (outChannels % this.groups !== 0) throw new Error("out_channels must be divisible by groups");
    const dtype = opts.dtype ?? "float32";
    this.weight = new Parameter(Tensor.empty([outChannels, inChannels / this.groups, kernelSize], dtype));
    this.bias = opts.bias === false ? null : new Parameter(Tensor.empty([outChannels], dtype));
    resetConv(this.weight, this.bias, opts.generator);
  }

  forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize},), stride=(${this.stride},)`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding !== 0) s += `, padding=(${this.padding},)`;
    if (this.dilation !== 1) s += `, dilation=(${this.dilation},)`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}

export class MaxPool1d extends Module {
  constructor(readonly kernelSize: number, private readonly opts: { stride?: number; padding?: number; dilation?: number; ceilMode?: boolean } = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.maxPool1d(x, this.kernelSize, this.opts);
  }
  extraRepr(): string {
    const o = this.opts;
    return `kernel_size=${this.kernelSize}, stride=${o.stride ?? this.kernelSize}, padding=${o.padding ?? 0}, dilation=${o.dilation ?? 1}, ceil_mode=${o.ceilMode ? "True" : "False"}`;
  }
}

export class AvgPool1d extends Module {
  constructor(readonly kernelSize: number, private readonly opts: { stride?: number; padding?: number; countIncludePad?: boolean } = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, this.opts);
  }
  extraRepr(): string {
    return `kernel_size=(${this.kernelSize},), stride=(${this.opts.stride ?? this.kernelSize},), padding=(${this.opts.padding ?? 0},)`;
  }
}
