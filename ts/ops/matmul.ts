// Matrix products. matmul follows torch.matmul's rules for 1-D operands (prepend/append a
// dim, then remove it) and broadcasts batch dims. The backward uses transposed *views*
// (g·Bᵀ, Aᵀ·g), which the kernel reads by stride, so no transpose is ever copied.
import { fused, record } from "../autograd/node.js";
import { promoteTypes } from "../tensor/dtype.js";
import { broadcastShapes, fmtShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { sumTo } from "./binary.js";
import { squeeze, transpose, unsqueeze } from "./movement.js";
import * as raw from "./raw.js";

function product(a: Tensor, b: Tensor, op: string): Tensor {
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) {
    throw new Error(
      a.dim() === 2 && b.dim() === 2
        ? `mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`
        : `${op}: Expected size for first two dimensions of batch2 tensor to be: [${a.shape.slice(0, -2).concat(k).join(", ")}] but got: [${b.shape.slice(0, -2).concat(k2).join(", ")}]. (shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`,
    );
  }
  if (a.dtype !== b.dtype) {
    throw new TypeError(`expected m1 and m2 to have the same dtype, but got: ${a.dtype} != ${b.dtype}`);
  }
  if (a.dtype === "bool") throw new TypeError(`${op}: bool tensors are not supported`);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = raw.matmul(a, b, batch, promoteTypes(a.dtype, b.dtype));
  return record(a.dim() === 2 && b.dim() === 2 ? "MmBackward0" : "BmmBackward0", [a, b], out, [a, b], (g, [x, y]) => [
    a.requiresGrad ? sumTo(product(g, transpose(y, -1, -2), op), x.shape) : null,
    b.requiresGrad ? sumTo(product(transpose(x, -1, -2), g, op), y.shape) : null,
  ]);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.dim() === 0 || b.dim() === 0) {
    throw new Error(`both arguments to matmul need to be at least 1D, but they are ${a.dim()}D and ${b.dim()}D`);
  }
  if (a.dim() === 1 && b.dim() === 1) return dot(a, b);
  const a2 = a.dim() === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.dim() === 1 ? unsqueeze(b, 1) : b;
  if (a.dim() === 1 && a2.shape[1] !== b2.shape[b2.dim() - 2]) {
    throw new Error(`size mismatch, got input (${a.shape[0]}), mat (${b.shape.join("x")})`);
  }
  if (b.dim() === 1 && a2.shape[a2.dim() - 1] !== b.shape[0]) {
    throw new Error(`size mismatch, got input (${a.shape.join("x")}), vec (${b.shape[0]})`);
  }
  let out = product(a2, b2, "matmul");
  if (a.dim() === 1) out = squeeze(out, -2);
  if (b.dim() === 1) out = squeeze(out, -1);
  return out;
}

export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 2) throw new Error(`self must be a matrix (got ${a.dim()}-D tensor of shape ${fmtShape(a.shape)})`);
  if (b.dim() !== 2) throw new Error(`mat2 must be a matrix (got ${b.dim()}-D tensor of shape ${fmtShape(b.shape)})`);
  return product(a, b, "mm");
}

/** torch.addmm: beta·input + alpha·(mat1 @ mat2), one AddmmBackward0 node (what nn.Linear records for 2-D input). */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  const { beta = 1, alpha = 1 } = opts;
  if (mat1.dim() !== 2) throw new Error(`mat1 must be a matrix, got ${mat1.dim()}-D tensor`);
  if (mat2.dim() !== 2) throw new Error(`mat2 must be a matrix, got ${mat2.dim()}-D tensor`);
  const shape = [mat1.shape[0], mat2.shape[1]];
  if (!broadcastShapes(input.shape, shape).every((d, i) => d === shape[i]) || input.dim() > 2) {
    throw new Error(`The expanded size of the tensor (${shape[1]}) must match the existing size (${input.shape[input.dim() - 1]}) at non-singleton dimension 1.  Target sizes: [${shape.join(", ")}].  Tensor sizes: ${fmtShape(input.shape)}`);
  }
  const scale = (t: Tensor, k: number): Tensor => (k === 1 ? t : t.mul(k));
  return fused("AddmmBackward0", [input, mat1, mat2], [mat1, mat2], () => {
    const p = scale(product(mat1, mat2, "addmm"), alpha);
    return beta === 0 ? p : p.add(scale(input, beta));
  }, (g, [a, b]) => [
    input.requiresGrad ? sumTo(scale(g, beta), input.shape) : null,
    mat1.requiresGrad ? scale(product(g, transpose(b, 0, 1), "addmm"), alpha) : null,
    mat2.requiresGrad ? scale(product(transpose(a, 0, 1), g, "addmm"), alpha) : null,
  ]);
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 3) throw new Error(`batch1 must be a 3D tensor (got ${a.dim()}-D)`);
  if (b.dim() !== 3) throw new Error(`batch2 must be a 3D tensor (got ${b.dim()}-D)`);
  if (a.shape[0] !== b.shape[0]) throw new Error(`batch1 and batch2 must have same number of batches, got ${a.shape[0]} and ${b.shape[0]}`);
  return product(a, b, "bmm");
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 1 || b.dim() !== 1) throw new Error(`1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors`);
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(`inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
  }
  return squeeze(product(unsqueeze(a, 0), unsqueeze(b, 1), "dot"), [0, 1]);
}
