// transforms.RandomErasing (Zhong et al.'s random erasing, as torchvision 0.14): with
// probability p, a rectangle of random area and aspect ratio is overwritten by a value, one
// value per channel, or normal noise.
import { bindArgs, type Rest } from "../../signature.js";
import { rand, randint, randn, tensor } from "../../tensor/create.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkImage, drawAspectRatio, drawUniform, ImageTransform, pyRound } from "./transform.js";

type Range = readonly [number, number];
type EraseValue = number | readonly number[] | "random";

interface RandomErasingOptions {
  p?: number;
  scale?: Range;
  ratio?: Range;
  value?: EraseValue;
  inplace?: boolean;
}

export class RandomErasing extends ImageTransform {
  readonly p: number;
  readonly scale: Range;
  readonly ratio: Range;
  readonly value: EraseValue;
  readonly inplace: boolean;
  constructor(...args: Rest<[p: number, scale: Range, ratio: Range, value: EraseValue, inplace: boolean], RandomErasingOptions>) {
    super("RandomErasing", args);
    const o = bindArgs<RandomErasingOptions>({ fn: "RandomErasing.__init__", positional: ["p", "scale", "ratio", "value", "inplace"] }, args);
    this.p = o.p ?? 0.5;
    this.scale = o.scale ?? [0.02, 0.33];
    this.ratio = o.ratio ?? [0.3, 3.3];
    this.value = o.value ?? 0;
    this.inplace = o.inplace ?? false;
    if (typeof this.value === "string" && this.value !== "random") throw new Error("If value is str, it should be 'random'");
    if (this.scale[0] > this.scale[1] || this.ratio[0] > this.ratio[1]) console.warn("Scale and ratio should be of kind (min, max)");
    if (this.scale[0] < 0 || this.scale[1] > 1) throw new Error("Scale should be between 0 and 1");
    if (this.p < 0 || this.p > 1) throw new Error("Random erasing probability should be between 0 and 1");
  }

  /** torchvision's get_params: the rectangle's top, left, height, width and its contents (null: leave the image). */
  static getParams(img: Tensor, scale: Range, ratio: Range, value: readonly number[] | null): [number, number, number, number, Tensor | null] {
    const [c, imgH, imgW] = img.shape.slice(-3);
    const area = imgH * imgW;
    for (let attempt = 0; attempt < 10; attempt++) {
      const eraseArea = area * drawUniform(scale[0], scale[1]);
      const aspect = drawAspectRatio(ratio);
      const h = pyRound(Math.sqrt(eraseArea * aspect));
      const w = pyRound(Math.sqrt(eraseArea / aspect));
      if (!(h < imgH && w < imgW)) continue;
      const v = value === null ? randn([c, h, w]) : tensor([...value]).reshape([-1, 1, 1]);
      const i = randint(0, imgH - h + 1, [1]).item() as number;
      const j = randint(0, imgW - w + 1, [1]).item() as number;
      return [i, j, h, w, v];
    }
    return [0, 0, imgH, imgW, null];
  }

  protected transformImage(img: Tensor): Tensor {
    checkImage("RandomErasing", img);
    if (img.dim() < 3) throw new TypeError(`RandomErasing: expected an image of shape (…, C, H, W), got ${img.dim()} dimensions`);
    if ((rand([1]).item() as number) >= this.p) return img;
    const value = this.value === "random" ? null : typeof this.value === "number" ? [this.value] : [...this.value];
    const c = img.shape[img.dim() - 3];
    if (value !== null && value.length !== 1 && value.length !== c) {
      throw new Error(`If value is a sequence, it should have either a single value or ${c} (number of input channels)`);
    }
    const [i, j, h, w, v] = RandomErasing.getParams(img, this.scale, this.ratio, value);
    if (v === null) return img;
    const out = this.inplace ? img : img.clone();
    const box = out.narrow(-2, i, h).narrow(-1, j, w);
    box.copy_(v.to(img.dtype).expand([...box.shape]));
    return out;
  }
  extraRepr(): string {
    return `p=${this.p}, scale=(${this.scale.join(", ")}), ratio=(${this.ratio.join(", ")}), value=${JSON.stringify(this.value)}, inplace=${this.inplace ? "True" : "False"}`;
  }
}
