// The memory model: loops that never call dispose stay flat; what library code makes and
// never hands out is freed at once; what user code can reach is evicted and reloaded, never
// lost; dispose() frees; views share storage; memory growth is invisible.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import { evictAll } from "../ts/tensor/residency.js";

const { nn } = torch;

function flatAfterWarmup(iterations: number, body: (i: number) => void): void {
  let at10 = torch.memoryStats();
  for (let i = 0; i < iterations; i++) {
    body(i);
    if (i === 10) at10 = torch.memoryStats();
  }
  const end = torch.memoryStats();
  expect(end.storages).toBeLessThanOrEqual(at10.storages);
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
  it("a loop with no boundary at all (one noGrad around everything) stays bounded by memory pressure", () => {
    const model = new nn.Sequential(new nn.Linear(64, 256), new nn.ReLU(), new nn.Linear(256, 10));
    const preds: number[] = [];
    const peaks: number[] = [];
    torch.noGrad(() => {
      for (let i = 0; i < 2000; i++) {
        const x = torch.randn([128, 64]);
        const out = model(x);
        preds.push(out.argmax(1).sum().item());
        if (i % 100 === 99) peaks.push(torch.memoryStats().bytesInUse);
      }
    });
    // 2000 steps leave about 70 MB of inputs and outputs behind; resident memory stays near the pressure budget
    expect(Math.max(...peaks)).toBeLessThan(40 << 20);
    expect(Math.max(...peaks.slice(10))).toBeLessThanOrEqual(Math.max(...peaks.slice(0, 10)) * 1.2);
  });
});

describe("internal tensors are freed at once", () => {
  it("a library model's training step leaves only what user code can reach", () => {
    torch.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new nn.CrossEntropyLoss();
    const x = torch.randn([16, 32]);
    const y = torch.randint(0, 10, [16]);
    const step = (): torch.Tensor => {
      opt.zeroGrad();
      const loss = lossFn(model(x), y);
      loss.backward();
      opt.step();
      return loss;
    };
    step();
    const before = torch.memoryStats();
    step();
    const after = torch.memoryStats();
    // the logits and the loss the step returned, and nothing else: activations, gradients in
    // flight and the old .grads (replaced by zeroGrad) were freed, not evicted
    expect(after.storages - before.storages).toBe(2);
    expect(after.evictions).toBe(before.evictions);
  });
  it("calling a library module's forward directly (this.lstm.forward(x)) frees its intermediates as calling the module does", () => {
    torch.manualSeed(0);
    const lstm = new nn.LSTM(4, 8);
    const head = new nn.Linear(8, 1);
    const x = torch.randn([5, 3, 4]);
    // what a step leaves behind is evicted at later steps' boundaries: count those evictions
    const evicted = (call: boolean): number => {
      const step = (): void => {
        const [out] = call ? lstm(x) : lstm.forward(x);
        (call ? head(out.select(0, -1)) : head.forward(out.select(0, -1))).sum().backward();
      };
      step();
      // earlier leftovers go now, so that only this loop's are counted
      torch.testing.evictAll();
      const before = torch.memoryStats().evictions;
      for (let i = 0; i < 10; i++) step();
      return torch.memoryStats().evictions - before;
    };
    const [called, direct] = [evicted(true), evicted(false)];
    // the LSTM's output, h_n and c_n, the head's output and the loss of each step
    expect(called).toBeLessThanOrEqual(50);
    expect(direct).toBe(called);
  });
  it("composite ops in inference (conv, pooling) free their intermediates: disposing the output frees all", () => {
    const F = torch.nn.functional;
    const x = torch.rand([4, 3, 12, 12]);
    const w = torch.rand([5, 3, 3, 3]);
    const b = torch.rand([5]);
    const target = torch.zeros([48], { dtype: "int64" });
    for (const op of [
      () => F.conv2d(x, w, b, { padding: 1, groups: 1 }),
      () => F.maxPool2d(x, 2),
      () => F.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }),
      () => F.adaptiveAvgPool2d(x, [5, 7]),
      () => F.crossEntropy(x.reshape(48, 36), target),
    ]) {
      op().dispose();
      const before = torch.memoryStats().bytesInUse;
      for (let i = 0; i < 20; i++) op().dispose();
      expect(torch.memoryStats().bytesInUse).toBe(before);
    }
  });
  it("backward frees the graph's saved internal tensors; retainGraph keeps them", () => {
    const savedIn = (t: torch.Tensor): torch.Tensor[] => {
      const out: torch.Tensor[] = [];
      const seen = new Set<unknown>();
      const walk = (n: unknown): void => {
        if (!(n instanceof torch.autograd.Node) || seen.has(n)) return;
        seen.add(n);
        out.push(...(n.saved ?? []));
        for (const [next] of n.nextFunctions) walk(next);
      };
      walk(t.gradFn);
      return out;
    };
    // a grouped convolution is composed of unfold and matmul per group
    const conv = new nn.Conv2d(4, 8, 3, { padding: 1, groups: 2 });
    const x = torch.randn([2, 4, 16, 16]);
    for (const retainGraph of [true, false]) {
      const y = conv(x).relu().sum();
      const saved = savedIn(y);
      // each group's unfolded input (saved for the weight's gradient) and weights as a matrix
      // are internal to the convolution; the relu output, made by the caller, is the caller's
      const internalSaved = saved.filter((t) => !t.escaped);
      expect(internalSaved.map((t) => t.shape)).toEqual([[4, 18], [2, 18, 256], [4, 18], [2, 18, 256]]);
      const relu = saved.filter((t) => t.escaped);
      expect(relu.map((t) => t.shape)).toEqual([[2, 8, 16, 16]]);
      y.backward(undefined, { retainGraph });
      expect(internalSaved.map((t) => t.isDisposed)).toEqual(Array(4).fill(!retainGraph));
      expect([x, conv.weight, ...relu].some((t) => t.isDisposed)).toBe(false);
    }
  });
  it("a float32 convolution saves its input and weight, no unfolded copy", () => {
    const conv = new nn.Conv2d(3, 8, 3, { padding: 1 });
    const x = torch.randn([2, 3, 16, 16]);
    const y = conv(x);
    expect(y.gradFn?.saved?.map((t) => t.shape)).toEqual([[2, 3, 16, 16], [8, 3, 3, 3]]);
  });
  it("gradients stay correct through internal scopes (library modules inside user modules)", () => {
    class Net extends nn.Module {
      body = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh());
      head = new nn.Linear(8, 1);
      forward(x: torch.Tensor): torch.Tensor {
        return this.head(this.body(x).mul(2));
      }
    }
    torch.manualSeed(3);
    const net = new Net();
    const x = torch.randn([5, 4]);
    net(x).square().sum().backward();
    const [w1, b1, w2, b2] = [...net.parameters()];
    const got = [w1, b1, w2, b2].map((p) => p.grad!.tolist());
    const ws = [w1, b1, w2, b2].map((p) => p.detach().clone().requiresGrad_());
    x.matmul(ws[0].t()).add(ws[1]).tanh().mul(2).matmul(ws[2].t()).add(ws[3]).square().sum().backward();
    expect(got).toEqual(ws.map((p) => p.grad!.tolist()));
  });
});

describe("eviction never loses a tensor", () => {
  it("evicted tensors reload with their exact bits, views and dtypes included", () => {
    const a = torch.tensor([1.5, -0.0, Number.NaN, 3e38], { dtype: "float32" });
    const big = torch.tensor([2 ** 53 + 2, -(2 ** 40)], { dtype: "int64" });
    const base = torch.arange(12, { dtype: "float64" }).reshape(3, 4);
    const view = base.t().narrow(0, 1, 2);
    const mask = torch.tensor([true, false, true]);
    const s0 = torch.memoryStats();
    evictAll();
    const s1 = torch.memoryStats();
    expect(s1.evictions).toBeGreaterThan(s0.evictions);
    expect(s1.storages).toBe(0);
    expect(Array.from(a.toTypedArray() as Float32Array)).toEqual([1.5, -0, Number.NaN, 3e38].map(Math.fround));
    expect(Object.is((a.toTypedArray() as Float32Array)[1], -0)).toBe(true);
    expect(Array.from(big.toTypedArray() as BigInt64Array)).toEqual([2n ** 53n + 2n, -(2n ** 40n)]);
    expect(view.tolist()).toEqual([[1, 5, 9], [2, 6, 10]]);
    expect(mask.tolist()).toEqual([true, false, true]);
    expect(torch.memoryStats().reloads).toBe(s1.reloads + 4);
  });
  it("in-place writes after a reload land in the tensor and its views", () => {
    const base = torch.zeros([6]);
    const v = base.narrow(0, 2, 2);
    evictAll();
    v.add_(5);
    evictAll();
    expect(base.tolist()).toEqual([0, 0, 5, 5, 0, 0]);
  });
  it("a graph evicted between forward and backward gives the same gradients", () => {
    const w = torch.randn([6, 4], { requiresGrad: true });
    const x = torch.randn([3, 6]);
    const ref = x.matmul(w).tanh().square().sum();
    ref.backward();
    const want = w.grad!.tolist();
    w.grad = null;
    const y = x.matmul(w).tanh().square().sum();
    evictAll();
    y.backward();
    expect(w.grad!.tolist()).toEqual(want);
  });
});

describe("dispose and storage", () => {
  it("dispose() frees; using the tensor afterwards names the op", () => {
    const t = torch.randn([3]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.exp()).toThrow("exp: tensor of shape [3] (float32) was freed by dispose()");
  });
  it("views share storage safely: freeing the base keeps the view's data", () => {
    const base = torch.arange(6, { dtype: "float32" });
    const v = base.narrow(0, 2, 3);
    base.dispose();
    expect(v.tolist()).toEqual([2, 3, 4]);
    const before = torch.memoryStats().storages;
    v.dispose();
    expect(torch.memoryStats().storages).toBe(before - 1);
  });
  it("an evicted tensor disposed is gone without a reload", () => {
    const t = torch.randn([100]);
    evictAll();
    const s = torch.memoryStats();
    t.dispose();
    expect(torch.memoryStats().reloads).toBe(s.reloads);
    expect(() => t.sum()).toThrow("was freed by dispose()");
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
  it("memoryStats reports storages, bytes in use, the peak, evictions and reloads", () => {
    const s0 = torch.memoryStats({ resetPeak: true });
    const t = torch.zeros([1000]);
    const s1 = torch.memoryStats();
    expect(s1.bytesInUse - s0.bytesInUse).toBe(4000);
    expect(s1.storages).toBe(s0.storages + 1);
    evictAll();
    const s2 = torch.memoryStats();
    expect(s2.evictedBytes - s1.evictedBytes).toBeGreaterThanOrEqual(4000);
    expect(s2.bytesInUse).toBe(0);
    expect(t.sum().item()).toBe(0);
    const s3 = torch.memoryStats();
    expect(s3.reloads).toBe(s2.reloads + 1);
    expect(s3.reloadedBytes - s2.reloadedBytes).toBe(4000);
    t.dispose();
    expect(torch.memoryStats().peakBytes).toBeGreaterThanOrEqual(s0.bytesInUse + 4000);
  });
  it("parameters are long-lived: boundaries leave them resident", () => {
    const lin = new nn.Linear(300, 300);
    const s = torch.memoryStats();
    expect(s.longLivedStorages).toBeGreaterThanOrEqual(2);
    const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.1 });
    const x = torch.randn([4, 300]);
    for (let i = 0; i < 10; i++) {
      opt.zeroGrad();
      lin(x).sum().backward();
      opt.step();
    }
    expect(torch.memoryStats().reloads).toBe(s.reloads);
  });
});

describe("a kernel that traps", () => {
  it("raises a clear error and leaves the stack, the heap and the counters as they were", async () => {
    const { kernel, stackDepth } = await import("../ts/backend/wasm.js");
    const a = torch.randn([32, 32]);
    const before = torch.memoryStats();
    for (let i = 0; i < 100; i++) {
      // pointers past the end of WebAssembly memory: the kernel's first load traps
      expect(() => kernel("matmul_f32")(0xfffff000, 0xfffff000, 0xfffff000, 32, 32, 32, 32, 1, 32, 1, 1, 0, 0)).toThrow(
        /taimatsu: the matmul_f32 kernel trapped \(memory access out of bounds\); this is a bug in taimatsu/,
      );
      expect(stackDepth()).toBe(0);
    }
    expect(torch.memoryStats().bytesInUse).toBe(before.bytesInUse);
    expect(a.matmul(a).sub(a.matmul(a)).abs().sum().item()).toBe(0);
  });
});
