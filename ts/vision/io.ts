// torchvision.io: PNG (./png.ts) and JPEG (./jpeg.ts) bytes to and from image tensors, and
// image files in Node, Bun and Deno.
import { requireBuiltin } from "../node-builtins.js";
import { Tensor } from "../tensor/tensor.js";
import { decodeJpeg } from "./jpeg.js";
import { decodePng, encodePng, type ImageReadMode } from "./png.js";

export { decodeJpeg, decodePng, encodePng };
export type { ImageReadMode };

/** torchvision.io.decode_image: a PNG or JPEG file's bytes, told apart by their signature. */
export async function decodeImage(bytes: Uint8Array, mode: ImageReadMode = "unchanged", what = "decodeImage"): Promise<Tensor> {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return decodePng(bytes, mode, what);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpeg(bytes, mode, what);
  throw new Error(`${what}: not a PNG or JPEG file (the image formats taimatsu reads)`);
}

/** torchvision.io.write_png: the image as a PNG file at `path` (none: only the bytes); returns the bytes. */
export async function writePng(image: Tensor, path?: string): Promise<Uint8Array> {
  const bytes = await encodePng(image);
  if (path !== undefined) await requireBuiltin("node:fs/promises", "writing a PNG file").writeFile(path, bytes);
  return bytes;
}

/** torchvision.io.read_image for PNG and JPEG files: (C, H, W) uint8. */
export async function readImage(path: string, mode: ImageReadMode = "unchanged"): Promise<Tensor> {
  const bytes = await requireBuiltin("node:fs/promises", "reading an image file").readFile(path);
  return decodeImage(bytes, mode, `readImage(${JSON.stringify(path)})`);
}
