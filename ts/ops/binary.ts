// Binary elementwise ops with NumPy broadcasting and PyTorch type promotion. Kernels read
// broadcast operands through zero strides; backward reduces each gradient back to its
// input's shape (sumTo).
import { needsGrad, record } from "../autograd/node.js";
import { isGradEnabled } from "../autograd/mode.js";
import { DType, isFloating, resultType, scalarDType } from "../tensor/dtype.js";
import { broadcastShapes, fmtShape, sameShape, Shape } from "../tensor/shape.js";
import { Operand, Tensor } from "../tensor/tensor.js";
import { toDtype } from "./convert.js";
import * as raw from "./raw.js";
import { sum } from "./reduce.js";
import { reshape } from "./movement.js";
import { rebase } from "./inplace.js";
import { dropHidden } from "../tensor/lifetime.js";

const rank = (o: Operand): 0 | 1 | 2 => (o instanceof Tensor ? (o.dim() > 0 ? 2 : 1) : 0);
const dtypeOf = (o: Operand): DType => (o instanceof Tensor ? o.dtype : scalarDType(o));

/** A 0-dim tensor holding a scalar operand (it never requires grad). */
export function scalarTensor(v: number | boolean, dtype: DType): Tensor {
  return raw.fromValues([Number(v)], [], dtype);
}

/** What a JS value given where a tensor or number belongs is, for the error. */
function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "Array (make it a tensor with torch.tensor([...]))";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** Checks an operand: a tensor, a number or a boolean (PyTorch's TypeError otherwise). */
export function checkOperand(op: string, v: unknown, position = 1, name = "other"): void {
  if (v instanceof Tensor || typeof v === "number" || typeof v === "boolean") return;
  throw new TypeError(`${op}(): argument '${name}' (position ${position}) must be Tensor or a number, not ${describe(v)}`);
}

function operands(a: Operand, b: Operand, floatResult = false): [Tensor, Tensor, DType] {
  let dtype = resultType({ dtype: dtypeOf(a), rank: rank(a) }, { dtype: dtypeOf(b), rank: rank(b) });
  if (floatResult && !isFloating(dtype)) dtype = "float32";
  const conv = (o: Operand): Tensor => (o instanceof Tensor ? (o.dtype === dtype ? o : toDtype(o, dtype)) : scalarTensor(o, dtype));
  return [conv(a), conv(b), dtype];
}

/** Sums a broadcast gradient back down to `shape`. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.dim(); d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  }
  const s = dims.length ? sum(g, dims, true) : g;
  return reshape(s, [...shape]);
}

type Js2 = (x: number, y: number) => number;

/** What a backward needs saved: the inputs (a, b) and/or the output. */
interface Needs {
  a?: boolean;
  b?: boolean;
  out?: boolean;
}

/**
 * The shared body of the broadcasting binary ops. Only the tensors the backward needs are
 * saved (as PyTorch does), so that e.g. y.mul_(3) on a graph tensor stays differentiable.
 */
function binaryOp(name: string, grad: string, a: Operand, b: Operand, js: Js2, floatResult: boolean, needs: (a: Tensor, b: Tensor) => Needs,
  backward: (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  checkOperand(name, a, 0, "input");
  checkOperand(name, b);
  const [ta, tb, dtype] = operands(a, b, floatResult);
  const shape = broadcastShapes(ta.shape, tb.shape);
  const out = raw.binary(ta, tb, shape, name, js, dtype);
  if (needsGrad(ta, tb)) {
    const n = needs(ta, tb);
    const saved = [n.a ? ta : null, n.b ? tb : null, n.out ? out : null];
    record(grad, [ta, tb], out, saved.filter((t): t is Tensor => t !== null), (g, list) => {
      const it = list[Symbol.iterator]();
      const [sa, sb, so] = saved.map((t) => (t === null ? (null as unknown as Tensor) : it.next().value!));
      const [ga, gb] = backward(g, sa, sb, so);
      return [ga && sumTo(ga, ta.shape), gb && sumTo(gb, tb.shape)];
    });
  }
  dropOperands(a, b, ta, tb);
  return out;
}

/** Frees the operand tensors an op made from scalars or by conversion (unless its node saved them). */
function dropOperands(a: Operand, b: Operand, ta: Tensor, tb: Tensor): void {
  if (ta !== a) dropHidden(ta);
  if (tb !== b) dropHidden(tb);
}

const none = (): Needs => ({});
const cross = (a: Tensor, b: Tensor): Needs => ({ a: b.requiresGrad, b: a.requiresGrad });

export function add(a: Operand, b: Operand, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (alpha !== 1) return add(a, mul(b, alpha));
  return binaryOp("add", "AddBackward0", a, b, (x, y) => x + y, false, none, (g) => [g, g]);
}

export function sub(a: Operand, b: Operand, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (alpha !== 1) return sub(a, mul(b, alpha));
  if (dtypeOf(a) === "bool" && dtypeOf(b) === "bool") {
    throw new Error("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
  }
  return binaryOp("sub", "SubBackward0", a, b, (x, y) => x - y, false, none, (g) => [g, g.neg()]);
}

export function mul(a: Operand, b: Operand): Tensor {
  return binaryOp("mul", "MulBackward0", a, b, (x, y) => x * y, false, cross, (g, x, y) => [y && g.mul(y), x && g.mul(x)]);
}

/** True division, as torch.div with rounding_mode=None: integer inputs give float32. */
export function div(a: Operand, b: Operand): Tensor {
  return binaryOp("div", "DivBackward0", a, b, (x, y) => x / y, true, (_, y) => ({ a: y.requiresGrad, b: true }), (g, x, y) => [
    g.div(y),
    x && g.neg().mul(x).div(y.mul(y)),
  ]);
}

export function pow(a: Operand, b: Operand): Tensor {
  return binaryOp("pow", "PowBackward1", a, b, Math.pow, false, (_, y) => ({ a: true, b: true, out: y.requiresGrad }), (g, x, y, out) => {
    const ga = g.mul(y).mul(x.pow(y.sub(1)));
    // d/dy x^y = x^y log x; PyTorch defines it as 0 where x == 0 and y >= 0.
    const gb = out ? g.mul(out).mul(x.log()).maskedFill(x.eq(0).logicalAnd(y.ge(0)), 0) : null;
    return [ga, gb];
  });
}

function pick(name: string, grad: string, a: Tensor, b: Tensor, js: Js2, wins: (x: Tensor, y: Tensor) => Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new TypeError(`${name}(): expected two tensors`);
  return binaryOp(name, grad, a, b, js, false, () => ({ a: true, b: true }), (g, x, y) => {
    // ties split the gradient evenly, as PyTorch does
    const share = wins(x, y).to(g.dtype).add(x.eq(y).to(g.dtype).mul(0.5));
    return [g.mul(share), g.mul(share.neg().add(1))];
  });
}

const nanMax: Js2 = (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y));
const nanMin: Js2 = (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y));

export const maximum = (a: Tensor, b: Tensor): Tensor => pick("maximum", "MaximumBackward0", a, b, nanMax, (x, y) => x.gt(y));
export const minimum = (a: Tensor, b: Tensor): Tensor => pick("minimum", "MinimumBackward0", a, b, nanMin, (x, y) => x.lt(y));

export type Comparison = "eq" | "ne" | "lt" | "le" | "gt" | "ge";
const comparisons: Record<Comparison, Js2> = {
  eq: (x, y) => +(x === y),
  ne: (x, y) => +(x !== y),
  lt: (x, y) => +(x < y),
  le: (x, y) => +(x <= y),
  gt: (x, y) => +(x > y),
  ge: (x, y) => +(x >= y),
};

/** Comparisons give bool tensors and have no gradient. */
export function compare(op: Comparison, a: Operand, b: Operand): Tensor {
  checkOperand(op, a, 0, "input");
  checkOperand(op, b);
  const [ta, tb] = operands(a, b);
  const out = raw.binary(ta, tb, broadcastShapes(ta.shape, tb.shape), op, comparisons[op], "bool");
  dropOperands(a, b, ta, tb);
  return out;
}

export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  if (condition.dtype !== "bool") {
    throw new TypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype}`);
  }
  checkOperand("where", a, 1, "input");
  checkOperand("where", b, 2);
  const [ta, tb, dtype] = operands(a, b);
  const shape = broadcastShapes(condition.shape, broadcastShapes(ta.shape, tb.shape));
  const out = raw.where(condition, ta, tb, shape, dtype);
  // only the condition is saved (as PyTorch does): x[mask] = v may overwrite the operands
  record("WhereBackward0", [ta, tb], out, [condition], (g, [c]) => [
    sumTo(where(c, g, 0), ta.shape),
    sumTo(where(c, 0, g), tb.shape),
  ]);
  dropOperands(a, b, ta, tb);
  return out;
}

const inPlaceJs: Record<string, Js2> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

/**
 * add_/sub_/mul_/div_. Outside grad mode (optimizer updates) they run the kernel in place;
 * on a tensor in the graph they record the op and rebase the tensor's history onto it,
 * as PyTorch does. Either way the storage version is bumped for saved-tensor checks.
 */
export function inPlace<T extends Tensor>(t: T, op: "add" | "sub" | "mul" | "div", o: Operand, alpha: number): T {
  checkInPlace(t, `${op}_`);
  checkOperand(`${op}_`, o);
  const other = alpha === 1 ? o : mul(o, alpha);
  const needsGraph = isGradEnabled() && (t.requiresGrad || (other instanceof Tensor && other.requiresGrad));
  if (needsGraph) {
    const out = ({ add, sub, mul, div } as const)[op](t, other);
    raw.copyInto(t, out);
    t.storage.version++;
    rebase(t, out.gradFn);
    dropHidden(out);
    if (other !== o) dropHidden(other as Tensor);
    return t;
  }
  const [, tb, dtype] = operands(t, other, op === "div");
  if (dtype !== t.dtype) {
    throw new Error(`result type ${dtype === "float32" ? "Float" : dtype} can't be cast to the desired output type ${t.dtype}`);
  }
  const shape = broadcastShapes(t.shape, tb.shape);
  if (!sameShape(shape, t.shape)) {
    throw new Error(`output with shape ${fmtShape(t.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  const src = tb.storage === t.storage ? tb.clone() : tb;
  raw.binaryInPlace(t, src, op, inPlaceJs[op]);
  raw.dropCopy(src, tb);
  if (tb !== other) dropHidden(tb);
  if (other !== o) dropHidden(other as Tensor);
  t.storage.version++;
  return t;
}

/** PyTorch's rule: a leaf that requires grad, or a view of one, may only be modified under noGrad. */
export function checkInPlace(t: Tensor, op: string): void {
  if (!isGradEnabled()) return;
  if (t.isLeaf && t.requiresGrad) {
    throw new Error(`${op}: a leaf Variable that requires grad is being used in an in-place operation.`);
  }
  const base = t.viewBase;
  if (base !== null && base.isLeaf && base.requiresGrad) {
    throw new Error(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation.`);
  }
}

function logical(name: string, a: Operand, b: Operand, js: Js2): Tensor {
  const ta = a instanceof Tensor ? (a.dtype === "bool" ? a : compare("ne", a, 0)) : scalarTensor(a, "bool");
  const tb = b instanceof Tensor ? (b.dtype === "bool" ? b : compare("ne", b, 0)) : scalarTensor(b, "bool");
  const out = raw.binary(ta, tb, broadcastShapes(ta.shape, tb.shape), name, js, "bool");
  dropOperands(a, b, ta, tb);
  return out;
}

export const logicalAnd = (a: Operand, b: Operand): Tensor => logical("logical_and", a, b, (x, y) => +(x !== 0 && y !== 0));
export const logicalOr = (a: Operand, b: Operand): Tensor => logical("logical_or", a, b, (x, y) => +(x !== 0 || y !== 0));
export const logicalXor = (a: Operand, b: Operand): Tensor => logical("logical_xor", a, b, (x, y) => +((x !== 0) !== (y !== 0)));
