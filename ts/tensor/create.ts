// Tensor factories: torch.tensor with PyTorch's dtype inference, the filled and random
// constructors, ranges. Shape arguments are accepted as varargs or one array, as in PyTorch.
import { writeValues } from "../backend/typed.js";
import * as raw from "../ops/raw.js";
import { DType } from "./dtype.js";
import { defaultGenerator, Generator } from "./random.js";
import { checkShape } from "./shape.js";
import { setCurrentOp } from "./storage.js";
import { NestedList, Tensor } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  device?: string | { type: string };
}
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type ShapeArgs<O> = (number | number[] | O)[];

/** Splits `(2, 3)`, `([2, 3])` or `(2, 3, {dtype})` into a shape and the options object. */
function shapeAndOptions<O extends object>(args: ShapeArgs<O>, op: string): [number[], O] {
  const last = args[args.length - 1];
  const opts = (typeof last === "object" && last !== null && !Array.isArray(last) ? args.pop() : {}) as O;
  const shape = (args as (number | number[])[]).flat();
  checkShape(shape, op);
  return [shape, opts];
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.device !== undefined) t.to(typeof opts.device === "string" ? opts.device : opts.device.type);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** The shape read off the first element at each depth; flatten() then checks the rest. */
function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  for (let d = data; Array.isArray(d); d = d[0]) {
    shape.push(d.length);
    if (d.length === 0) break;
  }
  return shape;
}

function flatten(data: unknown, shape: number[], dim: number, out: (number | boolean)[]): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new Error(`too many dimensions: expected a scalar at dim ${dim}, got a sequence`);
    if (typeof data !== "number" && typeof data !== "boolean") {
      throw new TypeError(`tensor(): expected numbers or booleans, got ${typeof data} (${String(data)})`);
    }
    out.push(data);
    return;
  }
  if (!Array.isArray(data)) throw new Error(`expected sequence of length ${shape[dim]} at dim ${dim} (got a scalar)`);
  if (data.length !== shape[dim]) throw new Error(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${data.length})`);
  for (const item of data) flatten(item, shape, dim + 1, out);
}

/** The dtype of a typed array's elements (Uint8ClampedArray: ImageData's pixels, as uint8). */
function typedDtype(d: ArrayBufferView): DType | null {
  const kinds: [new (...a: never[]) => ArrayBufferView, DType][] = [
    [Float32Array, "float32"], [Float64Array, "float64"], [Int32Array, "int32"], [BigInt64Array, "int64"],
    [Uint8Array, "uint8"], [Uint8ClampedArray, "uint8"], [Int8Array, "int8"], [Int16Array, "int16"],
  ];
  return kinds.find(([k]) => d instanceof k)?.[1] ?? null;
}

/**
 * torch.tensor(data): nested arrays, typed arrays or a scalar. Integral numbers infer int64
 * and fractional ones float32, as Python ints and floats do; since JS writes 1.0 as 1,
 * `requiresGrad: true` without a dtype infers float32.
 */
export function tensor(data: NestedList | ArrayBufferView | Tensor, opts: TensorOptions = {}): Tensor {
  setCurrentOp("tensor");
  if (data instanceof Tensor) return finish(raw.cast(data, opts.dtype ?? data.dtype), opts);
  if (ArrayBuffer.isView(data)) {
    const d = typedDtype(data);
    if (d === null) {
      throw new TypeError(`tensor(): unsupported typed array ${data.constructor.name}; use Float32Array, Float64Array, Int32Array, BigInt64Array, Int16Array, Int8Array or Uint8Array (Uint8ClampedArray)`);
    }
    const src = data as Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array;
    const t = Tensor.empty([src.length], d);
    if (src instanceof BigInt64Array) writeValues(t.storage, 0, Array.from(src, Number));
    else writeValues(t.storage, 0, src);
    return finish(opts.dtype && opts.dtype !== d ? raw.cast(t, opts.dtype) : t, opts);
  }
  const shape = inferShape(data);
  const flat: (number | boolean)[] = [];
  flatten(data, shape, 0, flat);
  let dtype = opts.dtype;
  if (dtype === undefined) {
    if (flat.length > 0 && flat.every((v) => typeof v === "boolean")) dtype = "bool";
    else if (flat.every((v) => typeof v === "boolean" || Number.isInteger(v)) && flat.length > 0) dtype = opts.requiresGrad ? "float32" : "int64";
    else dtype = "float32";
  }
  return finish(raw.fromValues(flat.map(Number), shape, dtype), opts);
}

export function full(shape: number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  setCurrentOp("full");
  checkShape(shape, "full");
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : Number.isInteger(value) ? "int64" : "float32");
  const t = Tensor.zeros(shape, dtype);
  if (value !== 0 && value !== false) t.fill_(Number(value));
  return finish(t, opts);
}

export function zeros(...args: ShapeArgs<TensorOptions>): Tensor {
  setCurrentOp("zeros");
  const [shape, opts] = shapeAndOptions(args, "zeros");
  return finish(Tensor.zeros(shape, opts.dtype ?? "float32"), opts);
}

export function ones(...args: ShapeArgs<TensorOptions>): Tensor {
  setCurrentOp("ones");
  const [shape, opts] = shapeAndOptions(args, "ones");
  return full(shape, 1, { dtype: "float32", ...opts });
}

export const empty = zeros;

export function rand(...args: ShapeArgs<RandomOptions>): Tensor {
  setCurrentOp("rand");
  const [shape, opts] = shapeAndOptions(args, "rand");
  return finish(Tensor.empty(shape, opts.dtype ?? "float32").uniform_(0, 1, opts.generator), opts);
}

export function randn(...args: ShapeArgs<RandomOptions>): Tensor {
  setCurrentOp("randn");
  const [shape, opts] = shapeAndOptions(args, "randn");
  return finish(Tensor.empty(shape, opts.dtype ?? "float32").normal_(0, 1, opts.generator), opts);
}

/** torch.randint(low, high, size) (or (high, size)): integers in [low, high), int64. */
export function randint(lowOrHigh: number, highOrShape: number | number[], shapeOrOpts?: number[] | RandomOptions, maybeOpts: RandomOptions = {}): Tensor {
  setCurrentOp("randint");
  const [low, high, shape, opts] = Array.isArray(highOrShape)
    ? [0, lowOrHigh, highOrShape, (shapeOrOpts as RandomOptions) ?? {}]
    : [lowOrHigh, highOrShape, shapeOrOpts as number[], maybeOpts];
  if (high <= low) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  checkShape(shape, "randint");
  const g = opts.generator ?? defaultGenerator;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, () => low + g.nextInt(high - low));
  return finish(raw.fromValues(v, shape, opts.dtype ?? "int64"), opts);
}

/** A random permutation of 0..n-1 (int64), PyTorch's for the same seed. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  setCurrentOp("randperm");
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const g = opts.generator ?? defaultGenerator;
  return finish(raw.fromValues(g.permutation(n), [n], opts.dtype ?? "int64"), opts);
}

/** torch.arange(end) / (start, end) / (start, end, step); int64 for integral arguments. */
export function arange(a: number, b?: number | TensorOptions, c?: number | TensorOptions, d?: TensorOptions): Tensor {
  setCurrentOp("arange");
  const nums = [a, b, c].filter((x): x is number => typeof x === "number");
  const opts = ([b, c, d].find((x) => typeof x === "object") ?? {}) as TensorOptions;
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : nums.length === 2 ? [nums[0], nums[1], 1] : nums;
  if (![start, end, step].every(Number.isFinite)) throw new RangeError(`arange: unsupported range: ${start} -> ${end} (step ${step})`);
  if (step === 0) throw new Error("step must be nonzero");
  if ((end - start) / step < 0) throw new Error("upper bound and larger bound inconsistent with step sign");
  const n = Math.ceil((end - start) / step);
  const dtype = opts.dtype ?? (nums.every(Number.isInteger) ? "int64" : "float32");
  return finish(raw.fromValues(Array.from({ length: n }, (_, i) => start + i * step), [n], dtype), opts);
}

export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  setCurrentOp("linspace");
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace(): number of steps must be non-negative, got ${steps}`);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the second half from the end, so the last value is exactly `end`
  const v = Array.from({ length: steps }, (_, i) => (i < steps / 2 ? start + i * step : end - (steps - 1 - i) * step));
  return finish(raw.fromValues(v, [steps], opts.dtype ?? "float32"), opts);
}

export function eye(n: number, m: number | TensorOptions = n, opts: TensorOptions = {}): Tensor {
  setCurrentOp("eye");
  const cols = typeof m === "number" ? m : n;
  const o = typeof m === "object" ? m : opts;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`eye: n must be greater or equal to 0, got ${n}`);
  if (!Number.isInteger(cols) || cols < 0) throw new RangeError(`eye: m must be greater or equal to 0, got ${cols}`);
  const v = new Float64Array(n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) v[i * cols + i] = 1;
  return finish(raw.fromValues(v, [n, cols], o.dtype ?? "float32"), o);
}

const like = (x: Tensor, opts: TensorOptions): TensorOptions => ({ dtype: x.dtype, ...opts });
export const zerosLike = (x: Tensor, opts: TensorOptions = {}): Tensor => zeros([...x.shape], like(x, opts));
export const onesLike = (x: Tensor, opts: TensorOptions = {}): Tensor => ones([...x.shape], like(x, opts));
export const fullLike = (x: Tensor, v: number, opts: TensorOptions = {}): Tensor => full([...x.shape], v, like(x, opts));
export const randLike = (x: Tensor, opts: RandomOptions = {}): Tensor => rand([...x.shape], like(x, opts));
export const randnLike = (x: Tensor, opts: RandomOptions = {}): Tensor => randn([...x.shape], like(x, opts));
