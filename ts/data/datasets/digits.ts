// The sklearn digits (1797 8×8 images, pixel values 0–16, 10 classes), bundled in the package.
import { tensor } from "../../tensor/create.js";
import { Tensor } from "../../tensor/tensor.js";
import { digitsBase64, digitsRows } from "./digits-data.js";

export interface DigitsBunch {
  /** (1797, 64) float32, values 0–16, as sklearn's `data`. */
  data: Tensor;
  /** (1797,) int64 class labels. */
  target: Tensor;
  /** (1797, 8, 8) float32, as sklearn's `images`. */
  images: Tensor;
  targetNames: number[];
}

let decoded: Uint8Array | null = null;

function rows(): Uint8Array {
  decoded ??= Uint8Array.from(atob(digitsBase64), (c) => c.charCodeAt(0));
  return decoded;
}

/** sklearn.datasets.load_digits(): the whole data set as tensors. */
export function loadDigits(): DigitsBunch {
  const bytes = rows();
  const pixels = new Float32Array(digitsRows * 64);
  const labels = new Int32Array(digitsRows);
  for (let r = 0; r < digitsRows; r++) {
    pixels.set(bytes.subarray(r * 65, r * 65 + 64), r * 64);
    labels[r] = bytes[r * 65 + 64];
  }
  const data = tensor(pixels).reshape(digitsRows, 64);
  return {
    data,
    target: tensor(labels).long(),
    images: data.reshape(digitsRows, 8, 8),
    targetNames: [...Array(10).keys()],
  };
}
