// WebAssembly memory past 2 GiB: pointers there are unsigned (wasm hands them to JS as
// negative i32), so tensors placed above 2 GiB compute and read back correctly. Its own
// file: vitest runs each file in its own process, and WebAssembly memory never shrinks.
import { expect, it } from "vitest";
import * as torch from "../ts/index.js";

it("tensors above 2 GiB of WebAssembly memory work like any other", () => {
  const fill = [torch.empty([300 << 20]), torch.empty([300 << 20])];
  expect(torch.memoryStats().wasmMemoryBytes).toBeGreaterThan(2 ** 31);
  const small = torch.tensor([1.5, 2.5, -4], { dtype: "float32" });
  expect(small.storage.ptr).toBeGreaterThan(2 ** 31);
  expect(small.mul(2).tolist()).toEqual([3, 5, -8]);
  expect(small.exp().log().sum().item()).toBeCloseTo(0, 5);
  const w = torch.randn([64, 64], { requiresGrad: true });
  w.matmul(w).square().mean().backward();
  expect(w.grad!.shape).toEqual([64, 64]);
  expect(Number.isFinite(w.grad!.abs().sum().item())).toBe(true);
  torch.testing.evictAll();
  expect(small.tolist()).toEqual([1.5, 2.5, -4]);
  fill.forEach((t) => t.dispose());
  expect(() => torch.empty([2 ** 29])).toThrow(/one tensor can hold at most 2 GiB/);
});
