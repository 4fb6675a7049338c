// dtype conversion, copies, detaching, devices and the fill/copy/random in-place writes.
import { record } from "../autograd/node.js";
import { DType, DTYPES, isFloating } from "../tensor/dtype.js";
import { defaultGenerator, Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { checkInPlace } from "./binary.js";
import { overwriteNode, rebase } from "./inplace.js";
import * as raw from "./raw.js";

export function toDtype(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = raw.cast(x, dtype);
  if (!isFloating(dtype)) return out;
  return record("ToCopyBackward0", [x], out, [], (g) => [isFloating(x.dtype) ? toDtype(g, x.dtype) : null]);
}

/** Whether a tensor of shape `from` broadcasts to exactly `to` (what a write into a tensor of shape `to` needs). */
export function expandsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return from.slice(0, from.length - to.length).every((d) => d === 1) && expandsTo(from.slice(from.length - to.length), to);
  const off = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[off + i]);
}

/** PyTorch's error for a source that does not broadcast to the destination of a write. */
export function checkExpands(op: string, from: readonly number[], to: readonly number[]): void {
  if (expandsTo(from, to)) return;
  if (from.length > to.length) throw new Error(`${op}: output with shape [${to.join(", ")}] doesn't match the broadcast shape [${[...from.slice(0, from.length - to.length), ...to].join(", ")}]`);
  const off = to.length - from.length;
  const k = from.findIndex((d, i) => d !== 1 && d !== to[off + i]);
  const dim = Math.max(k, 0);
  throw new Error(`${op}: The size of tensor a (${to[off + dim] ?? 1}) must match the size of tensor b (${from[dim]}) at non-singleton dimension ${off + dim}`);
}

/** The device in `torch.device("cpu")` form; anything but the CPU is a clear error. */
export interface Device {
  readonly type: string;
}

export function device(spec: string | Device): Device {
  const type = typeof spec === "string" ? spec.split(":")[0] : spec.type;
  if (type !== "cpu") {
    throw new Error(
      `taimatsu runs on the CPU (WebAssembly SIMD): device '${typeof spec === "string" ? spec : spec.type}' is not ` +
        `available. torch.cuda.isAvailable() is false here; use "cpu".`,
    );
  }
  return CPU;
}

const CPU: Device = Object.freeze({ type: "cpu", toString: () => "cpu" });

/** PyTorch's device types: any of them is a device taimatsu has not got, not a misspelt dtype. */
const DEVICE_TYPES = ["cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "vulkan", "opencl", "mkldnn", "ort", "hpu", "mtia"];

/** tensor.to(dtype | device | "cpu" | otherTensor). Moving to the CPU is a no-op, as in PyTorch. */
export function to(x: Tensor, target: DType | Device | string | Tensor): Tensor {
  if (target instanceof Tensor) return toDtype(x, target.dtype);
  if (typeof target === "string" && (DTYPES as readonly string[]).includes(target)) return toDtype(x, target as DType);
  if (typeof target === "string" && !DEVICE_TYPES.includes(target.split(":")[0])) {
    throw new TypeError(`to(): '${target}' is neither a dtype (${DTYPES.join(", ")}) nor a device ("cpu")`);
  }
  device(target as string | Device);
  return x;
}

export function clone(x: Tensor): Tensor {
  raw.use("clone", x);
  const out = Tensor.empty(x.shape, x.dtype);
  raw.copyInto(out, x);
  return record("CloneBackward0", [x], out, [], (g) => [g]);
}

/** A new tensor sharing storage, cut from the graph (PyTorch's detach). */
export function detach(x: Tensor): Tensor {
  return x.makeView(x.shape, x.strides, x.offset);
}

export function fill_<T extends Tensor>(t: T, v: number): T {
  checkInPlace(t, "fill_");
  const node = overwriteNode(t, null, "FillBackward2");
  write(t, raw.fromValues([v], [], t.dtype));
  rebase(t, node);
  return t;
}

/** t.copy_(src): src broadcast and cast into t, recorded as CopyBackwards. */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  checkInPlace(t, "copy_");
  checkExpands("copy_", src.shape, t.shape);
  const node = overwriteNode(t, src, "CopyBackwards");
  write(t, src);
  rebase(t, node);
  return t;
}

/** Writes `value`, computed from t (relu_, clamp_, masked_fill_), into t; its node becomes t's history. */
export function assign_<T extends Tensor>(t: T, value: Tensor, op: string): T {
  checkInPlace(t, op);
  write(t, value);
  rebase(t, value.gradFn);
  return t;
}

function write(t: Tensor, value: Tensor): void {
  // a source overlapping the destination is read from a copy, never while being written
  raw.copyInto(t, value.storage === t.storage ? raw.cast(value, value.dtype) : value);
  t.storage.version++;
}

/**
 * uniform_ as PyTorch computes it: bounds rounded to the tensor's precision, then
 * u·(high - low) + low with one rounding (PyTorch's build fuses it into an FMA; the product
 * of two 24-bit floats is exact in a double).
 */
export function uniform_<T extends Tensor>(t: T, low: number, high: number, gen?: Generator): T {
  const g = gen ?? defaultGenerator;
  const v = new Float64Array(t.numel());
  if (t.dtype === "float64") {
    for (let i = 0; i < v.length; i++) v[i] = g.nextUniformDouble() * (high - low) + low;
  } else {
    const lo = Math.fround(low);
    const span = Math.fround(Math.fround(high) - lo);
    for (let i = 0; i < v.length; i++) v[i] = Math.fround(g.nextUniform() * span + lo);
  }
  return writeSampled(t, v);
}

/**
 * normal_ as PyTorch's CPU kernel: a contiguous tensor of 16 or more values is filled with
 * uniforms and turned into normals 16 at a time (Box–Muller pairs j and j + 8, the last 16
 * redrawn when the size is not a multiple of 16); smaller or strided ones draw one at a time.
 */
export function normal_<T extends Tensor>(t: T, mean: number, std: number, gen?: Generator): T {
  const g = gen ?? defaultGenerator;
  const n = t.numel();
  const v = new Float64Array(n);
  if (n >= 16 && raw.isContiguous(t) && isFloating(t.dtype)) {
    const single = t.dtype !== "float64";
    const r = single ? Math.fround : (x: number) => x;
    const uniform = single ? () => g.nextUniform() : () => g.nextUniformDouble();
    const fill16 = (at: number): void => {
      for (let j = 0; j < 8; j++) {
        const radius = r(Math.sqrt(r(-2 * r(Math.log(r(1 - v[at + j]))))));
        const theta = r(2 * Math.PI * v[at + j + 8]);
        v[at + j] = r(r(radius * r(Math.cos(theta))) * std + mean);
        v[at + j + 8] = r(r(radius * r(Math.sin(theta))) * std + mean);
      }
    };
    for (let i = 0; i < n; i++) v[i] = uniform();
    for (let i = 0; i + 16 <= n; i += 16) fill16(i);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) v[i] = uniform();
      fill16(n - 16);
    }
  } else {
    for (let i = 0; i < n; i++) v[i] = g.nextNormal() * std + mean;
  }
  return writeSampled(t, v);
}

/** bernoulli_(p): ones with probability p, as PyTorch's CPU kernel draws them (a double uniform below p). */
export function bernoulli_<T extends Tensor>(t: T, p: number, gen?: Generator): T {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  const g = gen ?? defaultGenerator;
  const v = new Float64Array(t.numel());
  for (let i = 0; i < v.length; i++) v[i] = g.nextUniformDouble() < p ? 1 : 0;
  return writeSampled(t, v);
}

function writeSampled<T extends Tensor>(t: T, v: Float64Array): T {
  checkInPlace(t, "random_");
  const node = overwriteNode(t, null, "RandomBackward0");
  write(t, raw.fromValues(v, t.shape, t.dtype));
  rebase(t, node);
  return t;
}

