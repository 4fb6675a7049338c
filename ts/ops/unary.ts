// Unary elementwise ops. Each is one table row: its kernel (the Rust export `<name>_f32`),
// its JS twin, PyTorch's backward-node name and the backward itself. Integer inputs to
// float-valued functions (exp, log, …) are promoted to float32 as PyTorch does.
import { record } from "../autograd/node.js";
import { isFloating } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { toDtype } from "./convert.js";
import * as raw from "./raw.js";

interface UnarySpec {
  /** Rust kernel `${kernel}_f32`, or null for the JS loop (ops that are never hot). */
  kernel: string | null;
  js: (v: number) => number;
  grad: string;
  /** Promote integer inputs to float32 (exp, sigmoid, …); otherwise keep the dtype (neg, abs). */
  floatOut: boolean;
  /** Which tensors backward needs: the input, the output, or both. */
  saves: "input" | "output" | "both";
  backward: (g: Tensor, x: Tensor, out: Tensor) => Tensor;
}

function defineUnary(spec: UnarySpec): (x: Tensor) => Tensor {
  return (x: Tensor): Tensor => {
    const src = spec.floatOut && !isFloating(x.dtype) ? toDtype(x, "float32") : x;
    if (!spec.floatOut && x.dtype === "bool") throw new Error(`${spec.kernel ?? spec.grad}: bool tensors are not supported`);
    const out = raw.unary(src, spec.kernel, spec.js, src.dtype);
    const saved = spec.saves === "input" ? [src] : spec.saves === "output" ? [out] : [src, out];
    record(spec.grad, [src], out, saved, (g, s) => {
      const xs = spec.saves === "output" ? out : s[0];
      const os = spec.saves === "input" ? out : s[s.length - 1];
      return [spec.backward(g, xs, os)];
    });
    raw.dropCopy(src, x);
    return out;
  };
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** erf to double precision for the JS paths (Abramowitz–Stegun 7.1.26 is not enough there). */
export function erfJs(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let sum = x;
    let term = x;
    for (let k = 1; k < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
      term *= (-x * x) / k;
      sum += term / (2 * k + 1);
    }
    return (sum * 2) / Math.sqrt(Math.PI);
  }
  let frac = a;
  for (let n = 80; n >= 1; n--) frac = a + n / 2 / frac;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / frac;
  return Math.sign(x) * (1 - erfc);
}

const sigmoidJs = (v: number): number => 1 / (1 + Math.exp(-v));

export const neg = defineUnary({ kernel: "neg", js: (v) => -v, grad: "NegBackward0", floatOut: false, saves: "input", backward: (g) => g.neg() });
export const abs = defineUnary({ kernel: "abs", js: Math.abs, grad: "AbsBackward0", floatOut: false, saves: "input", backward: (g, x) => g.mul(x.sign()) });
export const sign = defineUnary({ kernel: null, js: (v) => (Number.isNaN(v) ? 0 : Math.sign(v)), grad: "SignBackward0", floatOut: false, saves: "input", backward: (g) => g.mul(0) });
export const exp = defineUnary({ kernel: "exp", js: Math.exp, grad: "ExpBackward0", floatOut: true, saves: "output", backward: (g, _x, out) => g.mul(out) });
export const log = defineUnary({ kernel: "log", js: Math.log, grad: "LogBackward0", floatOut: true, saves: "input", backward: (g, x) => g.div(x) });
export const sqrt = defineUnary({ kernel: "sqrt", js: Math.sqrt, grad: "SqrtBackward0", floatOut: true, saves: "output", backward: (g, _x, out) => g.div(out.mul(2)) });
export const rsqrt = defineUnary({ kernel: "rsqrt", js: (v) => 1 / Math.sqrt(v), grad: "RsqrtBackward0", floatOut: true, saves: "output", backward: (g, _x, out) => g.mul(out.pow(3)).mul(-0.5) });
export const sin = defineUnary({ kernel: "sin", js: Math.sin, grad: "SinBackward0", floatOut: true, saves: "input", backward: (g, x) => g.mul(x.cos()) });
export const cos = defineUnary({ kernel: "cos", js: Math.cos, grad: "CosBackward0", floatOut: true, saves: "input", backward: (g, x) => g.mul(x.sin()).neg() });
export const tanh = defineUnary({ kernel: "tanh", js: Math.tanh, grad: "TanhBackward0", floatOut: true, saves: "output", backward: (g, _x, out) => g.mul(out.mul(out).neg().add(1)) });
export const sigmoid = defineUnary({ kernel: "sigmoid", js: sigmoidJs, grad: "SigmoidBackward0", floatOut: true, saves: "output", backward: (g, _x, out) => g.mul(out.mul(out.neg().add(1))) });
export const relu = defineUnary({ kernel: "relu", js: (v) => (v > 0 || Number.isNaN(v) ? v : 0), grad: "ReluBackward0", floatOut: false, saves: "output", backward: (g, _x, out) => g.mul(step(out)) });
export const gelu = defineUnary({
  kernel: "gelu", js: (v) => 0.5 * v * (1 + erfJs(v / Math.SQRT2)), grad: "GeluBackward0", floatOut: true, saves: "input",
  // d/dx x·Φ(x) = Φ(x) + x·φ(x)
  backward: (g, x) => g.mul(x.mul(Math.SQRT1_2).erf().add(1).mul(0.5).add(x.mul(x.square().mul(-0.5).exp()).mul(INV_SQRT_2PI))),
});
export const silu = defineUnary({
  kernel: "silu", js: (v) => v * sigmoidJs(v), grad: "SiluBackward0", floatOut: true, saves: "input",
  backward: (g, x) => {
    const s = x.sigmoid();
    return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
  },
});
export const softplus = defineUnary({
  kernel: "softplus", js: (v) => (v > 20 ? v : Math.log1p(Math.exp(v))), grad: "SoftplusBackward0", floatOut: true, saves: "input",
  backward: (g, x) => g.mul(x.sigmoid()),
});
export const erf = defineUnary({ kernel: "erf", js: erfJs, grad: "ErfBackward0", floatOut: true, saves: "input", backward: (g, x) => g.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI))) });
export const reciprocal = defineUnary({ kernel: "reciprocal", js: (v) => 1 / v, grad: "ReciprocalBackward0", floatOut: true, saves: "output", backward: (g, _x, out) => g.mul(out.square()).neg() });
export const square = defineUnary({ kernel: "square", js: (v) => v * v, grad: "PowBackward0", floatOut: false, saves: "input", backward: (g, x) => g.mul(x).mul(2) });

/** 1 where x > 0, else 0: the mask in relu's backward. A constant for autograd. */
export function step(x: Tensor): Tensor {
  return raw.unary(x, "step", (v) => (v > 0 ? 1 : 0), x.dtype);
}

export function clamp(x: Tensor, min: number | null, max: number | null): Tensor {
  if (min === null && max === null) throw new Error("torch.clamp: At least one of 'min' or 'max' must not be None");
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const js = (v: number): number => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi));
  const out = raw.unary(x, isFloating(x.dtype) ? "clamp" : null, js, x.dtype, min ?? NaN, max ?? NaN);
  return record("ClampBackward1", [x], out, [x], (g, [xs]) => [g.mul(xs.ge(lo).logicalAnd(xs.le(hi)).to(g.dtype))]);
}

export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  const out = raw.unary(x, "leaky_relu", (v) => (v > 0 ? v : v * slope), x.dtype, slope);
  return record("LeakyReluBackward0", [x], out, [x], (g, [xs]) => [g.mul(xs.gt(0).to(g.dtype).mul(1 - slope).add(slope))]);
}

// Piecewise-constant functions: their gradient is zero everywhere it exists, as in PyTorch.
const zeroGrad = (g: Tensor): Tensor => g.mul(0);
/** Rounds half to even, as torch.round. */
export const roundHalfEven = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
export const round = defineUnary({ kernel: null, js: roundHalfEven, grad: "RoundBackward0", floatOut: false, saves: "input", backward: zeroGrad });
export const floor = defineUnary({ kernel: null, js: Math.floor, grad: "FloorBackward0", floatOut: false, saves: "input", backward: zeroGrad });
export const ceil = defineUnary({ kernel: null, js: Math.ceil, grad: "CeilBackward0", floatOut: false, saves: "input", backward: zeroGrad });
