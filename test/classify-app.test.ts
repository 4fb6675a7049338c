// The image classifier page (examples/classify, lecture 6's app) in headless Chromium: it loads
// the digits CNN's weights saved in Node, and a photo of a digit — chosen with the file input or
// dropped on the page, decoded by the browser — gets the top-3 classes the model gives in Node.
// The photos are held-out digits drawn large, dark on white, as PNG files.
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import * as torch from "../dist/taimatsu.js";
import { MEAN, STD, trainDigitsCnn } from "../examples/cnn/train.js";
import { launchChromium } from "../scripts/chromium.mjs";
import { serve } from "../scripts/static-server.mjs";

type T = InstanceType<typeof torch.Tensor>;
const dir = new URL("../out/test-classify/", import.meta.url);
let browser: Browser;
let page: Page;
let server: { url: string; close(): Promise<void> };
/** Held-out digits the model classifies clearly: their photo files, labels and Node's top 3. */
const photos: { file: string; label: number; top: { digit: number; probability: number }[] }[] = [];

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const { model, test } = await trainDigitsCnn(4, 0, 0);
  writeFileSync(new URL("model.safetensors", dir), torch.io.saveSafetensors(model.stateDict()));
  model.eval();
  const probs = torch.noGrad(() => model(test.images.float().div(255).sub(MEAN).div(STD)).softmax(1)) as T;
  for (let i = 0; photos.length < 3; i++) {
    const label = Number(test.labels.select(0, i).item());
    const p = probs.select(0, i);
    const [values, indices] = p.topk(3);
    const bytes = test.images.select(0, i) as T;
    // a clear call on an image with full-strength ink (the page stretches the brightest cell to 1)
    if (Number(indices.select(0, 0).item()) !== label || values.select(0, 0).item() < 0.9 || bytes.max().item() !== 255) continue;
    const photo = torch.nn.functional.interpolate(bytes.float().unsqueeze(0), { scaleFactor: 8, mode: "nearest" }).squeeze(0);
    const dark = photo.neg().add(255).to("uint8").expand([3, 64, 64]).contiguous();
    const file = `digit-${i}.png`;
    writeFileSync(new URL(file, dir), await torch.vision.io.encodePng(dark));
    photos.push({ file, label, top: (indices.tolist() as number[]).map((digit, k) => ({ digit, probability: (values.tolist() as number[])[k]! })) });
  }
  server = await serve(new URL("..", import.meta.url).pathname);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.url}/examples/classify/index.html?weights=../../out/test-classify/model.safetensors`);
  await page.waitForFunction(() => (window as unknown as { taimatsuClassify?: { ready: boolean } }).taimatsuClassify?.ready === true, null, { timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function shownTop3(): Promise<{ digit: number; probability: number }[]> {
  await page.waitForFunction(() => document.querySelectorAll("#top3 li").length === 3);
  return page.$$eval("#top3 li", (items) => items.map((li) => ({ digit: Number(li.getAttribute("data-digit")), probability: Number(li.getAttribute("data-probability")) })));
}

describe("the image classifier page in Chromium", () => {
  it("says where its weights came from", async () => {
    expect(await page.textContent("#status")).toContain("weights loaded from ../../out/test-classify/model.safetensors");
  });

  it("classifies a chosen photo: the top 3 the model gives in Node", async () => {
    for (const photo of photos) {
      await page.evaluate(() => (document.getElementById("top3")!.innerHTML = ""));
      await page.setInputFiles("#file", new URL(photo.file, dir).pathname);
      const top = await shownTop3();
      expect(top.map((t) => t.digit)).toEqual(photo.top.map((t) => t.digit));
      top.forEach((t, k) => expect(Math.abs(t.probability - photo.top[k]!.probability)).toBeLessThan(5e-3));
      expect(top[0]!.digit).toBe(photo.label);
    }
  });

  it("classifies a photo dropped on the page", async () => {
    const photo = photos[1]!;
    await page.evaluate(() => (document.getElementById("top3")!.innerHTML = ""));
    const bytes = [...(await torch.vision.io.encodePng((await torch.vision.io.readImage(new URL(photo.file, dir).pathname)) as T))];
    const transfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], "dropped.png", { type: "image/png" }));
      return dt;
    }, bytes);
    await page.dispatchEvent("#drop", "drop", { dataTransfer: transfer });
    expect((await shownTop3())[0]!.digit).toBe(photo.label);
    expect(await page.textContent("#status")).toBe(`dropped.png: ${photo.label}`);
  });
});
