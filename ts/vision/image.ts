// A decoded image as ImageFolder's loader gives it — torchvision's PIL image: H×W×C uint8
// pixels. ToTensor and PILToTensor take it; the tensor transforms refuse it with a message, so
// a pipeline written in torchvision's order (a transform before ToTensor) cannot silently
// treat the channels as the width.
import type { Tensor } from "../tensor/tensor.js";

export class DecodedImage {
  /** `pixels`: H×W×C uint8, C = 1 (grey, PIL's "L"), 3 ("RGB") or 4 ("RGBA"). */
  constructor(readonly pixels: Tensor) {}
  /** PIL's size: [width, height]. */
  get size(): [number, number] {
    return [this.pixels.shape[1], this.pixels.shape[0]];
  }
  get mode(): "L" | "RGB" | "RGBA" {
    return ({ 1: "L", 3: "RGB", 4: "RGBA" } as const)[this.pixels.shape[2] as 1 | 3 | 4];
  }
}
