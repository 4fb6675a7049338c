// PNG files of image tensors: encodePng writes a (C, H, W) uint8 image (C = 1, 2, 3 or 4: grey,
// grey + alpha, RGB, RGBA) as 8-bit PNG, decodePng reads 8-bit PNG files (every colour type,
// palettes with transparency, all five row filters; not interlaced ones, nor 16-bit ones) to
// (C, H, W) uint8, as torchvision.io.decode_png does. The zlib stream goes through the platform's
// CompressionStream, so both are async and work in Node, Bun, Deno and browsers.
import { crc32 } from "../io/crc32.js";
import { fmtShape } from "../tensor/shape.js";
import { tensor } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Colour type → stored channels (3, palette: one index per pixel). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Inflates a zlib stream into exactly `size` bytes, reading no further than that: a small
 * hostile file cannot expand past what its header declares. Null when it holds less.
 */
async function inflate(bytes: Uint8Array, size: number): Promise<Uint8Array | null> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate")).getReader();
  const out = new Uint8Array(size);
  let at = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return at === size ? out : null;
      const take = Math.min(value.length, size - at);
      out.set(value.subarray(0, take), at);
      at += take;
      if (at === size) return out;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Pillow's limit against decompression bombs (twice its warning size), in pixels. */
const MAX_PIXELS = 2 * 89_478_485;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let k = 0; k < 4; k++) out[4 + k] = type.charCodeAt(k);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** torchvision.io.encode_png: a (C, H, W) or (H, W) uint8 image as the bytes of a PNG file. */
export async function encodePng(image: Tensor): Promise<Uint8Array> {
  const img = image.dim() === 2 ? image.unsqueeze(0) : image;
  if (img.dtype !== "uint8" || img.dim() !== 3 || !(img.shape[0] in COLOR_TYPE)) {
    throw new Error(`encodePng: expected a uint8 image of shape (C, H, W) with 1 to 4 channels, got ${img.dtype} ${fmtShape(image.shape)}`);
  }
  const [c, h, w] = img.shape;
  const pixels = img.permute([1, 2, 0]).contiguous().toTypedArray() as Uint8Array;
  // each row: filter type 0 (none), then its pixels
  const rows = new Uint8Array(h * (1 + w * c));
  for (let y = 0; y < h; y++) rows.set(pixels.subarray(y * w * c, (y + 1) * w * c), y * (1 + w * c) + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, w);
  view.setUint32(4, h);
  header.set([8, COLOR_TYPE[c], 0, 0, 0], 8);
  const parts = [new Uint8Array(SIGNATURE), chunk("IHDR", header), chunk("IDAT", await deflate(rows)), chunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** The Paeth predictor of the PNG specification. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * torchvision's ImageReadMode: the channels as stored ("unchanged": a palette image gives its
 * indices, as torchvision 0.14's), or converted to RGB (alpha dropped) or RGB with alpha.
 */
export type ImageReadMode = "unchanged" | "rgb" | "rgb_alpha";

/** Interleaved pixels of `n` pixels, stored as `colorType`, in the channels `mode` asks for. */
function convert(px: Uint8Array, n: number, colorType: number, palette: Uint8Array | null, alpha: Uint8Array | null, mode: ImageReadMode, fail: (why: string) => never): Uint8Array {
  if (mode === "unchanged") return px;
  const c = CHANNELS[colorType];
  const withAlpha = mode === "rgb_alpha";
  const out = new Uint8Array(n * (withAlpha ? 4 : 3));
  for (let i = 0; i < n; i++) {
    const o = i * (withAlpha ? 4 : 3);
    let a = 255;
    if (colorType === 3) {
      const k = px[i];
      if (3 * k + 2 >= palette!.length) fail(`palette index ${k} past its ${palette!.length / 3} entries`);
      out.set(palette!.subarray(3 * k, 3 * k + 3), o);
      if (alpha !== null && k < alpha.length) a = alpha[k];
    } else if (c <= 2) {
      out.fill(px[i * c], o, o + 3);
      if (c === 2) a = px[i * c + 1];
    } else {
      out.set(px.subarray(i * c, i * c + 3), o);
      if (c === 4) a = px[i * c + 3];
    }
    if (withAlpha) out[o + 3] = a;
  }
  return out;
}

/** torchvision.io.decode_png: the bytes of an 8-bit PNG file as a (C, H, W) uint8 tensor. */
export async function decodePng(bytes: Uint8Array, mode: ImageReadMode = "unchanged", what = "decodePng"): Promise<Tensor> {
  if (mode !== "unchanged" && mode !== "rgb" && mode !== "rgb_alpha") throw new Error(`${what}: mode '${String(mode)}' is not supported by taimatsu (unchanged, rgb and rgb_alpha are)`);
  const fail = (why: string): never => {
    throw new Error(`${what}: not a PNG file taimatsu can read (${why})`);
  };
  if (bytes.length < 8 || SIGNATURE.some((v, k) => bytes[k] !== v)) fail("no PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let w = 0, h = 0, colorType = -1, palette: Uint8Array | null = null, alpha: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  for (let at = 8; ; ) {
    if (at + 12 > bytes.length) fail("it ends before its IEND chunk");
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) fail(`its ${type} chunk runs past the end of the file`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) fail(`the CRC of its ${type} chunk is wrong`);
    at += 12 + length;
    if (type === "IHDR") {
      if (length !== 13) fail(`an IHDR chunk of ${length} bytes`);
      const header = new DataView(data.buffer, data.byteOffset, 13);
      [w, h] = [header.getUint32(0), header.getUint32(4)];
      const [depth, type_, , , interlace] = data.subarray(8, 13);
      if (depth !== 8) fail(`bit depth ${depth}; taimatsu reads 8-bit PNG`);
      if (interlace !== 0) fail("interlaced");
      if (!(type_ in CHANNELS)) fail(`colour type ${type_}`);
      colorType = type_;
      if (w === 0 || h === 0 || w * h > MAX_PIXELS) fail(`size ${w}×${h}: more than ${MAX_PIXELS} pixels (Pillow's limit against decompression bombs)`);
    } else if (type === "PLTE") palette = data.slice();
    else if (type === "tRNS") alpha = data.slice();
    else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
  }
  if (colorType < 0) fail("no IHDR chunk");
  if (colorType === 3 && palette === null) fail("a palette image without a palette");
  const c = CHANNELS[colorType];
  const stride = w * c;
  const packed = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
  idat.reduce((at, d) => (packed.set(d, at), at + d.length), 0);
  let raw: Uint8Array | null;
  try {
    raw = await inflate(packed, h * (stride + 1));
  } catch (e) {
    return fail(`its image data is corrupt: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (raw === null) return fail(`its image data holds fewer than the ${h * (stride + 1)} bytes of a ${w}×${h} image`);
  const px = new Uint8Array(h * stride);
  for (let y = 0; y < h; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = px.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? px.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= c ? row[x - c] : 0;
      const [b, d] = [up[x], x >= c ? up[x - c] : 0];
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, d) : fail(`row filter ${filter}`);
      row[x] = (src[x] + pred) & 0xff;
    }
  }
  return tensor(convert(px, w * h, colorType, palette, alpha, mode, fail), { dtype: "uint8" }).reshape([h, w, -1]).permute([2, 0, 1]).contiguous();
}
