// The Tensor: a strided view of a Storage plus its autograd state. Every op is defined in
// ts/ops (forward, shape rule and backward together); the methods here only forward to them.
import { AccumulateGrad, Hook, Node } from "../autograd/node.js";
import * as engine from "../autograd/engine.js";
import * as B from "../ops/binary.js";
import * as C from "../ops/convert.js";
import * as I from "../ops/indexing.js";
import * as IP from "../ops/inplace.js";
import * as M from "../ops/movement.js";
import * as MM from "../ops/matmul.js";
import * as R from "../ops/reduce.js";
import * as S from "../ops/softmax.js";
import * as SO from "../ops/sort.js";
import * as N from "../ops/linalg.js";
import * as U from "../ops/unary.js";
import * as raw from "../ops/raw.js";
import { AnyTyped, numericArray } from "../backend/typed.js";
import { DType, DTYPES, isFloating, itemSize, legacyTypeName } from "./dtype.js";
import { formatTensor } from "./format.js";
import { dispose, escape, hold, Scope, track, Tracked, unhold } from "./lifetime.js";
import { contiguousStrides, fmtShape, normDim, numel, Shape } from "./shape.js";
import type { Generator } from "./random.js";
import { checkShape, Storage } from "./storage.js";

export type Scalar = number | boolean;
export type Operand = Tensor | Scalar;
export type NestedList = number | boolean | NestedList[];

declare global {
  // `using x = …` (TypeScript 5.2) needs Symbol.dispose; declared here so that projects whose
  // lib predates it (es2022, no Node types) still compile against taimatsu's declarations
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

export class Tensor implements Tracked {
  /** @internal */
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;

  /** @internal */
  escaped = true;
  /** @internal */
  holds = 0;
  /** @internal */
  scope: Scope | null = null;
  /** @internal */
  freedBy: string | null = null;

  /** The tensor this is a differentiable view of (the root, for views of views), for in-place autograd. @internal */
  viewBase: Tensor | null = null;
  /** How often in-place writes through views gave this tensor a new history (CopySlices). @internal */
  rebases = 0;
  /** The base's `rebases` this view's history reflects; behind it, autograd regenerates the history. @internal */
  seenRebases = 0;

  private _requiresGrad = false;
  private _grad: Tensor | null = null;
  private _gradFn: Node | null = null;
  private _accumulator: AccumulateGrad | null = null;
  /** Hooks on a leaf (made on first use: most tensors never have one); a non-leaf's hooks live on its gradFn. */
  private _leafHooks: Hook[] | null = null;

  constructor(storage: Storage, shape: Shape, strides: Shape, offset: number, dtype: DType) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = dtype;
    track(this);
  }

  /** A new contiguous tensor whose values are unspecified (to be overwritten), as torch.empty. @internal */
  static empty(shape: Shape, dtype: DType = "float32"): Tensor {
    checkShape(shape);
    return new Tensor(new Storage(dtype, numel(shape), false), shape, contiguousStrides(shape), 0, dtype);
  }

  /** A new contiguous tensor of zeros. @internal */
  static zeros(shape: Shape, dtype: DType = "float32"): Tensor {
    checkShape(shape);
    return new Tensor(new Storage(dtype, numel(shape), true), shape, contiguousStrides(shape), 0, dtype);
  }

  /** A view sharing this tensor's storage (no graph; ops in movement.ts add it). @internal */
  makeView(shape: Shape, strides: Shape, offset: number): Tensor {
    raw.check("view", this);
    return new Tensor(this.storage, shape, strides, offset, this.dtype);
  }

  // ---- metadata ------------------------------------------------------------------------

  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? [...this.shape] : this.shape[normDim(dim, this.shape.length)];
  }
  dim(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numel(this.shape);
  }
  elementSize(): number {
    return itemSize[this.dtype];
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? [...this.strides] : this.strides[normDim(dim, this.shape.length)];
  }
  isContiguous(): boolean {
    return raw.isContiguous(this);
  }
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }
  get device(): { type: "cpu" } {
    return { type: "cpu" };
  }
  /** Describes this tensor in error messages. @internal */
  describe(): string {
    const origin = this._gradFn ? `, grad_fn=<${this._gradFn.name}>` : "";
    return `tensor of shape ${fmtShape(this.shape)} (${this.dtype}${origin})`;
  }
  /** Without an argument, PyTorch's type name ("torch.FloatTensor"); with a dtype or a type name, the tensor converted to it. */
  type(): string;
  type(dtype: DType | string): Tensor;
  type(dtype?: DType | string): string | Tensor {
    if (dtype === undefined) return legacyTypeName[this.dtype];
    const byName = (Object.keys(legacyTypeName) as DType[]).find((d) => legacyTypeName[d] === dtype || `torch.${d}` === dtype);
    const target = (DTYPES as readonly string[]).includes(dtype) ? (dtype as DType) : byName;
    if (target === undefined) throw new Error(`invalid type: '${dtype}'`);
    return C.toDtype(this, target);
  }

  // ---- autograd state ------------------------------------------------------------------

  get requiresGrad(): boolean {
    if (this.viewBase !== null && this.viewBase.rebases !== this.seenRebases) IP.refreshView(this);
    return this._requiresGrad;
  }
  set requiresGrad(flag: boolean) {
    if (this._gradFn !== null && !flag) {
      throw new Error(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed " +
          "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    if (flag && !isFloating(this.dtype)) {
      throw new Error(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    }
    this._requiresGrad = flag;
  }
  requiresGrad_(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }
  get gradFn(): Node | null {
    if (this.viewBase !== null && this.viewBase.rebases !== this.seenRebases) IP.refreshView(this);
    return this._gradFn;
  }
  /** Set by ops when they record a node; makes this a non-leaf that requires grad. @internal */
  setGradFn(node: Node | null): void {
    this._gradFn = node;
    this._requiresGrad = node !== null || this._requiresGrad;
  }
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** The gradient; reading it hands it to user code (library code uses gradOf()). */
  get grad(): Tensor | null {
    const g = this._grad;
    if (g !== null) escape(g);
    return g;
  }
  set grad(g: Tensor | null) {
    if (g !== null && (g.dtype !== this.dtype || g.shape.join() !== this.shape.join())) {
      throw new Error(
        `assigned grad has data of a different size or type: expected ${fmtShape(this.shape)} ${this.dtype}, ` +
          `got ${fmtShape(g.shape)} ${g.dtype}`,
      );
    }
    const old = this._grad;
    if (old === g) return;
    this._grad = g;
    if (g !== null) hold(g);
    if (old !== null) unhold(old);
  }
  accumulator(): AccumulateGrad {
    this._accumulator ??= new AccumulateGrad(this);
    return this._accumulator;
  }
  get leafHooks(): readonly Hook[] {
    return this._leafHooks ?? [];
  }
  get retainsGrad(): boolean {
    return this._gradFn !== null && this._gradFn.retained === this;
  }
  retainGrad(): void {
    if (!this._requiresGrad) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    if (this._gradFn !== null) this._gradFn.retained = this;
  }
  registerHook(hook: Hook): { remove(): void } {
    if (!this._requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    const list = this._gradFn ? this._gradFn.hooks : (this._leafHooks ??= []);
    list.push(hook);
    return { remove: () => void list.splice(list.indexOf(hook), 1) };
  }
  backward(gradient?: Tensor, options: { retainGraph?: boolean; createGraph?: boolean; inputs?: Tensor[] } = {}): void {
    engine.backward([this], gradient ? [gradient] : undefined, options);
  }
  detach(): Tensor {
    return C.detach(this);
  }
  /** The values without the graph (a detached tensor sharing storage), as PyTorch's `.data`. */
  get data(): Tensor {
    return C.detach(this);
  }
  /** `x.data = t` writes t's values into x without recording (PyTorch rebinds x to t's storage; the values are the same). */
  set data(t: Tensor) {
    if (fmtShape(t.shape) !== fmtShape(this.shape)) {
      throw new Error(`x.data = t: taimatsu writes t's values into x, so the shapes must match (x ${fmtShape(this.shape)}, t ${fmtShape(t.shape)})`);
    }
    C.detach(this).copy_(t);
  }
  detach_(): this {
    this._gradFn = null;
    this._requiresGrad = false;
    return this;
  }

  // ---- lifetime -------------------------------------------------------------------------

  /**
   * Marks this tensor as long-lived data (parameters, buffers, datasets): boundaries leave it
   * in WebAssembly memory, only memory pressure may evict it. Never needed for correctness.
   */
  keep(): this {
    escape(this);
    this.storage.setLongLived(true);
    return this;
  }
  /** Frees this tensor now (its memory, once no other view uses it); using it afterwards is an error. */
  dispose(): void {
    dispose(this);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this.freedBy !== null;
  }

  // ---- reading values -------------------------------------------------------------------

  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`only one element tensors can be converted to Python scalars (this one has ${this.numel()} elements)`);
    }
    return raw.values(this)[0];
  }
  tolist(): NestedList {
    const v = raw.values(this);
    const conv = this.dtype === "bool" ? (x: number) => x !== 0 : (x: number) => x;
    const build = (d: number, off: number): NestedList => {
      if (d === this.shape.length) return conv(v[off]);
      const inner = numel(this.shape.slice(d + 1));
      return Array.from({ length: this.shape[d] }, (_, i) => build(d + 1, off + i * inner));
    };
    return build(0, 0);
  }
  /** A copy of the values as a typed array of this dtype, in row-major order. */
  toTypedArray(): AnyTyped {
    const c = raw.contiguous(this);
    raw.read("toTypedArray", c);
    // 16-bit floats come as Float32Array: JavaScript has no half-precision array everywhere yet
    return numericArray(c.storage).slice(c.offset, c.offset + this.numel());
  }
  toString(): string {
    raw.read("toString", this);
    return formatTensor(this);
  }

  // ---- creation-like --------------------------------------------------------------------

  clone(): Tensor {
    return C.clone(this);
  }
  contiguous(): Tensor {
    return M.contiguous(this);
  }
  to(target: DType | { type: string } | string | Tensor): Tensor {
    return C.to(this, target);
  }
  cpu(): Tensor {
    return this;
  }
  /** The error `.to("cuda")` gives: taimatsu runs on the CPU. */
  cuda(device: number | string = "cuda"): Tensor {
    C.device(typeof device === "number" ? `cuda:${device}` : device);
    return this;
  }
  float(): Tensor {
    return C.toDtype(this, "float32");
  }
  double(): Tensor {
    return C.toDtype(this, "float64");
  }
  long(): Tensor {
    return C.toDtype(this, "int64");
  }
  int(): Tensor {
    return C.toDtype(this, "int32");
  }
  bool(): Tensor {
    return C.toDtype(this, "bool");
  }
  byte(): Tensor {
    return C.toDtype(this, "uint8");
  }
  char(): Tensor {
    return C.toDtype(this, "int8");
  }
  short(): Tensor {
    return C.toDtype(this, "int16");
  }
  half(): Tensor {
    return C.toDtype(this, "float16");
  }
  bfloat16(): Tensor {
    return C.toDtype(this, "bfloat16");
  }

  // ---- elementwise ----------------------------------------------------------------------

  add(o: Operand, opts?: { alpha?: number }): Tensor {
    return B.add(this, o, opts);
  }
  sub(o: Operand, opts?: { alpha?: number }): Tensor {
    return B.sub(this, o, opts);
  }
  mul(o: Operand): Tensor {
    return B.mul(this, o);
  }
  div(o: Operand): Tensor {
    return B.div(this, o);
  }
  pow(o: Operand): Tensor {
    return B.pow(this, o);
  }
  maximum(o: Tensor): Tensor {
    return B.maximum(this, o);
  }
  minimum(o: Tensor): Tensor {
    return B.minimum(this, o);
  }
  eq(o: Operand): Tensor {
    return B.compare("eq", this, o);
  }
  ne(o: Operand): Tensor {
    return B.compare("ne", this, o);
  }
  lt(o: Operand): Tensor {
    return B.compare("lt", this, o);
  }
  le(o: Operand): Tensor {
    return B.compare("le", this, o);
  }
  gt(o: Operand): Tensor {
    return B.compare("gt", this, o);
  }
  ge(o: Operand): Tensor {
    return B.compare("ge", this, o);
  }
  logicalNot(): Tensor {
    return B.compare("eq", this, 0);
  }
  logicalAnd(o: Operand): Tensor {
    return B.logicalAnd(this, o);
  }
  logicalOr(o: Operand): Tensor {
    return B.logicalOr(this, o);
  }
  logicalXor(o: Operand): Tensor {
    return B.logicalXor(this, o);
  }
  neg(): Tensor {
    return U.neg(this);
  }
  abs(): Tensor {
    return U.abs(this);
  }
  exp(): Tensor {
    return U.exp(this);
  }
  log(): Tensor {
    return U.log(this);
  }
  sqrt(): Tensor {
    return U.sqrt(this);
  }
  rsqrt(): Tensor {
    return U.rsqrt(this);
  }
  sin(): Tensor {
    return U.sin(this);
  }
  cos(): Tensor {
    return U.cos(this);
  }
  tanh(): Tensor {
    return U.tanh(this);
  }
  sigmoid(): Tensor {
    return U.sigmoid(this);
  }
  relu(): Tensor {
    return U.relu(this);
  }
  gelu(): Tensor {
    return U.gelu(this);
  }
  silu(): Tensor {
    return U.silu(this);
  }
  softplus(): Tensor {
    return U.softplus(this);
  }
  erf(): Tensor {
    return U.erf(this);
  }
  reciprocal(): Tensor {
    return U.reciprocal(this);
  }
  square(): Tensor {
    return U.square(this);
  }
  sign(): Tensor {
    return U.sign(this);
  }
  round(): Tensor {
    return U.round(this);
  }
  floor(): Tensor {
    return U.floor(this);
  }
  ceil(): Tensor {
    return U.ceil(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return U.clamp(this, min ?? null, max ?? null);
  }
  clip(min?: number | null, max?: number | null): Tensor {
    return this.clamp(min, max);
  }
  where(condition: Tensor, other: Operand): Tensor {
    return B.where(condition, this, other);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return I.maskedFill(this, mask, value);
  }

  // ---- in place -------------------------------------------------------------------------

  add_(o: Operand, opts?: { alpha?: number }): this {
    return B.inPlace(this, "add", o, opts?.alpha ?? 1);
  }
  sub_(o: Operand, opts?: { alpha?: number }): this {
    return B.inPlace(this, "sub", o, opts?.alpha ?? 1);
  }
  mul_(o: Operand): this {
    return B.inPlace(this, "mul", o, 1);
  }
  div_(o: Operand): this {
    return B.inPlace(this, "div", o, 1);
  }
  zero_(): this {
    return C.fill_(this, 0);
  }
  fill_(v: number): this {
    return C.fill_(this, v);
  }
  copy_(src: Tensor): this {
    return C.copy_(this, src);
  }
  clamp_(min?: number | null, max?: number | null): this {
    return C.assign_(this, this.clamp(min, max), "clamp_");
  }
  relu_(): this {
    return C.assign_(this, this.relu(), "relu_");
  }
  maskedFill_(mask: Tensor, value: number): this {
    return C.assign_(this, this.maskedFill(mask, value), "masked_fill_");
  }
  /** x[index] = value (x.index_put_ with `accumulate: true` adds, summing repeated positions). */
  indexPut_(index: I.IndexSpec, value: Operand, opts?: { accumulate?: boolean }): this {
    return I.indexPut_(this, index, value, opts);
  }
  uniform_(low = 0, high = 1, generator?: Generator): this {
    return C.uniform_(this, low, high, generator);
  }
  normal_(mean = 0, std = 1, generator?: Generator): this {
    return C.normal_(this, mean, std, generator);
  }  bernoulli_(p = 0.5, generator?: Generator): this {
    return C.bernoulli_(this, p, generator);
  }


  // ---- reductions -----------------------------------------------------------------------

  sum(dim?: number | number[] | null, keepdim = false): Tensor {
    return R.sum(this, dim ?? undefined, keepdim);
  }
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    return R.mean(this, dim ?? undefined, keepdim);
  }
  prod(dim?: number | null, keepdim = false): Tensor {
    return R.prod(this, dim ?? undefined, keepdim);
  }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | R.ValuesIndices {
    return dim === undefined ? R.amax(this, undefined, false) : R.maxDim(this, dim, keepdim, "max");
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | R.ValuesIndices {
    return dim === undefined ? R.amin(this, undefined, false) : R.maxDim(this, dim, keepdim, "min");
  }
  amax(dim?: number | number[], keepdim = false): Tensor {
    return R.amax(this, dim, keepdim);
  }
  amin(dim?: number | number[], keepdim = false): Tensor {
    return R.amin(this, dim, keepdim);
  }
  argmax(dim?: number | null, keepdim = false): Tensor {
    return R.argExtreme(this, dim ?? undefined, keepdim, "argmax");
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    return R.argExtreme(this, dim ?? undefined, keepdim, "argmin");
  }
  var(dim?: number | number[] | null, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return R.variance(this, dim ?? undefined, opts.correction ?? 1, opts.keepdim ?? false);
  }
  std(dim?: number | number[] | null, opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return R.std(this, dim ?? undefined, opts.correction ?? 1, opts.keepdim ?? false);
  }
  /** [values, indices] along dim, ascending unless descending; stable. */
  sort(dim = -1, descending = false): R.ValuesIndices {
    return SO.sort(this, dim, descending);
  }
  argsort(dim = -1, descending = false): Tensor {
    return SO.argsort(this, dim, descending);
  }
  /** [values, indices] of the k largest (or smallest) along dim, largest first. */
  topk(k: number, dim = -1, largest = true): R.ValuesIndices {
    return SO.topk(this, k, dim, largest);
  }
  /** The p-norm over all elements or dim (torch.linalg.vector_norm). */
  norm(p: N.Ord = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    return N.vectorNorm(this, p, dim, keepdim);
  }
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return S.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return S.logSoftmax(this, dim);
  }
  all(): Tensor {
    return this.bool().logicalNot().sum().eq(0);
  }
  any(): Tensor {
    return this.bool().sum().gt(0);
  }

  // ---- matmul ---------------------------------------------------------------------------

  matmul(o: Tensor): Tensor {
    return MM.matmul(this, o);
  }
  mm(o: Tensor): Tensor {
    return MM.mm(this, o);
  }
  addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return MM.addmm(this, mat1, mat2, opts);
  }
  bmm(o: Tensor): Tensor {
    return MM.bmm(this, o);
  }
  dot(o: Tensor): Tensor {
    return MM.dot(this, o);
  }

  // ---- shape ----------------------------------------------------------------------------

  view(...shape: (number | number[])[]): Tensor {
    return M.view(this, shape.flat());
  }
  reshape(...shape: (number | number[])[]): Tensor {
    return M.reshape(this, shape.flat());
  }
  viewAs(other: Tensor): Tensor {
    return M.view(this, [...other.shape]);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return M.flatten(this, startDim, endDim);
  }
  unflatten(dim: number, sizes: number[]): Tensor {
    return M.unflatten(this, dim, sizes);
  }
  squeeze(dim?: number | number[]): Tensor {
    return M.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return M.unsqueeze(this, dim);
  }
  permute(...dims: (number | number[])[]): Tensor {
    return M.permute(this, dims.flat());
  }
  transpose(d0: number, d1: number): Tensor {
    return M.transpose(this, d0, d1);
  }
  t(): Tensor {
    return M.t(this);
  }
  get T(): Tensor {
    return M.permute(this, [...Array(this.dim()).keys()].reverse());
  }
  get mT(): Tensor {
    return M.transpose(this, -2, -1);
  }
  expand(...sizes: (number | number[])[]): Tensor {
    return M.expand(this, sizes.flat());
  }
  expandAs(o: Tensor): Tensor {
    return M.expand(this, [...o.shape]);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return M.narrow(this, dim, start, length);
  }
  select(dim: number, index: number): Tensor {
    return M.select(this, dim, index);
  }
  split(sizeOrSections: number | number[], dim = 0): Tensor[] {
    return M.split(this, sizeOrSections, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return M.chunk(this, chunks, dim);
  }
  unbind(dim = 0): Tensor[] {
    return M.unbind(this, dim);
  }
  index(spec: I.IndexSpec): Tensor {
    return I.index(this, spec);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return I.indexSelect(this, dim, index);
  }
  flip(dims: number | readonly number[]): Tensor {
    return I.flip(this, dims);
  }
  gather(dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  }
}

/** A tensor's .grad for library code: reading it this way does not hand it to user code. */
export const gradOf = (t: Tensor): Tensor | null => t["_grad"];
