// JPEG files to (C, H, W) uint8 tensors, as torchvision.io.decode_jpeg: in browsers by the
// browser's own decoder (createImageBitmap), elsewhere (Node, Bun, Deno) by jpeg-js, loaded on
// first use, with its limits on resolution and memory against hostile files.
import { tensor } from "../tensor/create.js";
import { Tensor } from "../tensor/tensor.js";
import type { ImageReadMode } from "./png.js";

const browserDecoder = typeof createImageBitmap === "function" && typeof OffscreenCanvas === "function";

/** The number of colour components a JPEG's frame header (SOFn) declares: 1 grey, 3 colour. */
function components(bytes: Uint8Array, what: string): number {
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1];
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[at + 9];
    at += 2 + length;
  }
  throw new Error(`${what}: not a JPEG file taimatsu can read (no frame header)`);
}

async function decodeRgb(bytes: Uint8Array, what: string): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  if (browserDecoder) {
    const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }), { colorSpaceConversion: "none", premultiplyAlpha: "none" }).catch((e: unknown) => {
      throw new Error(`${what}: not a JPEG file the browser can decode (${e instanceof Error ? e.message : String(e)})`);
    });
    const { width, height } = bitmap;
    const ctx = new OffscreenCanvas(width, height).getContext("2d")!;
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb.set(rgba.subarray(4 * i, 4 * i + 3), 3 * i);
    return { width, height, rgb };
  }
  const jpeg = (await import("jpeg-js")) as unknown as typeof import("jpeg-js") & { default?: typeof import("jpeg-js") };
  const decode = jpeg.decode ?? jpeg.default!.decode;
  try {
    const { width, height, data } = decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 100, maxMemoryUsageInMB: 1024 });
    return { width, height, rgb: data };
  } catch (e) {
    throw new Error(`${what}: not a JPEG file taimatsu can read (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** torchvision.io.decode_jpeg: "unchanged" keeps a grey JPEG's one channel; "rgb" gives three. */
export async function decodeJpeg(bytes: Uint8Array, mode: ImageReadMode = "unchanged", what = "decodeJpeg"): Promise<Tensor> {
  if (mode !== "unchanged" && mode !== "rgb") throw new Error(`${what}: mode '${String(mode)}' is not supported for JPEG by taimatsu (unchanged and rgb are)`);
  const grey = mode === "unchanged" && components(bytes, what) === 1;
  const { width, height, rgb } = await decodeRgb(bytes, what);
  const image = tensor(rgb, { dtype: "uint8" }).reshape([height, width, 3]).permute([2, 0, 1]);
  return (grey ? image.narrow(0, 0, 1) : image).contiguous();
}
