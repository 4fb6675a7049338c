// Conv1d, Conv2d and their pooling layers, taking PyTorch's positional arguments or an options object.
import { Tensor } from "../../tensor/tensor.js";
import { DType } from "../../tensor/dtype.js";
import { Generator } from "../../tensor/random.js";
import { Device } from "../../ops/convert.js";
import { bindArgs, checkCount, Rest } from "../../signature.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import type { Pair } from "../../ops/conv.js";
import { pyBool } from "../py-repr.js";
import { factoryDType, FactoryOptions } from "./linear.js";

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
const single = (v: number | readonly [number]): number => (typeof v === "number" ? v : v[0]);
const tuple = (v: readonly number[]): string => `(${v.join(", ")}${v.length === 1 ? "," : ""})`;

/** Options PyTorch accepts that taimatsu does not implement: a clear error rather than a silently different layer. */
function unsupported(layer: string, checks: [string, boolean][]): void {
  for (const [what, set] of checks) if (set) throw new Error(`${layer}: ${what} is not supported by taimatsu`);
}

export interface Conv2dLayerOptions extends FactoryOptions {
  stride?: Pair;
  padding?: Pair | "valid" | "same";
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  paddingMode?: "zeros";
}
type ConvRest<K, O> = Rest<[stride: K, padding: K | "valid" | "same", dilation: K, groups: number, bias: boolean, paddingMode: "zeros", device: string | Device | null, dtype: DType | null], O>;
const CONV_ARGS = ["inChannels", "outChannels", "kernelSize", "stride", "padding", "dilation", "groups", "bias", "paddingMode", "device", "dtype"];

/** A convolution's parameters and PyTorch's checks, for any number of spatial dimensions. */
function convParameters(layer: string, inChannels: number, outChannels: number, kernel: number[], o: { groups?: number; bias?: boolean; paddingMode?: string } & FactoryOptions) {
  const fn = `${layer}.__init__`;
  checkCount(fn, "inChannels", inChannels);
  checkCount(fn, "outChannels", outChannels);
  kernel.forEach((k) => checkCount(fn, "kernelSize", k, 1));
  const groups = checkCount(fn, "groups", o.groups ?? 1, 1);
  if (inChannels % groups !== 0) throw new Error("in_channels must be divisible by groups");
  if (outChannels % groups !== 0) throw new Error("out_channels must be divisible by groups");
  unsupported(layer, [[`padding_mode '${o.paddingMode}'`, (o.paddingMode ?? "zeros") !== "zeros"]]);
  const dtype = factoryDType(o);
  const weight = new Parameter(Tensor.empty([outChannels, inChannels / groups, ...kernel], dtype));
  const bias = o.bias === false ? null : new Parameter(Tensor.empty([outChannels], dtype));
  resetConv(weight, bias, o.generator);
  return { groups, weight, bias };
}

function convRepr(m: { inChannels: number; outChannels: number; kernelSize: readonly number[]; stride: readonly number[]; padding: readonly number[] | string; dilation: readonly number[]; groups: number; bias: unknown }): string {
  let s = `${m.inChannels}, ${m.outChannels}, kernel_size=${tuple(m.kernelSize)}, stride=${tuple(m.stride)}`;
  if (typeof m.padding === "string") s += `, padding=${m.padding}`;
  else if (m.padding.some((p) => p !== 0)) s += `, padding=${tuple(m.padding)}`;
  if (m.dilation.some((d) => d !== 1)) s += `, dilation=${tuple(m.dilation)}`;
  if (m.groups !== 1) s += `, groups=${m.groups}`;
  if (m.bias === null) s += ", bias=False";
  return s;
}

/**
 * A 2-D convolution over NCHW (or CHW) input, initialised as PyTorch's: kaiming_uniform(a=√5)
 * weights and U(±1/√fan_in) bias, so a seed gives PyTorch's initial weights.
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "valid" | "same";
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, ...args: ConvRest<Pair, Conv2dLayerOptions>) {
    super();
    const o = bindArgs<Conv2dLayerOptions & { inChannels: number; outChannels: number; kernelSize: Pair }>(
      { fn: "Conv2d.__init__", positional: CONV_ARGS, required: 3, keywords: ["generator"] },
      [inChannels, outChannels, kernelSize, ...args],
    );
    this.inChannels = o.inChannels;
    this.outChannels = o.outChannels;
    this.kernelSize = pair(o.kernelSize);
    this.stride = pair(o.stride ?? 1);
    this.padding = typeof o.padding === "string" ? o.padding : pair(o.padding ?? 0);
    this.dilation = pair(o.dilation ?? 1);
    ({ groups: this.groups, weight: this.weight, bias: this.bias } = convParameters("Conv2d", this.inChannels, this.outChannels, this.kernelSize, o));
  }

  resetParameters(generator?: Generator): void {
    resetConv(this.weight, this.bias, generator);
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  extraRepr(): string {
    return convRepr(this);
  }
}

export interface Conv1dLayerOptions extends FactoryOptions {
  stride?: number | readonly [number];
  padding?: number | readonly [number] | "valid" | "same";
  dilation?: number | readonly [number];
  groups?: number;
  bias?: boolean;
  paddingMode?: "zeros";
}

/** A 1-D convolution over NCL (or CL) input, initialised as PyTorch's Conv1d. */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | "valid" | "same";
  readonly dilation: number;
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly [number], ...args: ConvRest<number | readonly [number], Conv1dLayerOptions>) {
    super();
    const o = bindArgs<Conv1dLayerOptions & { inChannels: number; outChannels: number; kernelSize: number | readonly [number] }>(
      { fn: "Conv1d.__init__", positional: CONV_ARGS, required: 3, keywords: ["generator"] },
      [inChannels, outChannels, kernelSize, ...args],
    );
    this.inChannels = o.inChannels;
    this.outChannels = o.outChannels;
    this.kernelSize = single(o.kernelSize);
    this.stride = single(o.stride ?? 1);
    this.padding = typeof o.padding === "string" ? o.padding : single(o.padding ?? 0);
    this.dilation = single(o.dilation ?? 1);
    ({ groups: this.groups, weight: this.weight, bias: this.bias } = convParameters("Conv1d", this.inChannels, this.outChannels, [this.kernelSize], o));
  }

  forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  extraRepr(): string {
    const p = this.padding;
    return convRepr({ ...this, kernelSize: [this.kernelSize], stride: [this.stride], padding: typeof p === "string" ? p : [p], dilation: [this.dilation], groups: this.groups, bias: this.bias });
  }
}

const show = (v: Pair): string => (typeof v === "number" ? `${v}` : tuple(pair(v)));

export interface MaxPoolOptions<K> {
  stride?: K | null;
  padding?: K;
  dilation?: K;
  returnIndices?: boolean;
  ceilMode?: boolean;
}
type MaxPoolRest<K> = Rest<[stride: K | null, padding: K, dilation: K, returnIndices: boolean, ceilMode: boolean], MaxPoolOptions<K>>;
const MAX_POOL_ARGS = ["kernelSize", "stride", "padding", "dilation", "returnIndices", "ceilMode"];

/** The arguments of a max pooling layer, with the stride defaulting to the kernel size as PyTorch's. */
function maxPoolArgs<K>(layer: string, args: unknown[]) {
  const o = bindArgs<MaxPoolOptions<K> & { kernelSize: K }>({ fn: `${layer}.__init__`, positional: MAX_POOL_ARGS, required: 1 }, args);
  unsupported(layer, [["returnIndices", o.returnIndices === true]]);
  return { kernelSize: o.kernelSize, stride: o.stride ?? o.kernelSize, padding: o.padding ?? (0 as K), dilation: o.dilation ?? (1 as K), ceilMode: o.ceilMode ?? false };
}

export class MaxPool2d extends Module {
  declare readonly kernelSize: Pair;
  declare readonly stride: Pair;
  declare readonly padding: Pair;
  declare readonly dilation: Pair;
  declare readonly ceilMode: boolean;
  constructor(kernelSize: Pair, ...args: MaxPoolRest<Pair>) {
    super();
    Object.assign(this, maxPoolArgs<Pair>("MaxPool2d", [kernelSize, ...args]));
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
  extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export class MaxPool1d extends Module {
  declare readonly kernelSize: number;
  declare readonly stride: number;
  declare readonly padding: number;
  declare readonly dilation: number;
  declare readonly ceilMode: boolean;
  constructor(kernelSize: number, ...args: MaxPoolRest<number>) {
    super();
    Object.assign(this, maxPoolArgs<number>("MaxPool1d", [kernelSize, ...args]));
  }
  forward(x: Tensor): Tensor {
    return F.maxPool1d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
  extraRepr(): string {
    return `kernel_size=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export interface AvgPoolOptions<K> {
  stride?: K | null;
  padding?: K;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}
const AVG_POOL_ARGS = ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"];

/** The arguments of an average pooling layer, with the stride defaulting to the kernel size as PyTorch's. */
function avgPoolArgs<K>(layer: string, positional: string[], args: unknown[]) {
  const o = bindArgs<AvgPoolOptions<K> & { kernelSize: K }>({ fn: `${layer}.__init__`, positional, required: 1 }, args);
  unsupported(layer, [["ceilMode", o.ceilMode === true]]);
  return { kernelSize: o.kernelSize, stride: o.stride ?? o.kernelSize, padding: o.padding ?? (0 as K), countIncludePad: o.countIncludePad ?? true, divisorOverride: o.divisorOverride ?? undefined };
}

export class AvgPool2d extends Module {
  declare readonly kernelSize: Pair;
  declare readonly stride: Pair;
  declare readonly padding: Pair;
  declare readonly countIncludePad: boolean;
  declare readonly divisorOverride: number | undefined;
  constructor(kernelSize: Pair, ...args: Rest<[stride: Pair | null, padding: Pair, ceilMode: boolean, countIncludePad: boolean, divisorOverride: number | null], AvgPoolOptions<Pair>>) {
    super();
    Object.assign(this, avgPoolArgs<Pair>("AvgPool2d", AVG_POOL_ARGS, [kernelSize, ...args]));
  }
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride });
  }
  extraRepr(): string {
    return `kernel_size=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}

export class AvgPool1d extends Module {
  declare readonly kernelSize: number;
  declare readonly stride: number;
  declare readonly padding: number;
  declare readonly countIncludePad: boolean;
  constructor(kernelSize: number, ...args: Rest<[stride: number | null, padding: number, ceilMode: boolean, countIncludePad: boolean], Omit<AvgPoolOptions<number>, "divisorOverride">>) {
    super();
    Object.assign(this, avgPoolArgs<number>("AvgPool1d", AVG_POOL_ARGS.slice(0, -1), [kernelSize, ...args]));
  }
  forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, { stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad });
  }
  extraRepr(): string {
    return `kernel_size=(${this.kernelSize},), stride=(${this.stride},), padding=(${this.padding},)`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: Pair;
  constructor(...args: [outputSize: Pair] | [{ outputSize: Pair }]) {
    super();
    this.outputSize = bindArgs<{ outputSize: Pair }>({ fn: "AdaptiveAvgPool2d.__init__", positional: ["outputSize"], required: 1 }, args).outputSize;
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
  extraRepr(): string {
    return `output_size=${show(this.outputSize)}`;
  }
}
