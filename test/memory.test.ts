// The memory model: loops that never call dispose stay flat, kept tensors survive,
// released tensors fail loudly, views share storage, and memory growth is invisible.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";

function flatAfterWarmup(iterations: number, body: (i: number) => void): void {
  let at10 = torch.memoryStats();
  for (let i = 0; i < iterations; i++) {
    body(i);
    if (i === 10) at10 = torch.memoryStats();
  }
  const end = torch.memoryStats();
  expect(end.liveTensors).toBeLessThanOrEqual(at10.liveTensors);
  expect(end.bytesInUse).toBeLessThanOrEqual(at10.bytesInUse);
}

describe("memory stays flat without dispose calls", () => {
  it("1,000 forward+backward iterations of a small graph", () => {
    const w = torch.randn([16, 8], { requiresGrad: true });
    const x = torch.randn([32, 16]);
    flatAfterWarmup(1000, () => {
      const loss = x.matmul(w).tanh().square().mean();
      loss.backward();
      w.grad = null;
    });
  });
  it("an evaluation loop under noGrad that collects argmax results as numbers", () => {
    const w = torch.randn([16, 10]);
    const x = torch.randn([64, 16]);
    const correct: number[] = [];
    flatAfterWarmup(1000, () => {
      const pred = torch.noGrad(() => x.matmul(w).softmax(1).argmax(1));
      correct.push(pred.eq(3).sum().item());
    });
    expect(correct).toHaveLength(1000);
  });
});

describe("what survives a boundary", () => {
  it("data created before the loop stays; temporaries of old iterations are freed", () => {
    const data = torch.randn([4, 4]);
    const w = torch.randn([4, 4], { requiresGrad: true });
    let first: torch.Tensor | null = null;
    for (let i = 0; i < 5; i++) {
      const y = data.matmul(w).sum();
      first ??= y;
      y.backward();
    }
    expect(data.isDisposed).toBe(false);
    expect(first!.isDisposed).toBe(true);
    expect(() => first!.item()).toThrow(/was freed at backward\(\) #\d+, not having been used since backward\(\) #\d+.*call \.keep\(\)/);
  });
  it("composite ops in inference (conv, pooling) free their intermediates: disposing the output frees all", () => {
    const F = torch.nn.functional;
    const x = torch.rand([4, 3, 12, 12]).keep();
    const w = torch.rand([5, 3, 3, 3]).keep();
    const b = torch.rand([5]).keep();
    for (const op of [
      () => F.conv2d(x, w, b, { padding: 1, groups: 1 }),
      () => F.maxPool2d(x, 2),
      () => F.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }),
      () => F.adaptiveAvgPool2d(x, [5, 7]),
    ]) {
      op().dispose();
      const before = torch.memoryStats().bytesInUse;
      for (let i = 0; i < 20; i++) op().dispose();
      expect(torch.memoryStats().bytesInUse).toBe(before);
    }
  });

  it(".keep() keeps a tensor across iterations; dispose() frees it", () => {
    const w = torch.randn([4, 4], { requiresGrad: true });
    let best: torch.Tensor | null = null;
    for (let i = 0; i < 5; i++) {
      const y = w.sum().mul(i);
      if (i === 1) best = y.detach().keep();
      y.backward();
    }
    expect(best!.item()).toBeCloseTo(w.sum().item(), 4);
    best!.dispose();
    expect(() => best!.item()).toThrow("was freed by dispose()");
  });
  it("gradients and tensors in use survive", () => {
    const w = torch.randn([3], { requiresGrad: true });
    for (let i = 0; i < 5; i++) w.mul(2).sum().backward();
    expect(w.grad!.tolist()).toEqual([10, 10, 10]);
  });
});

describe("storage", () => {
  it("views share storage safely: freeing the base keeps the view's data", () => {
    const base = torch.arange(6, { dtype: "float32" });
    const v = base.narrow(0, 2, 3);
    base.dispose();
    expect(v.tolist()).toEqual([2, 3, 4]);
    const before = torch.memoryStats().storages;
    v.dispose();
    expect(torch.memoryStats().storages).toBe(before - 1);
  });
  it("memory growth re-creates typed-array views (old tensors still read right)", () => {
    const small = torch.tensor([1.5, 2.5, 3.5]);
    const grown = torch.memoryStats().wasmMemoryBytes;
    const big = torch.zeros([16 * 1024 * 1024]);
    expect(torch.memoryStats().wasmMemoryBytes).toBeGreaterThan(grown);
    expect(small.tolist()).toEqual([1.5, 2.5, 3.5]);
    expect(small.add(1).tolist()).toEqual([2.5, 3.5, 4.5]);
    big.dispose();
  });
  it("memoryStats reports live tensors, bytes in use and the peak", () => {
    const s0 = torch.memoryStats({ resetPeak: true });
    const t = torch.zeros([1000]);
    const s1 = torch.memoryStats();
    expect(s1.bytesInUse - s0.bytesInUse).toBe(4000);
    expect(s1.liveTensors).toBe(s0.liveTensors + 1);
    t.dispose();
    const s2 = torch.memoryStats();
    expect(s2.bytesInUse).toBe(s0.bytesInUse);
    expect(s2.peakBytes).toBeGreaterThanOrEqual(s0.bytesInUse + 4000);
  });
});
