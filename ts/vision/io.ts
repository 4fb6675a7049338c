// torchvision.io for PNG: encode and decode (./png.ts), and files in Node, Bun and Deno.
import { requireBuiltin } from "../node-builtins.js";
import { Tensor } from "../tensor/tensor.js";
import { decodePng, encodePng, type ImageReadMode } from "./png.js";

export { decodePng, encodePng };
export type { ImageReadMode };

/** torchvision.io.write_png: the image as a PNG file at `path` (none: only the bytes); returns the bytes. */
export async function writePng(image: Tensor, path?: string): Promise<Uint8Array> {
  const bytes = await encodePng(image);
  if (path !== undefined) await requireBuiltin("node:fs/promises", "writing a PNG file").writeFile(path, bytes);
  return bytes;
}

/** torchvision.io.read_image for PNG files: (C, H, W) uint8. */
export async function readImage(path: string, mode: ImageReadMode = "unchanged"): Promise<Tensor> {
  const bytes = await requireBuiltin("node:fs/promises", "reading an image file").readFile(path);
  return decodePng(bytes, mode, `readImage(${JSON.stringify(path)})`);
}
