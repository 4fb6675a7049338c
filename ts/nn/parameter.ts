// nn.Parameter: a leaf tensor that requires grad, is kept across training iterations, and
// registers itself when assigned to a Module field.
import { Tensor } from "../tensor/tensor.js";
import { formatTensor } from "../tensor/format.js";
import { check } from "../ops/raw.js";

export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError(`Parameter: expected a Tensor as data, got ${typeof data}`);
    super(check("Parameter", data).storage, data.shape, data.strides, data.offset, data.dtype);
    this.keep();
    if (requiresGrad) this.requiresGrad = true;
  }

  toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }
}
