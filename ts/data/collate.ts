// default_collate: samples → batch. Tensors and typed arrays are stacked, numbers become
// int64 (all integral) or float64 tensors, booleans bool tensors, strings stay lists, and
// arrays and plain objects are collated position by position / key by key; instances of other
// classes are an error, as PyTorch's collate refuses a PIL image.
import { Tensor } from "../tensor/tensor.js";
import { stack } from "../ops/movement.js";
import { tensor } from "../tensor/create.js";
import { fmtShape } from "../tensor/shape.js";
import { isOptionsObject } from "../signature.js";

export type Batch = unknown;

export function defaultCollate(samples: unknown[], indices?: number[]): Batch {
  const first = samples[0];
  const where = (k: number): string => (indices ? `dataset index ${indices[k]}` : `sample ${k}`);
  if (first instanceof Tensor) {
    samples.forEach((s, k) => {
      if (!(s instanceof Tensor) || s.shape.join() !== first.shape.join()) {
        const shape = s instanceof Tensor ? fmtShape(s.shape) : typeof s;
        throw new Error(`default_collate: ${where(k)} has shape ${shape} but ${where(0)} has ${fmtShape(first.shape)}; every sample must have the same shape to be stacked`);
      }
    });
    return stack(samples as Tensor[], 0);
  }
  if (ArrayBuffer.isView(first)) return defaultCollate(samples.map((s) => tensor(s as Float32Array)), indices);
  if (typeof first === "number") {
    const nums = samples as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? "int64" : "float64" });
  }
  if (typeof first === "boolean") return tensor(samples as boolean[]);
  if (typeof first === "string") return samples;
  if (Array.isArray(first)) {
    samples.forEach((s, k) => {
      if (!Array.isArray(s) || s.length !== first.length) throw new Error(`default_collate: each element in list of batch should be of equal size (${where(k)} differs)`);
    });
    return first.map((_, j) => defaultCollate(samples.map((s) => (s as unknown[])[j]), indices));
  }
  if (isOptionsObject(first)) {
    return Object.fromEntries(Object.keys(first).map((key) => [key, defaultCollate(samples.map((s) => (s as Record<string, unknown>)[key]), indices)]));
  }
  // an instance of some class (a DecodedImage, as PyTorch's collate meets a PIL image) is not taken apart
  const found = first !== null && typeof first === "object" ? (first.constructor?.name ?? "object") : typeof first;
  const hint = found === "DecodedImage" ? " (a decoded image: put ToTensor() in the dataset's transform)" : "";
  throw new TypeError(`default_collate: batch must contain tensors, typed arrays, numbers, booleans, strings, arrays or objects; found ${found}${hint}`);
}
