// torch.linalg: vector norms, torch.linalg.vector_norm and Tensor.norm, one LinalgVectorNormBackward0 node
// as PyTorch records them, with PyTorch's gradient at zero (0, not NaN) and, for ±inf, the
// gradient split evenly between the entries that reach the extreme.
import { fused } from "../autograd/node.js";
import { isFloating } from "../tensor/dtype.js";
import { normDims } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { where } from "./binary.js";
import { reshape } from "./movement.js";

export type Ord = number | "fro";

/** The reduced gradient or value broadcast back over x (dims restored when keepdim was false). */
function unreduce(t: Tensor, x: Tensor, dims: number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0) return t;
  return reshape(t, x.shape.map((s, i) => (dims.includes(i) ? 1 : s)));
}

/** torch.linalg.vector_norm(x, ord=2, dim=None, keepdim=False): over all elements or `dim`. */
export function vectorNorm(x: Tensor, ord: Ord = 2, dim?: number | number[] | null, keepdim = false): Tensor {
  const p = ord === "fro" ? 2 : ord;
  if (!isFloating(x.dtype)) {
    throw new TypeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${x.dtype === "bool" ? "Bool" : x.dtype === "int32" ? "Int" : "Long"}`);
  }
  const dims = dim === undefined || dim === null ? [...x.shape.keys()] : normDims(Array.isArray(dim) ? dim : [dim], x.dim());
  const abs = (): Tensor => x.abs();
  const value = (): Tensor => {
    if (p === Infinity) return abs().amax(dims, keepdim);
    if (p === -Infinity) return abs().amin(dims, keepdim);
    if (p === 0) return x.ne(0).to(x.dtype).sum(dims, keepdim);
    if (p === 1) return abs().sum(dims, keepdim);
    if (p === 2) return x.square().sum(dims, keepdim).sqrt();
    return abs().pow(p).sum(dims, keepdim).pow(1 / p);
  };
  return fused("LinalgVectorNormBackward0", [x], [x], value, (g, [xs]) => {
    if (p === 0) return [Tensor.zeros(xs.shape, xs.dtype)];
    const norm = unreduce(value(), xs, dims, keepdim);
    const gk = unreduce(g, xs, dims, keepdim);
    if (p === 1) return [xs.sign().mul(gk)];
    if (p === Infinity || p === -Infinity) {
      const hits = xs.abs().eq(norm).to(xs.dtype);
      return [xs.sign().mul(hits).div(hits.sum(dims, true)).mul(gk)];
    }
    // d‖x‖ₚ/dx = sign(x)·|x|^(p−1) / ‖x‖ₚ^(p−1), taken as 0 where the norm is 0
    const scaled = p === 2 ? xs.div(norm) : xs.sign().mul(xs.abs().pow(p - 1)).div(norm.pow(p - 1));
    return [where(norm.eq(0), 0, scaled).mul(gk)];
  });
}
