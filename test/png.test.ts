// PNG files (torch.vision.io, utils.saveImage) against Pillow's files and torchvision 0.14's
// decoder (test/fixtures/images, from scripts/gen_image_fixtures.py): every colour type and
// row filter, the three read modes, save_image's pixels; and what a broken file gives.
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import decoded from "./fixtures/images/decoded.json";
import { crc32 } from "../ts/io/crc32.js";

const io = torch.vision.io;
type Pixels = { shape: number[]; data: number[] };
const file = (name: string) => new Uint8Array(readFileSync(join(__dirname, "fixtures", "images", `${name}.png`)));
/** A grey 8-bit PNG of `w`×`h` whose IDAT holds `zdata` (a zlib stream), with correct CRCs. */
async function withImageData(w: number, h: number, zdata: Uint8Array): Promise<Uint8Array> {
  const template = await io.encodePng(torch.zeros([1, 1, 1], { dtype: "uint8" }));
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = template.slice(16, 29);
  new DataView(header.buffer).setUint32(0, w);
  new DataView(header.buffer).setUint32(4, h);
  const parts = [template.subarray(0, 8), chunk("IHDR", header), chunk("IDAT", zdata), chunk("IEND", new Uint8Array())];
  return new Uint8Array(parts.flatMap((p) => [...p]));
}

const deflate = async (bytes: Uint8Array): Promise<Uint8Array> => new Uint8Array(await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate"))).arrayBuffer());

const asFixture = (t: torch.Tensor): Pixels => ({ shape: [...t.shape], data: Array.from(t.toTypedArray() as Uint8Array) });

describe("torch.vision.io PNG", () => {
  const files = Object.entries(decoded).filter(([name]) => name !== "save_image") as [string, Partial<Record<"unchanged" | "rgb" | "rgb_alpha", Pixels>>][];
  for (const [name, modes] of files) {
    it(`decodePng reads ${name}.png as torchvision does, in each mode`, async () => {
      for (const mode of Object.keys(modes) as ("unchanged" | "rgb" | "rgb_alpha")[]) {
        const img = await io.decodePng(file(name), mode);
        expect(img.dtype).toBe("uint8");
        expect(asFixture(img), `${name} ${mode}`).toEqual(modes[mode]);
      }
    });
  }

  it("encodePng writes what decodePng reads back, for 1 to 4 channels", async () => {
    torch.manualSeed(0);
    for (const c of [1, 2, 3, 4]) {
      const img = torch.randint(0, 256, [c, 5, 7], { dtype: "uint8" });
      expect((await io.decodePng(await io.encodePng(img))).tolist()).toEqual(img.tolist());
    }
    const gray = torch.randint(0, 256, [4, 3], { dtype: "uint8" });
    expect((await io.decodePng(await io.encodePng(gray))).tolist()).toEqual([gray.tolist()]);
  });

  it("utils.saveImage writes save_image's pixels (the grid scaled to bytes), to a file and as bytes", async () => {
    const { input, output } = decoded.save_image;
    const batch = torch.tensor(input.data, { dtype: "float32" }).reshape(input.shape);
    const path = join(mkdtempSync(join(tmpdir(), "taimatsu-png-")), "grid.png");
    const bytes = await torch.vision.utils.saveImage(batch, path, { nrow: 3, padding: 1 });
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
    expect(asFixture(await io.readImage(path))).toEqual(output);
  });

  it("a palette image with transparency reads as RGBA (rgb_alpha: opaque where the palette says so)", async () => {
    const rgba = await io.decodePng(file("palette"), "rgb_alpha");
    expect(rgba.narrow(0, 0, 3).tolist()).toEqual((await io.decodePng(file("palette"), "rgb")).tolist());
    expect(rgba.select(0, 3).eq(255).all().tolist()).toBe(true);
  });

  it("a broken or unsupported file is an error that says what is wrong", async () => {
    const good = file("rgb");
    await expect(io.decodePng(good.subarray(1))).rejects.toThrow("decodePng: not a PNG file taimatsu can read (no PNG signature)");
    await expect(io.decodePng(good.subarray(0, good.length - 20))).rejects.toThrow("decodePng: not a PNG file taimatsu can read");
    const flipped = good.slice();
    flipped[good.length - 30] ^= 0xff;
    await expect(io.decodePng(flipped)).rejects.toThrow("decodePng: not a PNG file taimatsu can read (the CRC of its IDAT chunk is wrong)");
    await expect(io.encodePng(torch.zeros([3, 2, 2]))).rejects.toThrow("encodePng: expected a uint8 image of shape (C, H, W) with 1 to 4 channels, got float32 [3, 2, 2]");
    await expect(io.decodePng(good, "gray" as "rgb")).rejects.toThrow("decodePng: mode 'gray' is not supported by taimatsu (unchanged, rgb and rgb_alpha are)");
  });

  it("a decompression bomb stops at the size its header declares; a huge declared size is refused before anything is read", async () => {
    // a 2×2 grey image whose image data inflates to 64 MB of zeros
    const bomb = await withImageData(2, 2, await deflate(new Uint8Array(64 << 20)));
    expect(bomb.length).toBeLessThan(100_000);
    expect((await io.decodePng(bomb)).tolist()).toEqual([[[0, 0], [0, 0]]]);
    await expect(io.decodePng(await withImageData(2, 2, await deflate(new Uint8Array(3))))).rejects.toThrow("decodePng: not a PNG file taimatsu can read (its image data holds fewer than the 6 bytes of a 2×2 image)");
    await expect(io.decodePng(await withImageData(20000, 20000, await deflate(new Uint8Array(10))))).rejects.toThrow("decodePng: not a PNG file taimatsu can read (size 20000×20000: more than 178956970 pixels (Pillow's limit against decompression bombs))");
  });
});
