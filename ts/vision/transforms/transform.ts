// What torchvision's transforms share: their size and image checks, Python's rounding, and the
// base class through which DataLoader workers rebuild a transform from the library by name.
import { LIBRARY, type WorkerSpec } from "../../data/worker-loader.js";
import { Module } from "../../nn/module.js";
import { fmtShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { uniform_ } from "../../ops/convert.js";
import { empty } from "../../tensor/create.js";
import { DecodedImage } from "../image.js";

export type Size = number | readonly [number] | readonly [number, number];

/** (height, width) from torchvision's size argument: an int is a square. */
export function sizeOf(name: string, size: Size): [number, number] {
  const s = typeof size === "number" ? [size, size] : size.length === 1 ? [size[0], size[0]] : [size[0], size[1]];
  if (!s.every((v) => Number.isInteger(v) && v > 0)) throw new TypeError(`${name}: size should be a positive int or a sequence of one or two positive ints, got ${JSON.stringify(size)}`);
  return s as [number, number];
}

export function checkImage(name: string, img: Tensor): void {
  if (!(img instanceof Tensor)) throw new TypeError(`${name}: img should be a Tensor. Got ${img === null ? "null" : typeof img}`);
  if (img.dim() < 2) throw new TypeError(`${name}: tensor is not a torch image (expected at least 2 dims (…, H, W), got ${fmtShape(img.shape)})`);
}

/** Python's round(): halves go to the even neighbour (torchvision's center_crop uses it). */
export const pyRound = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** float(torch.empty(1).uniform_(low, high)): one float32 draw, as torchvision draws its parameters. */
export const drawUniform = (low: number, high: number): number => uniform_(empty([1]), low, high).item() as number;

/**
 * torch.exp(torch.empty(1).uniform_(*torch.log(torch.tensor(ratio)))).item(): an aspect ratio
 * drawn log-uniformly in float32, as RandomResizedCrop and RandomErasing draw theirs.
 */
export function drawAspectRatio(ratio: readonly [number, number]): number {
  const f32 = Math.fround;
  return f32(Math.exp(drawUniform(f32(Math.log(f32(ratio[0]))), f32(Math.log(f32(ratio[1]))))));
}

/** A transform a DataLoader worker can rebuild: the library's class by name, and its arguments. */
export abstract class Transform extends Module {
  private readonly spec: WorkerSpec;
  constructor(name: string, args: unknown[]) {
    super();
    this.spec = { module: LIBRARY, exportName: `vision.transforms.${name}`, args };
  }
  workerSpec(): WorkerSpec {
    return this.spec;
  }
}

/**
 * A transform of image tensors (…, C, H, W) that also takes a decoded image (torchvision's
 * PIL image), as torchvision's do: it works on its pixels as a C×H×W uint8 tensor and gives a
 * decoded image back when the result is still one (so RandomCrop or Resize may come before
 * ToTensor, in torchvision's order).
 */
export abstract class ImageTransform extends Transform {
  /** The transform of an image tensor. */
  protected abstract transformImage(img: Tensor): Tensor;
  forward(img: Tensor): Tensor {
    if (!((img as unknown) instanceof DecodedImage)) return this.transformImage(img);
    const out = this.transformImage((img as unknown as DecodedImage).pixels.permute([2, 0, 1]));
    return (out.dtype === "uint8" && out.dim() === 3 ? new DecodedImage(out.permute([1, 2, 0]).contiguous()) : out) as Tensor;
  }
}
