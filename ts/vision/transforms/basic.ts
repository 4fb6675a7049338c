// torchvision.transforms on tensors: images are (…, C, H, W) tensors, uint8 (0–255) or float
// (0–1), as torchvision's tensor transforms take them; ToTensor and PILToTensor take an image
// as decoders give it, H×W×C uint8. Each transform is a Module (callable), and the random ones
// draw from taimatsu's generator exactly as torchvision draws from PyTorch's (torch.rand(1) for
// a flip, torch.randint for a crop offset), so a seed gives torchvision's choices. All but
// Lambda describe themselves for DataLoader workers, which rebuild them from the library.
import { Module } from "../../nn/module.js";
import { pad as padOp } from "../../ops/movement.js";
import { interpolate } from "../../ops/interpolate.js";
import { DType, isFloating } from "../../tensor/dtype.js";
import { rand, randint, tensor } from "../../tensor/create.js";
import { fmtShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkImage, ImageTransform, pyRound, sizeOf, Transform, type Size } from "./transform.js";
import { rgbToGrayscale } from "./color.js";
import { DecodedImage } from "../image.js";

/** transforms.Compose: each transform in turn. */
export class Compose extends Transform {
  constructor(readonly transforms: ((img: any) => any)[]) {
    super("Compose", [transforms]);
  }
  forward(img: any): any {
    return this.transforms.reduce((x, t) => t(x), img);
  }
  extraRepr(): string {
    return this.transforms.map((t) => `\n    ${String(t)}`).join("") + "\n";
  }
}

/** transforms.Lambda. */
export class Lambda extends Module {
  constructor(readonly lambd: (img: any) => any) {
    super();
    if (typeof lambd !== "function") throw new TypeError(`Argument lambd should be callable, got ${typeof lambd}`);
  }
  forward(img: any): any {
    return this.lambd(img);
  }
}

/**
 * A decoded image's pixels (a DecodedImage, or its H×W×C — or H×W — uint8 tensor, as
 * decoders give them) as C×H×W. A float tensor is an image that is a tensor already.
 */
function channelsFirst(name: string, pic: Tensor | DecodedImage): Tensor {
  const img = pic instanceof DecodedImage ? pic.pixels : pic;
  if (!(img instanceof Tensor)) throw new TypeError(`${name}: pic should be a decoded image or an image tensor (H×W×C), got ${img === null ? "null" : typeof img}`);
  if (img.dtype !== "uint8") throw new TypeError(`${name}: pic should be a decoded image (H×W×C uint8), got a ${img.dtype} tensor ${fmtShape(img.shape)}`);
  if (img.dim() === 2) return img.unsqueeze(0);
  if (img.dim() !== 3) throw new Error(`${name}: pic should be 2 or 3 dimensional. Got ${img.dim()} dimensions.`);
  return img.permute([2, 0, 1]).contiguous();
}

/**
 * transforms.ToTensor: a decoded image (H×W×C uint8) to a C×H×W float32 tensor in [0, 1]. A
 * float tensor — what taimatsu's image data sets give, as ToTensor makes it — passes unchanged,
 * so torchvision's pipelines (`[ToTensor(), Normalize(…)]`) work on them as written.
 */
export class ToTensor extends Transform {
  constructor() {
    super("ToTensor", []);
  }
  forward(pic: Tensor | DecodedImage): Tensor {
    if (pic instanceof Tensor && isFloating(pic.dtype)) return pic;
    return channelsFirst("ToTensor", pic).to("float32").div(255);
  }
}

/** transforms.PILToTensor: a decoded image (H×W×C uint8) to C×H×W uint8. */
export class PILToTensor extends Transform {
  constructor() {
    super("PILToTensor", []);
  }
  forward(pic: Tensor | DecodedImage): Tensor {
    return channelsFirst("PILToTensor", pic);
  }
}

/** transforms.ConvertImageDtype: uint8 ↔ float, rescaling as torchvision does. */
export class ConvertImageDtype extends ImageTransform {
  constructor(readonly dtype: DType) {
    super("ConvertImageDtype", [dtype]);
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("ConvertImageDtype", img);
    if (img.dtype === this.dtype) return img;
    if (isFloating(img.dtype) && isFloating(this.dtype)) return img.to(this.dtype);
    if (img.dtype === "uint8" && isFloating(this.dtype)) return img.to(this.dtype).div(255);
    if (isFloating(img.dtype) && this.dtype === "uint8") return img.mul(256 - 1e-3).to("uint8");
    throw new Error(`ConvertImageDtype: converting ${img.dtype} to ${this.dtype} is not supported by taimatsu (uint8 and floating dtypes are)`);
  }
}

/** transforms.Normalize: (img − mean) / std per channel. */
export class Normalize extends ImageTransform {
  readonly mean: number[];
  readonly std: number[];
  constructor(mean: readonly number[], std: readonly number[], readonly inplace = false) {
    super("Normalize", [mean, std, inplace]);
    this.mean = [...mean];
    this.std = [...std];
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("Normalize", img);
    if (!isFloating(img.dtype)) throw new TypeError(`Input tensor should be a float tensor. Got ${img.dtype}.`);
    if (img.dim() < 3) throw new Error(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = ${fmtShape(img.shape)}`);
    if (this.std.some((s) => s === 0)) throw new Error(`std evaluated to zero after conversion to ${img.dtype}, leading to division by zero.`);
    const c = img.shape[img.dim() - 3];
    const per = (v: number[]) => tensor(v.length === 1 ? new Array(c).fill(v[0]) : v, { dtype: img.dtype }).reshape([-1, 1, 1]);
    const out = img.sub(per(this.mean)).div(per(this.std));
    return this.inplace ? img.copy_(out) : out;
  }
  extraRepr(): string {
    return `mean=[${this.mean.join(", ")}], std=[${this.std.join(", ")}]`;
  }
}

/** torchvision's padding argument as (left, top, right, bottom). */
function paddingOf(padding: number | readonly number[]): [number, number, number, number] {
  const p = typeof padding === "number" ? [padding] : [...padding];
  if (!p.every((v) => Number.isInteger(v))) throw new TypeError(`Got inappropriate padding arg: ${JSON.stringify(padding)}`);
  if (p.length === 1) return [p[0], p[0], p[0], p[0]];
  if (p.length === 2) return [p[0], p[1], p[0], p[1]];
  if (p.length === 4) return [p[0], p[1], p[2], p[3]];
  throw new Error(`Padding must be an int or a 1, 2, or 4 element tuple, not a ${p.length} element tuple`);
}

function padImage(img: Tensor, [l, t, r, b]: [number, number, number, number], fill: number, mode: string): Tensor {
  if (mode !== "constant") throw new Error(`padding mode '${mode}' is not supported by taimatsu (constant is)`);
  return padOp(img, [l, r, t, b], fill);
}

/** transforms.Pad (constant mode). */
export class Pad extends ImageTransform {
  constructor(readonly padding: number | readonly number[], readonly fill = 0, readonly paddingMode = "constant") {
    super("Pad", [padding, fill, paddingMode]);
    paddingOf(padding);
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("Pad", img);
    return padImage(img, paddingOf(this.padding), this.fill, this.paddingMode);
  }
}

/** transforms.CenterCrop: the middle size × size (zero-padded first when the image is smaller). */
export class CenterCrop extends ImageTransform {
  readonly size: [number, number];
  constructor(size: Size) {
    super("CenterCrop", [size]);
    this.size = sizeOf("CenterCrop", size);
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("CenterCrop", img);
    const [ch, cw] = this.size;
    let x = img;
    let [h, w] = x.shape.slice(-2);
    if (ch > h || cw > w) {
      x = padImage(x, [cw > w ? (cw - w) >> 1 : 0, ch > h ? (ch - h) >> 1 : 0, cw > w ? (cw - w + 1) >> 1 : 0, ch > h ? (ch - h + 1) >> 1 : 0], 0, "constant");
      [h, w] = x.shape.slice(-2);
    }
    return x.narrow(-2, pyRound((h - ch) / 2), ch).narrow(-1, pyRound((w - cw) / 2), cw);
  }
}

/** transforms.Resize on tensors (torchvision 0.14: no antialiasing): an int matches the shorter edge, keeping the aspect ratio. */
export class Resize extends ImageTransform {
  readonly size: number[];
  constructor(size: Size, readonly interpolation: "bilinear" | "nearest" = "bilinear", readonly maxSize: number | null = null, readonly antialias: boolean | null = null) {
    super("Resize", [size, interpolation, maxSize, antialias]);
    this.size = typeof size === "number" ? [size] : [...size];
    if (!this.size.every((v) => Number.isInteger(v) && v > 0) || this.size.length > 2) throw new TypeError(`Size should be int or sequence. Got ${JSON.stringify(size)}`);
    if (maxSize !== null && this.size.length !== 1) throw new Error(`max_size should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.`);
    if (antialias) throw new Error("Resize: antialias=true is not supported by taimatsu");
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("Resize", img);
    const [h, w] = img.shape.slice(-2);
    let [oh, ow] = this.size.length === 2 ? this.size : [0, 0];
    if (this.size.length === 1) {
      const [short, long] = w <= h ? [w, h] : [h, w];
      let [newShort, newLong] = [this.size[0], Math.floor((this.size[0] * long) / short)];
      if (this.maxSize !== null) {
        if (this.maxSize <= this.size[0]) throw new Error(`max_size = ${this.maxSize} must be strictly greater than the requested size for the smaller edge size = [${this.size[0]}]`);
        if (newLong > this.maxSize) [newShort, newLong] = [Math.floor((this.maxSize * newShort) / newLong), this.maxSize];
      }
      [ow, oh] = w <= h ? [newShort, newLong] : [newLong, newShort];
    }
    return resizeImage(img, [oh, ow], this.interpolation);
  }
}

/** F.resize on tensors to exactly (oh, ow): resampled in float, integer images rounded back. */
export function resizeImage(img: Tensor, [oh, ow]: readonly [number, number], interpolation: "bilinear" | "nearest"): Tensor {
  const [h, w] = img.shape.slice(-2);
  const x = isFloating(img.dtype) ? img : img.to("float32");
  const batched = x.dim() === 3 ? x.unsqueeze(0) : x.dim() === 2 ? x.unsqueeze(0).unsqueeze(0) : x;
  const flat = batched.reshape([-1, batched.shape[batched.dim() - 3], h, w]);
  const y = interpolate(flat, { size: [oh, ow], mode: interpolation }).reshape([...img.shape.slice(0, -2), oh, ow]);
  return isFloating(img.dtype) ? y : y.round().to(img.dtype);
}

/** transforms.RandomCrop: a size × size window at an offset drawn as torchvision draws it. */
export class RandomCrop extends ImageTransform {
  readonly size: [number, number];
  constructor(size: Size, readonly opts: { padding?: number | readonly number[] | null; padIfNeeded?: boolean; fill?: number; paddingMode?: string } = {}) {
    super("RandomCrop", [size, opts]);
    this.size = sizeOf("RandomCrop", size);
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("RandomCrop", img);
    const { padding = null, padIfNeeded = false, fill = 0, paddingMode = "constant" } = this.opts;
    let x = padding === null ? img : padImage(img, paddingOf(padding), fill, paddingMode);
    const [th, tw] = this.size;
    if (padIfNeeded && x.shape[x.dim() - 1] < tw) x = padImage(x, paddingOf([tw - x.shape[x.dim() - 1], 0]), fill, paddingMode);
    if (padIfNeeded && x.shape[x.dim() - 2] < th) x = padImage(x, paddingOf([0, th - x.shape[x.dim() - 2]]), fill, paddingMode);
    const [h, w] = x.shape.slice(-2);
    if (h < th || w < tw) throw new Error(`Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (h === th && w === tw) return x;
    const i = randint(0, h - th + 1, [1]).item();
    const j = randint(0, w - tw + 1, [1]).item();
    return x.narrow(-2, i, th).narrow(-1, j, tw);
  }
}

/** A mirror along one axis with probability p, drawn as torchvision draws it (torch.rand(1) < p). */
abstract class RandomFlip extends ImageTransform {
  constructor(private readonly op: string, private readonly axis: number, readonly p: number) {
    super(op, [p]);
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage(this.op, img);
    return rand([1]).item() < this.p ? img.flip(this.axis) : img;
  }
  extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** transforms.RandomHorizontalFlip: mirrors left–right with probability p. */
export class RandomHorizontalFlip extends RandomFlip {
  constructor(p = 0.5) {
    super("RandomHorizontalFlip", -1, p);
  }
}

/** transforms.RandomVerticalFlip: mirrors top–bottom with probability p. */
export class RandomVerticalFlip extends RandomFlip {
  constructor(p = 0.5) {
    super("RandomVerticalFlip", -2, p);
  }
}

/** transforms.Grayscale: ITU-R 601-2 luma (0.2989 R + 0.587 G + 0.114 B), in the image's dtype. */
export class Grayscale extends ImageTransform {
  constructor(readonly numOutputChannels: 1 | 3 = 1) {
    super("Grayscale", [numOutputChannels]);
    if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new Error("num_output_channels should be either 1 or 3");
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("Grayscale", img);
    if (img.dim() < 3) throw new TypeError(`Input image tensor should have at least 3 dimensions, but found ${img.dim()}`);
    const c = img.shape[img.dim() - 3];
    if (c !== 1 && c !== 3) throw new TypeError(`Input image tensor permitted channel values are [1, 3], but found ${c}`);
    const gray = c === 3 ? rgbToGrayscale(img) : img.clone();
    return this.numOutputChannels === 3 ? gray.expand([...img.shape.slice(0, -3), 3, ...img.shape.slice(-2)]) : gray;
  }
}
