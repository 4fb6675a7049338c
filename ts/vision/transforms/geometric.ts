// torchvision's geometric augmentations on tensors: RandomResizedCrop, RandomRotation and
// RandomAffine. Parameters are drawn as torchvision 0.14 draws them (torch.empty(1).uniform_,
// torch.randint, in its order), so a seed gives its crops and angles; rotations and affine maps
// resample through its inverse matrix, its sampling grid and grid_sample, in float32 as it does.
import { gridSample } from "../../ops/grid-sample.js";
import { bindArgs, type Rest } from "../../signature.js";
import { ones, randint, tensor } from "../../tensor/create.js";
import { isFloating } from "../../tensor/dtype.js";
import { cat } from "../../ops/movement.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkImage, drawAspectRatio, drawUniform, ImageTransform, pyRound, sizeOf, type Size } from "./transform.js";
import { resizeImage } from "./basic.js";

type Interpolation = "nearest" | "bilinear";
type Fill = number | readonly number[];
type Range = readonly [number, number];

const f32 = Math.fround;


function checkInterpolation(name: string, mode: unknown): Interpolation {
  if (mode !== "nearest" && mode !== "bilinear") throw new Error(`${name}: interpolation '${String(mode)}' is not supported by taimatsu on tensors (nearest and bilinear are)`);
  return mode;
}

/** torchvision's _setup_angle: a number d is [-d, d] (d ≥ 0); a sequence must have one of `sizes` lengths. */
function setupAngle(value: number | readonly number[], name: string, sizes: readonly number[]): number[] {
  if (typeof value === "number") {
    if (value < 0) throw new Error(`If ${name} is a single number, it must be positive.`);
    return [-value, value];
  }
  if (!sizes.includes(value.length)) throw new Error(`If ${name} is a sequence its length should be one of ${JSON.stringify(sizes)}.`);
  return [...value];
}

/** torchvision's _get_inverse_affine_matrix: the output → input map, in double precision. */
function inverseAffineMatrix(center: Range, angle: number, translate: Range, scale: number, shear: Range): number[] {
  const rad = (d: number) => (d * Math.PI) / 180;
  const [rot, sx, sy] = [rad(angle), rad(shear[0]), rad(shear[1])];
  const [cx, cy] = center;
  const [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

/** torchvision's _compute_affine_output_size (rotate with expand=True): the (width, height) holding the whole turned image. */
function expandedSize(m: readonly number[], w: number, h: number): [number, number] {
  const theta = m.map(f32);
  const corners = [[-0.5 * w, -0.5 * h], [-0.5 * w, 0.5 * h], [0.5 * w, 0.5 * h], [0.5 * w, -0.5 * h]];
  const tol = f32(1e-4);
  const size = [0, 1].map((k) => {
    const along = corners.map(([x, y]) => f32(f32(f32(x * theta[3 * k]) + f32(y * theta[3 * k + 1])) + theta[3 * k + 2]));
    const shift = f32((k === 0 ? w : h) * 0.5);
    // truncated to 1e-4 first, so that a rounding error of 1e-15 does not add a whole pixel
    const cmax = Math.ceil(f32(Math.trunc(f32(f32(Math.max(...along) + shift) / tol)) * tol));
    const cmin = Math.floor(f32(Math.trunc(f32(f32(Math.min(...along) + shift) / tol)) * tol));
    return cmax - cmin;
  });
  return [size[0], size[1]];
}

/**
 * torchvision's _gen_affine_grid: output pixel centres (x − ow/2 + 0.5, y − oh/2 + 0.5, 1) times
 * the matrix scaled to [-1, 1] coordinates, in the image's float dtype (float32 for integer
 * images): a (1, oh, ow, 2) grid.
 */
function affineGrid(m: readonly number[], w: number, h: number, ow: number, oh: number, dtype: "float32" | "float64"): Tensor {
  const r = dtype === "float32" ? f32 : (v: number) => v;
  const theta = m.map(r);
  const [sx, sy] = [r(0.5 * w), r(0.5 * h)];
  const t = [r(theta[0] / sx), r(theta[3] / sy), r(theta[1] / sx), r(theta[4] / sy), r(theta[2] / sx), r(theta[5] / sy)];
  const grid = new Float64Array(oh * ow * 2);
  for (let i = 0; i < oh; i++) {
    const y = -oh * 0.5 + 0.5 + i;
    for (let j = 0; j < ow; j++) {
      const x = -ow * 0.5 + 0.5 + j;
      grid[2 * (i * ow + j)] = r(r(r(x * t[0]) + r(y * t[2])) + t[4]);
      grid[2 * (i * ow + j) + 1] = r(r(r(x * t[1]) + r(y * t[3])) + t[5]);
    }
  }
  return tensor(grid, { dtype }).reshape([1, oh, ow, 2]);
}

const gridDtype = (img: Tensor): "float32" | "float64" => (img.dtype === "float64" ? "float64" : "float32");

/**
 * torchvision's _apply_grid_transform: samples the image (float32 for integer images) at the
 * grid, with a mask channel that marks where the fill colour goes, then rounds integer images back.
 */
function applyGrid(img: Tensor, grid: Tensor, mode: Interpolation, fill: readonly number[]): Tensor {
  const integer = !isFloating(img.dtype);
  let x = integer ? img.to("float32") : img.to(grid.dtype);
  const squeeze = x.dim() < 4;
  if (squeeze) x = x.unsqueeze(0);
  const [n, , h, w] = x.shape;
  const withMask = cat([x, ones([n, 1, h, w], { dtype: x.dtype })], 1);
  const sampled = gridSample(withMask, grid.expand([n, ...grid.shape.slice(1)]), { mode, paddingMode: "zeros", alignCorners: false });
  const c = sampled.shape[1] - 1;
  let y = sampled.narrow(1, 0, c);
  const mask = sampled.narrow(1, c, 1).expand([...y.shape]);
  const fillImg = tensor([...fill], { dtype: y.dtype }).reshape([1, fill.length, 1, 1]).expand([...y.shape]);
  y = mode === "nearest" ? fillImg.where(mask.lt(0.5), y) : y.mul(mask).add(mask.neg().add(1).mul(fillImg));
  if (squeeze) y = y.squeeze(0);
  return integer ? y.round().to(img.dtype) : y;
}

/** The fill as torchvision's tensor path takes it: one value per channel. */
function fillPerChannel(name: string, fill: Fill, img: Tensor): number[] {
  const channels = img.dim() >= 3 ? img.shape[img.dim() - 3] : 1;
  const values = typeof fill === "number" ? new Array<number>(channels).fill(fill) : [...fill];
  if (values.length !== 1 && values.length !== channels) {
    throw new Error(`${name}: the number of elements in 'fill' does not match the number of channels of the image (${values.length} != ${channels})`);
  }
  return values;
}

/** A center given in pixels, as torchvision moves it: relative to the image centre. */
const centerOf = (center: Range | null, img: Tensor): Range => {
  if (center === null) return [0, 0];
  const [h, w] = img.shape.slice(-2);
  return [center[0] - w * 0.5, center[1] - h * 0.5];
};

interface RandomResizedCropOptions {
  scale?: Range;
  ratio?: Range;
  interpolation?: Interpolation;
  antialias?: boolean | null;
}

/** transforms.RandomResizedCrop: a crop of random area and aspect ratio, resized to `size`. */
export class RandomResizedCrop extends ImageTransform {
  readonly size: [number, number];
  readonly scale: Range;
  readonly ratio: Range;
  readonly interpolation: Interpolation;
  constructor(size: Size, ...args: Rest<[scale: Range, ratio: Range, interpolation: Interpolation], RandomResizedCropOptions>) {
    super("RandomResizedCrop", [size, ...args]);
    const o = bindArgs<RandomResizedCropOptions & { size: Size }>(
      { fn: "RandomResizedCrop.__init__", positional: ["size", "scale", "ratio", "interpolation"], required: 1, keywords: ["antialias"] },
      [size, ...args],
    );
    this.size = sizeOf("RandomResizedCrop", o.size);
    this.scale = o.scale ?? [0.08, 1];
    this.ratio = o.ratio ?? [3 / 4, 4 / 3];
    this.interpolation = checkInterpolation("RandomResizedCrop", o.interpolation ?? "bilinear");
    if (o.antialias) throw new Error("RandomResizedCrop: antialias=true is not supported by taimatsu");
    if (this.scale[0] > this.scale[1] || this.ratio[0] > this.ratio[1]) console.warn("Scale and ratio should be of kind (min, max)");
  }

  /** torchvision's get_params: the crop's top, left, height and width. */
  static getParams(img: Tensor, scale: Range, ratio: Range): [number, number, number, number] {
    const [height, width] = img.shape.slice(-2);
    const area = height * width;
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * drawUniform(scale[0], scale[1]);
      const aspect = drawAspectRatio(ratio);
      const w = pyRound(Math.sqrt(target * aspect));
      const h = pyRound(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const i = randint(0, height - h + 1, [1]).item() as number;
        const j = randint(0, width - w + 1, [1]).item() as number;
        return [i, j, h, w];
      }
    }
    // a central crop, at the ratio's bound nearest the image's own
    const inRatio = width / height;
    let [w, h] = [width, height];
    if (inRatio < Math.min(...ratio)) h = pyRound(w / Math.min(...ratio));
    else if (inRatio > Math.max(...ratio)) w = pyRound(h * Math.max(...ratio));
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }

  protected transformImage(img: Tensor): Tensor {
    checkImage("RandomResizedCrop", img);
    const [i, j, h, w] = RandomResizedCrop.getParams(img, this.scale, this.ratio);
    return resizeImage(img.narrow(-2, i, h).narrow(-1, j, w), this.size, this.interpolation);
  }
  extraRepr(): string {
    return `size=(${this.size.join(", ")}), scale=(${this.scale.join(", ")}), ratio=(${this.ratio.join(", ")}), interpolation=${this.interpolation}`;
  }
}

interface RandomRotationOptions {
  interpolation?: Interpolation;
  expand?: boolean;
  center?: Range | null;
  fill?: Fill;
}

/** transforms.RandomRotation: turns the image by an angle drawn from `degrees`, counter-clockwise. */
export class RandomRotation extends ImageTransform {
  readonly degrees: number[];
  readonly interpolation: Interpolation;
  readonly expand: boolean;
  readonly center: Range | null;
  readonly fill: Fill;
  constructor(degrees: number | Range, ...args: Rest<[interpolation: Interpolation, expand: boolean, center: Range | null, fill: Fill], RandomRotationOptions>) {
    super("RandomRotation", [degrees, ...args]);
    const o = bindArgs<RandomRotationOptions & { degrees: number | Range }>(
      { fn: "RandomRotation.__init__", positional: ["degrees", "interpolation", "expand", "center", "fill"], required: 1 },
      [degrees, ...args],
    );
    this.degrees = setupAngle(o.degrees, "degrees", [2]);
    this.interpolation = checkInterpolation("RandomRotation", o.interpolation ?? "nearest");
    this.expand = o.expand ?? false;
    if (o.center != null && o.center.length !== 2) throw new Error("If center is a sequence its length should be one of [2].");
    this.center = o.center ?? null;
    this.fill = o.fill ?? 0;
  }
  protected transformImage(img: Tensor): Tensor {
    checkImage("RandomRotation", img);
    const fill = fillPerChannel("RandomRotation", this.fill, img);
    const angle = drawUniform(this.degrees[0], this.degrees[1]);
    // the matrix turns by -angle: torchvision's rotate and affine disagree on the direction
    const m = inverseAffineMatrix(centerOf(this.center, img), -angle, [0, 0], 1, [0, 0]);
    const [h, w] = img.shape.slice(-2);
    const [ow, oh] = this.expand ? expandedSize(m, w, h) : [w, h];
    return applyGrid(img, affineGrid(m, w, h, ow, oh, gridDtype(img)), this.interpolation, fill);
  }
  extraRepr(): string {
    return `degrees=[${this.degrees.join(", ")}], interpolation=${this.interpolation}, expand=${this.expand ? "True" : "False"}, fill=${JSON.stringify(this.fill)}`;
  }
}

interface RandomAffineOptions {
  translate?: Range | null;
  scale?: Range | null;
  shear?: number | readonly number[] | null;
  interpolation?: Interpolation;
  fill?: Fill;
  center?: Range | null;
}

/** transforms.RandomAffine: rotation, translation, scale and shear drawn at random, about the centre. */
export class RandomAffine extends ImageTransform {
  readonly degrees: number[];
  readonly translate: Range | null;
  readonly scale: Range | null;
  readonly shear: number[] | null;
  readonly interpolation: Interpolation;
  readonly fill: Fill;
  readonly center: Range | null;
  constructor(
    degrees: number | Range,
    ...args: Rest<[translate: Range | null, scale: Range | null, shear: number | readonly number[] | null, interpolation: Interpolation, fill: Fill, center: Range | null], RandomAffineOptions>
  ) {
    super("RandomAffine", [degrees, ...args]);
    const o = bindArgs<RandomAffineOptions & { degrees: number | Range }>(
      { fn: "RandomAffine.__init__", positional: ["degrees", "translate", "scale", "shear", "interpolation", "fill", "center"], required: 1 },
      [degrees, ...args],
    );
    this.degrees = setupAngle(o.degrees, "degrees", [2]);
    if (o.translate != null) {
      if (o.translate.length !== 2) throw new Error("If translate is a sequence its length should be one of [2].");
      if (o.translate.some((t) => !(t >= 0 && t <= 1))) throw new Error("translation values should be between 0 and 1");
    }
    if (o.scale != null) {
      if (o.scale.length !== 2) throw new Error("If scale is a sequence its length should be one of [2].");
      if (o.scale.some((s) => s <= 0)) throw new Error("scale values should be positive");
    }
    this.translate = o.translate ?? null;
    this.scale = o.scale ?? null;
    this.shear = o.shear == null ? null : setupAngle(o.shear, "shear", [2, 4]);
    this.interpolation = checkInterpolation("RandomAffine", o.interpolation ?? "nearest");
    this.fill = o.fill ?? 0;
    if (o.center != null && o.center.length !== 2) throw new Error("If center is a sequence its length should be one of [2].");
    this.center = o.center ?? null;
  }

  /** torchvision's get_params: angle, integer translation, scale and shear for an image of (width, height). */
  static getParams(degrees: readonly number[], translate: Range | null, scale: Range | null, shear: readonly number[] | null, [width, height]: Range): [number, Range, number, Range] {
    const angle = drawUniform(degrees[0], degrees[1]);
    let moved: Range = [0, 0];
    if (translate !== null) {
      const [dx, dy] = [translate[0] * width, translate[1] * height];
      moved = [pyRound(drawUniform(-dx, dx)), pyRound(drawUniform(-dy, dy))];
    }
    const s = scale === null ? 1 : drawUniform(scale[0], scale[1]);
    let sheared: Range = [0, 0];
    if (shear !== null) sheared = [drawUniform(shear[0], shear[1]), shear.length === 4 ? drawUniform(shear[2], shear[3]) : 0];
    return [angle, moved, s, sheared];
  }

  protected transformImage(img: Tensor): Tensor {
    checkImage("RandomAffine", img);
    const fill = fillPerChannel("RandomAffine", this.fill, img);
    const [h, w] = img.shape.slice(-2);
    const [angle, translate, scale, shear] = RandomAffine.getParams(this.degrees, this.translate, this.scale, this.shear, [w, h]);
    const m = inverseAffineMatrix(centerOf(this.center, img), angle, translate, scale, shear);
    return applyGrid(img, affineGrid(m, w, h, w, h, gridDtype(img)), this.interpolation, fill);
  }
  extraRepr(): string {
    const parts = [`degrees=[${this.degrees.join(", ")}]`];
    if (this.translate) parts.push(`translate=(${this.translate.join(", ")})`);
    if (this.scale) parts.push(`scale=(${this.scale.join(", ")})`);
    if (this.shear) parts.push(`shear=[${this.shear.join(", ")}]`);
    parts.push(`interpolation=${this.interpolation}`);
    return parts.join(", ");
  }
}
