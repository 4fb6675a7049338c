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

const io = torch.vision.io;
type Pixels = { shape: number[]; data: number[] };
const file = (name: string) => new Uint8Array(readFileSync(join(__dirname, "fixtures", "images", `${name}.png`)));
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
});
