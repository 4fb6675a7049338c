// torch.utils.data against PyTorch and scikit-learn (test/fixtures/data.json from
// scripts/gen_data_fixtures.py), the bundled digits, the file-format readers on small files
// made here, and the demo's accuracy through the same code path as `npm run demo`.
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import { loadDigits } from "../ts/digits.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/data.json";
import pytorchRun from "./fixtures/digits-run.json";
import { expectThrowsMessage } from "./helpers.js";
import { trainDigits } from "../examples/digits/train.js";

const { DataLoader, TensorDataset, Dataset, IterableDataset, ConcatDataset, Subset, randomSplit, datasets } = torch.utils.data;
const S = torch.utils.data;

type Described = { dtype: string; shape: number[]; data: (number | boolean)[] } | Described[] | { [k: string]: Described } | string[];

function picture(x: unknown): unknown {
  if (x instanceof torch.Tensor) return { dtype: x.dtype, shape: [...x.shape], data: x.numel() ? (x.reshape(-1).tolist() as unknown[]) : [] };
  if (Array.isArray(x)) return x.map(picture);
  if (x !== null && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, picture(v)]));
  return x;
}

class Range extends Dataset<number> {
  constructor(readonly n: number) {
    super();
  }
  getItem(i: number): number {
    if (i < 0 || i >= this.n) throw new RangeError(`Range: index ${i} out of range`);
    return i;
  }
  get length(): number {
    return this.n;
  }
}

describe("DataLoader matches PyTorch", () => {
  it("batch counts with and without dropLast", () => {
    for (const c of fixtures.lengths) {
      const loader = new DataLoader(new Range(c.n), { batchSize: c.batch, dropLast: c.drop_last });
      expect(loader.length, JSON.stringify(c)).toBe(c.batches);
      expect([...loader].length, JSON.stringify(c)).toBe(c.batches);
    }
  });
  it("ordering and collation without shuffle", () => {
    const ds = new TensorDataset(torch.arange(10, { dtype: "float32" }).reshape(10, 1), torch.arange(10));
    const batches = [...new DataLoader(ds, { batchSize: 4 })].map(picture);
    expect(batches).toEqual(fixtures.sequential);
  });
  it("default collate of nested objects, arrays, numbers, booleans and strings", () => {
    const samples = [0, 1, 2].map((i) => ({ image: torch.full([2, 2], i, { dtype: "float32" }), label: i, weight: 0.5 * i, meta: { name: `s${i}`, flags: [true, i % 2 === 0] } }));
    expect(picture(S.defaultCollate(samples))).toEqual(fixtures.collate as Described);
  });
  it("seeded shuffles: a permutation every epoch, a fresh one each epoch, reproducible", () => {
    const run = (seed: number) => {
      const loader = new DataLoader(new Range(50), { batchSize: 8, shuffle: true, generator: new torch.Generator(seed) });
      return [0, 1, 2].map(() => {
        const order: number[] = [];
        for (const b of loader) order.push(...((b as Tensor).tolist() as number[]));
        return order;
      });
    };
    const epochs = run(7);
    for (const e of epochs) expect([...e].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(run(7)).toEqual(epochs);
    expect(run(8)).not.toEqual(epochs);
  });
  it("async iteration and async datasets", async () => {
    class Slow extends Dataset<Promise<number>> {
      getItem(i: number) {
        return Promise.resolve(i * 10);
      }
      get length() {
        return 5;
      }
    }
    const got: number[][] = [];
    for await (const b of new DataLoader(new Slow(), { batchSize: 2 })) got.push((b as Tensor).tolist() as number[]);
    expect(got).toEqual([[0, 10], [20, 30], [40]]);
  });
  it("iterable datasets, sync and async, batched in order", async () => {
    class Count extends IterableDataset<number> {
      *[Symbol.iterator]() {
        for (let i = 0; i < 7; i++) yield i;
      }
    }
    class CountAsync extends IterableDataset<number> {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 5; i++) yield i;
      }
    }
    expect([...new DataLoader(new Count(), { batchSize: 3 })].map((b) => (b as Tensor).tolist())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const got: unknown[] = [];
    for await (const b of new DataLoader(new CountAsync(), { batchSize: 2, dropLast: true })) got.push((b as Tensor).tolist());
    expect(got).toEqual([[0, 1], [2, 3]]);
  });
  it("custom collateFn, batchSize null, samplers and batchSampler", () => {
    const sum = new DataLoader(new Range(6), { batchSize: 3, collateFn: (s) => s.reduce((a, b) => a + b, 0) });
    expect([...sum]).toEqual([3, 12]);
    expect([...new DataLoader(new Range(3), { batchSize: null })]).toEqual([0, 1, 2]);
    const bs = new S.BatchSampler(new S.SequentialSampler(new Range(5)), 2, true);
    expect([...new DataLoader(new Range(5), { batchSampler: bs })].map((b) => (b as Tensor).tolist())).toEqual([[0, 1], [2, 3]]);
    const sub = new S.SubsetRandomSampler([3, 5, 7], new torch.Generator(1));
    expect([...sub].sort()).toEqual([3, 5, 7]);
    const withRep = [...new S.RandomSampler(new Range(4), { replacement: true, numSamples: 20, generator: new torch.Generator(2) })];
    expect(withRep).toHaveLength(20);
    expect(withRep.every((i) => i >= 0 && i < 4)).toBe(true);
    const counts = [0, 0, 0];
    for (const i of new S.WeightedRandomSampler([0.1, 0, 0.9], 4000, true, new torch.Generator(3))) counts[i]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / 4000).toBeCloseTo(0.9, 1);
    expect([...new S.WeightedRandomSampler([1, 1, 1], 3, false, new torch.Generator(4))].sort()).toEqual([0, 1, 2]);
  });
  it("ConcatDataset, Subset and randomSplit", () => {
    const c = new ConcatDataset([new Range(3), new Range(2)]);
    expect(c.length).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => c.getItem(i))).toEqual([0, 1, 2, 0, 1]);
    expect(new Subset(new Range(10), [9, 3]).getItem(1)).toBe(3);
    const parts = randomSplit(new Range(10), [0.75, 0.25], new torch.Generator(5));
    expect(parts.map((p) => p.length)).toEqual([8, 2]);
    const all = parts.flatMap((p) => p.indices).sort((a, b) => a - b);
    expect(all).toEqual([...Array(10).keys()]);
    expect(randomSplit(new Range(10), [3, 7]).map((p) => p.length)).toEqual([3, 7]);
    expect(() => randomSplit(new Range(10), [3, 6])).toThrow("Sum of input lengths does not equal the length of the input dataset!");
  });
  it("bad input: batchSize, inconsistent shapes (names the index), index out of range", () => {
    expectThrowsMessage(() => new DataLoader(new Range(3), { batchSize: 0 }), "batch_size should be a positive integer value, but got batch_size=0");
    expectThrowsMessage(() => new DataLoader(new Range(3), { batchSize: 1.5 }), "batch_size should be a positive integer value, but got batch_size=1.5");
    expectThrowsMessage(() => new DataLoader(new Range(3), { sampler: new S.SequentialSampler(new Range(3)), shuffle: true }), "sampler option is mutually exclusive with shuffle");
    class Ragged extends Dataset<Tensor> {
      getItem(i: number) {
        return torch.zeros(i === 2 ? 3 : 2);
      }
      get length() {
        return 4;
      }
    }
    expectThrowsMessage(() => [...new DataLoader(new Ragged(), { batchSize: 4 })], "dataset index 2 has shape [3] but dataset index 0 has [2]");
    const ds = new TensorDataset(torch.zeros(3, 2));
    expectThrowsMessage(() => ds.getItem(3), "TensorDataset: index 3 out of range for dataset of length 3");
    expectThrowsMessage(() => new TensorDataset(torch.zeros(3), torch.zeros(4)), "Size mismatch between tensors");
  });
  it("many epochs over a loader keep memory flat", () => {
    const ds = new TensorDataset(torch.randn(200, 8), torch.arange(200));
    const loader = new DataLoader(ds, { batchSize: 16, shuffle: true });
    const w = torch.randn([8, 1], { requiresGrad: true });
    let at2 = torch.memoryStats();
    for (let epoch = 0; epoch < 30; epoch++) {
      for (const [x] of loader as Iterable<Tensor[]>) x.matmul(w).square().mean().backward();
      if (epoch === 2) at2 = torch.memoryStats();
    }
    expect(torch.memoryStats().storages).toBeLessThanOrEqual(at2.storages + 5);
    expect(torch.memoryStats().bytesInUse).toBeLessThanOrEqual(at2.bytesInUse + 4096);
  });
});

describe("data sets", () => {
  it("loadDigits: sklearn's 1797 × 64 digits, values 0–16, 10 classes", () => {
    const d = loadDigits();
    expect(d.data.shape).toEqual([1797, 64]);
    expect(d.images.shape).toEqual([1797, 8, 8]);
    expect(d.target.dtype).toBe("int64");
    expect(d.data.min().item()).toBe(0);
    expect(d.data.max().item()).toBe(16);
    expect(d.target.index(":10").tolist()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const counts = [...Array(10).keys()].map((c) => d.target.eq(c).sum().item());
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  });
  it("trainTestSplit picks sklearn's indices for the same random_state", () => {
    for (const c of Object.values(fixtures.splits)) {
      const [train, test] = S.splitIndices(c.n, { testSize: c.test_size, randomState: c.seed });
      expect(train).toEqual(c.train);
      expect(test).toEqual(c.test);
    }
    const d = loadDigits();
    const [xtr, xte, ytr, yte] = S.trainTestSplit(d.data, d.target, { randomState: 0 });
    expect([xtr.shape[0], xte.shape[0], ytr.shape[0], yte.shape[0]]).toEqual([1347, 450, 1347, 450]);
    expect(() => S.trainTestSplit(d.data, torch.zeros(5))).toThrow("inconsistent numbers of samples: [1797, 5]");
  });

  const idx = (magic: number, dims: number[], data: number[]) => {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([head, Buffer.from(data)]);
  };

  it("MNIST / FashionMNIST read IDX files, raw or gzipped, from root or root/NAME/raw", async () => {
    const root = mkdtempSync(join(tmpdir(), "mnist-"));
    const pixels = Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 17) % 256);
    writeFileSync(join(root, "t10k-images-idx3-ubyte.gz"), gzipSync(idx(0x803, [3, 4, 5], pixels)));
    writeFileSync(join(root, "t10k-labels-idx1-ubyte"), idx(0x801, [3], [7, 0, 9]));
    const test = await datasets.MNIST(root, { train: false });
    expect(test.length).toBe(3);
    const [img, label] = test.getItem(2);
    expect(img.shape).toEqual([1, 4, 5]);
    expect(label).toBe(9);
    expect((img.reshape(-1).tolist() as number[])[0]).toBeCloseTo(pixels[40] / 255, 6);
    mkdirSync(join(root, "FashionMNIST", "raw"), { recursive: true });
    writeFileSync(join(root, "FashionMNIST", "raw", "train-images-idx3-ubyte"), idx(0x803, [1, 2, 2], [0, 255, 0, 255]));
    writeFileSync(join(root, "FashionMNIST", "raw", "train-labels-idx1-ubyte.gz"), gzipSync(idx(0x801, [1], [3])));
    const fashion = await datasets.FashionMNIST(root);
    expect(fashion.getItem(0)[0].tolist()).toEqual([[[0, 1], [0, 1]]]);
    const loader = new DataLoader(test, { batchSize: 2 });
    const [xb, yb] = [...loader][0] as Tensor[];
    expect(xb.shape).toEqual([2, 1, 4, 5]);
    expect(yb.tolist()).toEqual([7, 0]);
  });
  it("MNIST errors: missing files and malformed headers", async () => {
    const root = mkdtempSync(join(tmpdir(), "mnist-bad-"));
    await expect(datasets.MNIST(root)).rejects.toThrow(/MNIST: data file not found; looked for .*train-images-idx3-ubyte/);
    writeFileSync(join(root, "train-images-idx3-ubyte"), idx(0x803, [2, 2, 2], [1, 2, 3]));
    writeFileSync(join(root, "train-labels-idx1-ubyte"), idx(0x801, [2], [1, 2]));
    await expect(datasets.MNIST(root)).rejects.toThrow("header promises 8 bytes of data (2×2×2), file has 3");
    writeFileSync(join(root, "train-images-idx3-ubyte"), Buffer.from("not an idx file"));
    await expect(datasets.MNIST(root)).rejects.toThrow("is not an IDX file of unsigned bytes");
  });
  it("CIFAR10 reads binary batches", async () => {
    const root = mkdtempSync(join(tmpdir(), "cifar-"));
    mkdirSync(join(root, "cifar-10-batches-bin"));
    const record = (label: number, v: number) => Buffer.concat([Buffer.from([label]), Buffer.alloc(3072, v)]);
    writeFileSync(join(root, "cifar-10-batches-bin", "test_batch.bin"), Buffer.concat([record(3, 51), record(9, 255)]));
    const test = await datasets.CIFAR10(root, { train: false });
    expect(test.length).toBe(2);
    const [img, label] = test.getItem(1);
    expect(img.shape).toEqual([3, 32, 32]);
    expect(label).toBe(9);
    expect(img.max().item()).toBe(1);
    writeFileSync(join(root, "cifar-10-batches-bin", "test_batch.bin"), Buffer.alloc(100));
    await expect(datasets.CIFAR10(root, { train: false })).rejects.toThrow("is not a whole number of 3073-byte records");
    await expect(datasets.CIFAR10(root)).rejects.toThrow("CIFAR10: data file not found");
  });
});

describe("weights out and in", () => {
  it("safetensors round-trips a state dict (dtypes, shapes, values)", () => {
    const sd = { "fc.weight": torch.randn(3, 4), "fc.bias": torch.randn(3).double(), steps: torch.tensor([1, 2]), mask: torch.tensor([true, false]) };
    const back = torch.io.loadSafetensors(torch.io.saveSafetensors(sd));
    for (const [k, t] of Object.entries(sd)) {
      expect(back[k].dtype).toBe(t.dtype);
      expect(back[k].tolist()).toEqual(t.tolist());
    }
  });
});

describe("the digits demo (same code path as npm run demo)", () => {
  it("retraces PyTorch's run of the same script epoch by epoch and reaches at least 95%", () => {
    // same seed → PyTorch's initial weights and batch order (scripts/digits_pytorch.py);
    // float rounding differs (SIMD exp, summation order), so losses agree to ~1e-3, not bit for bit
    const { history, model } = trainDigits({ seed: 0 });
    expect(history.length).toBe(pytorchRun.history.length);
    history.forEach((h, e) => {
      const want = pytorchRun.history[e];
      expect(Math.abs(h.trainLoss - want.trainLoss), `epoch ${e + 1} train loss`).toBeLessThan(2e-3);
      expect(Math.abs(h.testLoss - want.testLoss), `epoch ${e + 1} test loss`).toBeLessThan(2e-3);
      expect(Math.abs(h.testAccuracy - want.testAccuracy), `epoch ${e + 1} test accuracy`).toBeLessThanOrEqual(1 / 450 + 1e-9);
    });
    expect(history[history.length - 1].testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(model.toString()).toContain("Linear(in_features=64, out_features=32, bias=True)");
  });
});
