// torchvision.utils.make_grid: a batch of images laid out as one picture, rows of `nrow`,
// `padding` pixels of `padValue` around each, optionally rescaled to [0, 1] — for showing
// samples and predictions. Without gradients, as torchvision's. save_image: that picture as
// a PNG file.
import { noGrad } from "../autograd/mode.js";
import { cat, stack } from "../ops/movement.js";
import { full } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";
import { writePng } from "./io.js";

export interface MakeGridOptions {
  nrow?: number;
  padding?: number;
  /** Shift to [0, 1] by valueRange, or by the images' own min and max. */
  normalize?: boolean;
  valueRange?: readonly [number, number] | null;
  /** With normalize: each image by its own min and max. */
  scaleEach?: boolean;
  padValue?: number;
}

export function makeGrid(images: Tensor | readonly Tensor[], opts: MakeGridOptions = {}): Tensor {
  const { nrow = 8, padding = 2, normalize = false, valueRange = null, scaleEach = false, padValue = 0 } = opts;
  if (!(images instanceof Tensor) && !(Array.isArray(images) && images.every((t) => t instanceof Tensor))) {
    throw new TypeError(`tensor or list of tensors expected, got ${Array.isArray(images) ? "a list containing something else" : typeof images}`);
  }
  return noGrad(() => {
    let t = images instanceof Tensor ? images : stack([...images], 0);
    if (t.dim() === 2) t = t.unsqueeze(0);
    if (t.dim() === 3) t = (t.shape[0] === 1 ? cat([t, t, t], 0) : t).unsqueeze(0);
    if (t.dim() === 4 && t.shape[1] === 1) t = cat([t, t, t], 1);
    if (normalize) {
      const rescale = (img: Tensor): Tensor => {
        const [low, high] = valueRange ?? [img.min().item(), img.max().item()];
        return img.clamp(low, high).sub(low).div(Math.max(high - low, 1e-5));
      };
      t = scaleEach ? stack(t.unbind(0).map(rescale), 0) : rescale(t);
    }
    if (t.shape[0] === 1) return t.squeeze(0);
    const [n, c, h, w] = t.shape;
    const xmaps = Math.min(nrow, n);
    const ymaps = Math.ceil(n / xmaps);
    const [height, width] = [h + padding, w + padding];
    const grid = full([c, height * ymaps + padding, width * xmaps + padding], padValue, { dtype: t.dtype });
    for (let k = 0; k < n; k++) {
      const [y, x] = [Math.floor(k / xmaps), k % xmaps];
      grid.narrow(1, y * height + padding, h).narrow(2, x * width + padding, w).copy_(t.select(0, k));
    }
    return grid;
  });
}

/**
 * torchvision.utils.save_image: the grid of `images` (floats in [0, 1]) as 8-bit PNG, written
 * to `path` (Node, Bun, Deno); returns the file's bytes (in a browser, call it without a path).
 */
export async function saveImage(images: Tensor | readonly Tensor[], path?: string, opts: MakeGridOptions = {}): Promise<Uint8Array> {
  const grid = makeGrid(images, opts);
  const pixels = noGrad(() => grid.mul(255).add(0.5).clamp(0, 255).to("uint8"));
  return writePng(pixels, path);
}
