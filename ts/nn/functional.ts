// torch.nn.functional: the functional forms the layers call.
import { Tensor } from "../tensor/tensor.js";
import { leakyRelu as leakyReluOp } from "../ops/unary.js";

export const relu = (x: Tensor): Tensor => x.relu();
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => leakyReluOp(x, negativeSlope);
export const gelu = (x: Tensor): Tensor => x.gelu();
export const silu = (x: Tensor): Tensor => x.silu();
export const softplus = (x: Tensor): Tensor => x.softplus();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);

/** y = x·Wᵀ + b, with W of shape (out, in) as PyTorch stores it; Wᵀ is a view, not a copy. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const y = x.matmul(weight.t());
  return bias ? y.add(bias) : y;
}
