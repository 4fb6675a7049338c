// transforms.ColorJitter and the colour adjustments it applies in a random order, written as
// torchvision 0.14's tensor functions: blends with black, the mean grey or the grey image,
// clamped and cast back (uint8 truncates), and the hue shift through HSV in float32.
import { bindArgs, type Rest } from "../../signature.js";
import { randperm, zerosLike } from "../../tensor/create.js";
import { isFloating } from "../../tensor/dtype.js";
import { stack } from "../../ops/movement.js";
import { Tensor } from "../../tensor/tensor.js";
import { checkImage, drawUniform, ImageTransform } from "./transform.js";

type Factor = number | readonly [number, number];

function channels(name: string, img: Tensor): number {
  const c = img.dim() >= 3 ? img.shape[img.dim() - 3] : 1;
  if (c !== 1 && c !== 3) throw new TypeError(`${name}: Input image tensor permitted channel values are [1, 3], but found ${c}`);
  return c;
}

/** torchvision's _blend: ratio·a + (1 − ratio)·b, clamped to the dtype's range and cast back to a's dtype. */
function blend(a: Tensor, b: Tensor, ratio: number): Tensor {
  const bound = isFloating(a.dtype) ? 1 : 255;
  const float = (t: Tensor) => (isFloating(t.dtype) ? t : t.to("float32"));
  return float(a).mul(ratio).add(float(b).mul(1 - ratio)).clamp(0, bound).to(a.dtype);
}

/** F.rgb_to_grayscale: ITU-R 601-2 luma in the image's dtype (uint8 truncates), one channel. */
export function rgbToGrayscale(img: Tensor): Tensor {
  const [r, g, b] = (isFloating(img.dtype) ? img : img.to("float32")).unbind(-3);
  return r!.mul(0.2989).add(g!.mul(0.587)).add(b!.mul(0.114)).to(img.dtype).unsqueeze(-3);
}

export function adjustBrightness(img: Tensor, factor: number): Tensor {
  if (factor < 0) throw new Error(`brightness_factor (${factor}) is not non-negative.`);
  channels("adjust_brightness", img);
  return blend(img, zerosLike(img), factor);
}

export function adjustContrast(img: Tensor, factor: number): Tensor {
  if (factor < 0) throw new Error(`contrast_factor (${factor}) is not non-negative.`);
  const c = channels("adjust_contrast", img);
  const dtype = isFloating(img.dtype) ? img.dtype : "float32";
  const mean = (c === 3 ? rgbToGrayscale(img) : img).to(dtype).mean([-3, -2, -1], true);
  return blend(img, mean, factor);
}

export function adjustSaturation(img: Tensor, factor: number): Tensor {
  if (factor < 0) throw new Error(`saturation_factor (${factor}) is not non-negative.`);
  if (channels("adjust_saturation", img) === 1) return img;
  return blend(img, rgbToGrayscale(img), factor);
}

/** x mod 1 for x > -1, as Python's % and torch.fmod give it on these values (x − ⌊x⌋ is exact). */
const fractional = (x: Tensor): Tensor => x.sub(x.floor());

/** torchvision's _rgb2hsv (Pillow's algorithm), on float RGB in [0, 1]. */
function rgbToHsv(img: Tensor): Tensor {
  const [r, g, b] = img.unbind(-3) as [Tensor, Tensor, Tensor];
  const maxc = img.amax(-3);
  const minc = img.amin(-3);
  // where max = min the hue and saturation are 0 (their divisions would be 0/0)
  const eqc = maxc.eq(minc);
  const cr = maxc.sub(minc);
  const s = cr.div(maxc.where(eqc.logicalNot(), 1));
  const crDivisor = cr.where(eqc.logicalNot(), 1);
  const rc = maxc.sub(r).div(crDivisor);
  const gc = maxc.sub(g).div(crDivisor);
  const bc = maxc.sub(b).div(crDivisor);
  const isR = maxc.eq(r);
  const isG = maxc.eq(g).logicalAnd(isR.logicalNot());
  const isB = maxc.ne(g).logicalAnd(isR.logicalNot());
  const hr = bc.sub(gc).mul(isR);
  const hg = rc.add(2).sub(bc).mul(isG);
  const hb = gc.add(4).sub(rc).mul(isB);
  const h = fractional(hr.add(hg).add(hb).div(6).add(1));
  return stack([h, s, maxc], -3);
}

/** torchvision's _hsv2rgb: the sector i = ⌊6h⌋ picks each channel among v, p, q and t. */
function hsvToRgb(img: Tensor): Tensor {
  const [h, s, v] = img.unbind(-3) as [Tensor, Tensor, Tensor];
  const i6 = h.mul(6).floor();
  const f = h.mul(6).sub(i6);
  // 6h rounds up to 6 just below h = 1: sector 6 is sector 0, as torchvision's i % 6
  const sector = i6.where(i6.lt(6), 0);
  const p = v.mul(s.neg().add(1)).clamp(0, 1);
  const q = v.mul(s.mul(f).neg().add(1)).clamp(0, 1);
  const t = v.mul(s.mul(f.neg().add(1)).neg().add(1)).clamp(0, 1);
  const pick = (choices: Tensor[]): Tensor => choices.reduceRight((acc, c, k) => c.where(sector.eq(k), acc));
  return stack([pick([v, q, p, p, t, v]), pick([t, v, v, q, p, p]), pick([p, p, t, v, v, q])], -3);
}

export function adjustHue(img: Tensor, factor: number): Tensor {
  if (!(factor >= -0.5 && factor <= 0.5)) throw new Error(`hue_factor (${factor}) is not in [-0.5, 0.5].`);
  if (channels("adjust_hue", img) === 1) return img;
  const x = img.dtype === "uint8" ? img.to("float32").div(255) : img;
  const [h, s, v] = rgbToHsv(x).unbind(-3) as [Tensor, Tensor, Tensor];
  const rgb = hsvToRgb(stack([fractional(h.add(factor)), s, v], -3));
  return img.dtype === "uint8" ? rgb.mul(255).to("uint8") : rgb;
}

interface ColorJitterOptions {
  brightness?: Factor;
  contrast?: Factor;
  saturation?: Factor;
  hue?: Factor;
}

/** torchvision's ColorJitter._check_input: a number d is [center − d, center + d]; a no-op range is null. */
function factorRange(value: Factor, name: string, center: number, bound: readonly [number, number], clipFirstOnZero: boolean): [number, number] | null {
  let range: [number, number];
  if (typeof value === "number") {
    if (value < 0) throw new Error(`If ${name} is a single number, it must be non negative.`);
    range = [center - value, center + value];
    if (clipFirstOnZero) range[0] = Math.max(range[0], 0);
  } else if (Array.isArray(value) && value.length === 2) {
    if (!(bound[0] <= value[0] && value[0] <= value[1] && value[1] <= bound[1])) throw new Error(`${name} values should be between (${bound.map((b) => (b === Infinity ? "inf" : String(b))).join(", ")})`);
    range = [value[0], value[1]];
  } else {
    throw new TypeError(`${name} should be a single number or a list/tuple with length 2.`);
  }
  return range[0] === center && range[1] === center ? null : range;
}

/** transforms.ColorJitter: brightness, contrast, saturation and hue, each by a random factor, in a random order. */
export class ColorJitter extends ImageTransform {
  readonly brightness: [number, number] | null;
  readonly contrast: [number, number] | null;
  readonly saturation: [number, number] | null;
  readonly hue: [number, number] | null;
  constructor(...args: Rest<[brightness: Factor, contrast: Factor, saturation: Factor, hue: Factor], ColorJitterOptions>) {
    super("ColorJitter", args);
    const o = bindArgs<ColorJitterOptions>({ fn: "ColorJitter.__init__", positional: ["brightness", "contrast", "saturation", "hue"] }, args);
    this.brightness = factorRange(o.brightness ?? 0, "brightness", 1, [0, Infinity], true);
    this.contrast = factorRange(o.contrast ?? 0, "contrast", 1, [0, Infinity], true);
    this.saturation = factorRange(o.saturation ?? 0, "saturation", 1, [0, Infinity], true);
    this.hue = factorRange(o.hue ?? 0, "hue", 0, [-0.5, 0.5], false);
  }

  /** torchvision's get_params: the order (a permutation of the four) and each factor, drawn in that sequence. */
  static getParams(brightness: [number, number] | null, contrast: [number, number] | null, saturation: [number, number] | null, hue: [number, number] | null): [number[], ...(number | null)[]] {
    const order = randperm(4).tolist() as number[];
    const draw = (r: [number, number] | null) => (r === null ? null : drawUniform(r[0], r[1]));
    return [order, draw(brightness), draw(contrast), draw(saturation), draw(hue)];
  }

  protected transformImage(img: Tensor): Tensor {
    checkImage("ColorJitter", img);
    const [order, ...factors] = ColorJitter.getParams(this.brightness, this.contrast, this.saturation, this.hue);
    const adjust = [adjustBrightness, adjustContrast, adjustSaturation, adjustHue];
    return order.reduce((x, k) => (factors[k] == null ? x : adjust[k]!(x, factors[k]!)), img);
  }
  extraRepr(): string {
    const show = (r: [number, number] | null) => (r === null ? "None" : `(${r.join(", ")})`);
    return `brightness=${show(this.brightness)}, contrast=${show(this.contrast)}, saturation=${show(this.saturation)}, hue=${show(this.hue)}`;
  }
}
