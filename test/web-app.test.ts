// The digits web app (examples/web) in Debian's headless Chromium: it trains in the page on
// the bundled digits and must reach exactly the accuracy the same loop reaches in Node (the
// demo's, held to PyTorch's run in data.test.ts), classify a held-out digit as Node does, load
// weights saved in Node and predict exactly as there, and turn a drawn stroke into an 8×8 input
// and a prediction. The page, the demo and this test use the built package (dist/).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import * as torch from "../dist/taimatsu.js";
import { loadDigits } from "../dist/digits.js";
import { launchChromium } from "../scripts/chromium.mjs";
import { serve } from "../scripts/static-server.mjs";
import { trainDigits } from "../examples/digits/train.js";
import { mkdirSync, writeFileSync } from "node:fs";

let browser: Browser;
let page: Page;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  server = await serve(new URL("..", import.meta.url).pathname);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.url}/examples/web/index.html`);
  await page.waitForFunction(() => !(document.getElementById("train") as HTMLButtonElement).disabled);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the digits web app in Chromium", () => {
  it("trains in the page to the accuracy the same loop reaches in Node", async () => {
    await page.click("#train");
    await page.waitForFunction(() => document.getElementById("status")!.textContent!.startsWith("trained in this page"), null, { timeout: 60_000 });
    const status = await page.textContent("#status");
    const node = trainDigits({ seed: 0 }).history.at(-1)!.testAccuracy;
    expect(status).toContain(`test accuracy ${(node * 100).toFixed(2)}%`);
  }, 90_000);

  it("classifies a held-out digit as the model does in Node", async () => {
    const digits = loadDigits();
    const pixels = (digits.data.select(0, 1797 - 1).div(16).tolist() as number[]);
    const label = Number(digits.target.select(0, 1797 - 1).item());
    const probs = (await page.evaluate((p) => (window as unknown as { taimatsuDigits: { predict(p: number[]): number[] } }).taimatsuDigits.predict(p), pixels)) as number[];
    expect(probs).toHaveLength(10);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(probs.indexOf(Math.max(...probs))).toBe(label);
  });

  it("loads weights saved in Node (safetensors) and predicts exactly as the Node model", async () => {
    const { model } = trainDigits({ seed: 0, epochs: 5 });
    const dir = new URL("../out/test-web/", import.meta.url);
    mkdirSync(dir, { recursive: true });
    writeFileSync(new URL("model.safetensors", dir), torch.io.saveSafetensors(model.stateDict()));
    const other = await browser.newPage();
    await other.goto(`${server.url}/examples/web/index.html?weights=../../out/test-web/model.safetensors`);
    await other.waitForFunction(() => !(document.getElementById("train") as HTMLButtonElement).disabled);
    expect(await other.textContent("#status")).toContain("weights loaded from ../../out/test-web/model.safetensors");
    const digits = loadDigits();
    for (const i of [3, 100, 1000]) {
      const pixels = digits.data.select(0, i).div(16).tolist() as number[];
      const inPage = (await other.evaluate((p) => (window as unknown as { taimatsuDigits: { predict(p: number[]): number[] } }).taimatsuDigits.predict(p), pixels)) as number[];
      const inNode = torch.noGrad(() => model(torch.tensor([pixels], { dtype: "float32" })).softmax(1).squeeze(0).tolist()) as number[];
      inPage.forEach((p, k) => expect(p).toBeCloseTo(inNode[k], 6));
    }
    await other.close();
  });

  it("turns a drawn stroke into an 8×8 input and a prediction", async () => {
    const box = (await page.locator("#pad").boundingBox())!;
    await page.mouse.move(box.x + 100, box.y + 30);
    await page.mouse.down();
    for (let y = 30; y <= 170; y += 10) await page.mouse.move(box.x + 100, box.y + y);
    await page.mouse.up();
    const pixels = (await page.evaluate(() => (window as unknown as { taimatsuDigits: { toDigitPixels(): number[] } }).taimatsuDigits.toDigitPixels())) as number[];
    expect(pixels).toHaveLength(64);
    expect(Math.max(...pixels)).toBe(1);
    // a vertical stroke fills the middle columns, not the edges
    expect(pixels[3 * 8 + 0]).toBe(0);
    expect(pixels[3 * 8 + 3] + pixels[3 * 8 + 4]).toBeGreaterThan(0);
    expect(await page.textContent("#guess")).toMatch(/^[0-9]$/);
    expect(await page.locator("#bars .bar").count()).toBe(10);
  });
});
