// softmax and logSoftmax: fused kernels forward; backward written with tensor ops so it is
// itself differentiable.
import { record } from "../autograd/node.js";
import { isFloating } from "../tensor/dtype.js";
import { normDim } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import * as raw from "./raw.js";

function prepare(x: Tensor, dim: number, op: string): [Tensor, number] {
  const src = isFloating(x.dtype) ? x : x.to("float32");
  if (!isFloating(x.dtype) && x.dtype === "bool") throw new TypeError(`${op}: bool input is not supported`);
  return [src, x.dim() === 0 ? 0 : normDim(dim, x.dim())];
}

export function softmax(x: Tensor, dim: number): Tensor {
  const [src, d] = prepare(x, dim, "softmax");
  const out = raw.softmax(src, d, false);
  return record("SoftmaxBackward0", [src], out, [out], (g, [y]) => [y.mul(g.sub(g.mul(y).sum(d, true)))]);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  const [src, d] = prepare(x, dim, "log_softmax");
  const out = raw.softmax(src, d, true);
  return record("LogSoftmaxBackward0", [src], out, [out], (g, [y]) => [g.sub(y.exp().mul(g.sum(d, true)))]);
}
