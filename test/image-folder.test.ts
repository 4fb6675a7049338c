// torch.vision.datasets.ImageFolder and torch.vision.io's JPEG decoding against torchvision 0.14
// (test/fixtures/image-folder + image-folder.json, from scripts/gen_folder_fixtures.py): the
// classes and samples ImageFolder finds, and every file's pixels as read_image decodes them —
// PNG exactly, JPEG (jpeg-js in Node, the browser's decoder in Chromium) to within the
// rounding in which JPEG decoders differ.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import * as torch from "../ts/index.js";
import fixture from "./fixtures/image-folder.json";
import { launchChromium } from "../scripts/chromium.mjs";
import { serve } from "../scripts/static-server.mjs";

const root = join(__dirname, "fixtures", "image-folder");
const T = torch.vision.transforms;
type Pixels = { shape: number[]; data: number[] };
const decoded = fixture.decoded as Record<string, Pixels>;

/** The largest difference from torchvision's pixels (same shape required). */
function maxDiff(actual: { shape: readonly number[]; data: ArrayLike<number> }, want: Pixels): number {
  expect([...actual.shape]).toEqual(want.shape);
  return want.data.reduce((m, v, i) => Math.max(m, Math.abs(v - actual.data[i]!)), 0);
}
const jpeg = (rel: string) => /\.jpe?g$/.test(rel);

describe("torch.vision.datasets.ImageFolder", () => {
  const folder = new torch.vision.datasets.ImageFolder(root);

  it("finds torchvision's classes and samples (sorted; files it cannot decode skipped)", () => {
    expect(folder.classes).toEqual(fixture.classes);
    expect(folder.classToIdx).toEqual(fixture.class_to_idx);
    expect(folder.samples.map(([p, c]) => [p.slice(root.length + 1), c])).toEqual(fixture.samples);
    expect(folder.length).toBe(5);
  });

  it("gives each image as read_image decodes it (PNG exactly, JPEG within JPEG decoders' rounding)", async () => {
    const asTensors = new torch.vision.datasets.ImageFolder(root, new T.PILToTensor());
    for (let i = 0; i < asTensors.length; i++) {
      const [img, label] = (await asTensors.getItem(i)) as [torch.Tensor, number];
      const rel = fixture.samples[i]![0] as string;
      expect(label).toBe(fixture.samples[i]![1]);
      expect(img.dtype).toBe("uint8");
      expect(maxDiff({ shape: img.shape, data: img.toTypedArray() as Uint8Array }, decoded[rel]!), rel).toBeLessThanOrEqual(jpeg(rel) ? 3 : 0);
    }
  });

  it("feeds a DataLoader (for await) through ToTensor and the tensor transforms", async () => {
    const ds = new torch.vision.datasets.ImageFolder(root, { transform: new T.Compose([new T.ToTensor(), new T.Resize([4, 4])]) });
    const batches: [torch.Tensor, torch.Tensor][] = [];
    for await (const batch of new torch.utils.data.DataLoader(ds, { batchSize: 2 })) batches.push(batch as [torch.Tensor, torch.Tensor]);
    expect(batches.map(([x, y]) => [[...x.shape], y.tolist()])).toEqual([[[2, 3, 4, 4], [0, 0]], [[2, 3, 4, 4], [1, 1]], [[1, 3, 4, 4], [1]]]);
    expect(batches[0]![0].max().item()).toBeLessThanOrEqual(1);
  });

  it("a DataLoader over decoded images refuses to collate them, as PyTorch's refuses PIL images", async () => {
    const loader = new torch.utils.data.DataLoader(new torch.vision.datasets.ImageFolder(root), { batchSize: 2 });
    await expect((async () => {
      for await (const batch of loader) return batch;
    })()).rejects.toThrow("default_collate: batch must contain tensors, typed arrays, numbers, booleans, strings, arrays or objects; found DecodedImage (a decoded image: put ToTensor() in the dataset's transform)");
  });

  it("decodeJpeg keeps a grey JPEG's one channel unless asked for RGB", async () => {
    const bytes = new Uint8Array(readFileSync(join(root, "dog", "gray.jpg")));
    const grey = await torch.vision.io.decodeJpeg(bytes);
    const rgb = await torch.vision.io.decodeImage(bytes, "rgb");
    expect(grey.shape).toEqual([1, 16, 8]);
    expect(rgb.narrow(0, 0, 1).tolist()).toEqual(grey.tolist());
    expect(rgb.narrow(0, 2, 1).tolist()).toEqual(grey.tolist());
  });

  it("takes torchvision's order, transforms before ToTensor on the decoded image, with the same result", async () => {
    const pilOrder = new torch.vision.datasets.ImageFolder(root, new T.Compose([new T.RandomCrop(4), new T.RandomHorizontalFlip(), new T.ToTensor()]));
    const tensorOrder = new torch.vision.datasets.ImageFolder(root, new T.Compose([new T.ToTensor(), new T.RandomCrop(4), new T.RandomHorizontalFlip()]));
    for (let i = 0; i < pilOrder.length; i++) {
      torch.manualSeed(i);
      const [a] = (await pilOrder.getItem(i)) as [torch.Tensor, unknown];
      torch.manualSeed(i);
      const [b] = (await tensorOrder.getItem(i)) as [torch.Tensor, unknown];
      expect(a.dtype).toBe("float32");
      expect(a.tolist()).toEqual(b.tolist());
    }
    const [cropped] = (await new torch.vision.datasets.ImageFolder(root, new T.CenterCrop(3)).getItem(0)) as [torch.vision.DecodedImage, unknown];
    expect(cropped).toBeInstanceOf(torch.vision.DecodedImage);
    expect([cropped.size, cropped.mode]).toEqual([[3, 3], "RGB"]);
  });

  it("says what is wrong: Normalize on a decoded image, PILToTensor on a float tensor, no folder, an empty class, a file that is not an image", async () => {
    await expect(new torch.vision.datasets.ImageFolder(root, new T.Normalize([0.5], [0.5])).getItem(0)).rejects.toThrow("Input tensor should be a float tensor. Got uint8.");
    expect(() => new T.PILToTensor()(torch.rand([3, 4, 4]))).toThrow("PILToTensor: pic should be a decoded image (H×W×C uint8), got a float32 tensor [3, 4, 4]");
    expect(() => new torch.vision.datasets.ImageFolder(join(root, "missing"))).toThrow(`ImageFolder: cannot read the folder ${join(root, "missing")}`);
    expect(() => new torch.vision.datasets.ImageFolder(join(__dirname, "fixtures", "types"))).toThrow("Couldn't find any class folder in");
    await expect(torch.vision.io.decodeImage(new TextEncoder().encode("not an image"))).rejects.toThrow("decodeImage: not a PNG or JPEG file (the image formats taimatsu reads)");
    const truncated = new Uint8Array(readFileSync(join(root, "cat", "a.jpg"))).subarray(0, 100);
    await expect(torch.vision.io.decodeJpeg(truncated)).rejects.toThrow("decodeJpeg: not a JPEG file taimatsu can read");
  });
});

describe("JPEG in the browser: the browser's own decoder", () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    server = await serve(join(__dirname, ".."));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("decodeJpeg in Chromium gives read_image's pixels within JPEG decoders' rounding", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    for (const rel of Object.keys(decoded).filter(jpeg)) {
      // a string, so that vitest leaves its import() alone: it runs in the page
      const got = (await page.evaluate(`(async () => {
        const torch = await import("${server.url}/dist/taimatsu.js");
        const bytes = new Uint8Array(await (await fetch("${server.url}/test/fixtures/image-folder/${rel}")).arrayBuffer());
        const img = await torch.vision.io.decodeJpeg(bytes, "rgb");
        return { shape: img.shape, data: Array.from(img.toTypedArray()) };
      })()`)) as { shape: number[]; data: number[] };
      expect(maxDiff(got, decoded[rel]!), rel).toBeLessThanOrEqual(3);
    }
    await page.close();
  });
});
