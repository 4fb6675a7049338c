// torch.autograd.gradcheck: compares the analytical Jacobian (one backward per output
// element) with central finite differences. Use float64 inputs, as PyTorch requires.
import { readValues, storageArray } from "../backend/typed.js";
import type { Tensor } from "../tensor/tensor.js";
import { gradWithoutBoundary } from "./engine.js";
import { withGradMode } from "./mode.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

function setElement(t: Tensor, flat: number, value: number): void {
  // walk the strided position of logical element `flat`
  let rem = flat;
  let off = t.offset;
  for (let d = t.dim() - 1; d >= 0; d--) {
    off += (rem % t.shape[d]) * t.strides[d];
    rem = Math.floor(rem / t.shape[d]);
  }
  (storageArray(t.storage) as Float64Array)[off] = value;
}

const valuesOf = (t: Tensor): Float64Array => readValues(t.storage, t.shape, t.strides, t.offset);

/** Throws with the first mismatching Jacobian entry; returns true when all agree. */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts;
  for (const x of inputs) {
    if (x.requiresGrad && x.dtype !== "float64") {
      throw new Error(`gradcheck: input of dtype ${x.dtype} requires grad; use float64 inputs (tensor.double()) as PyTorch's gradcheck expects`);
    }
  }
  const out = fn(...inputs);
  const nOut = out.numel();
  const diff = inputs.filter((x) => x.requiresGrad);
  // analytical: row i of the Jacobian is the gradient of out[i]
  const analytical = diff.map((x) => new Float64Array(nOut * x.numel()));
  for (let i = 0; i < nOut; i++) {
    const g = out.detach().mul(0);
    setElement(g, i, 1);
    const grads = gradWithoutBoundary([out], diff, { gradOutputs: [g], retainGraph: true, allowUnused: true });
    grads.forEach((gx, k) => {
      if (gx !== null) analytical[k].set(valuesOf(gx), i * diff[k].numel());
    });
  }
  // numerical: central differences, one input element at a time
  diff.forEach((x, k) => {
    const base = valuesOf(x);
    for (let j = 0; j < x.numel(); j++) {
      setElement(x, j, base[j] + eps);
      const plus = valuesOf(withGradMode(false, () => fn(...inputs)));
      setElement(x, j, base[j] - eps);
      const minus = valuesOf(withGradMode(false, () => fn(...inputs)));
      setElement(x, j, base[j]);
      for (let i = 0; i < nOut; i++) {
        const num = (plus[i] - minus[i]) / (2 * eps);
        const ana = analytical[k][i * x.numel() + j];
        if (!(Math.abs(num - ana) <= atol + rtol * Math.abs(num))) {
          throw new Error(
            `gradcheck: Jacobian mismatch for output ${i} with respect to input ${k}, element ${j}: ` +
              `numerical ${num}, analytical ${ana}`,
          );
        }
      }
    }
  });
  return true;
}
