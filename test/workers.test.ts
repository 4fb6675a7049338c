// DataLoader workers (numWorkers > 0), through the built bundle as users run it (workers
// import dist/taimatsu.js; scripts/setup.sh builds it before the tests).
import { describe, expect, it } from "vitest";
import * as torch from "../dist/taimatsu.js";
import { FaultyDataset } from "./fixtures/faulty-dataset.mjs";
import { NoisyDataset } from "./fixtures/noisy-dataset.mjs";

type T = InstanceType<typeof torch.Tensor>;
const { DataLoader, TensorDataset, Subset } = torch.utils.data;

/** The base seed an iterator draws first (PyTorch's int64 random_()): the library's own draw, not public API. */
const drawBaseSeed = (g: InstanceType<typeof torch.Generator>): bigint => (g as unknown as { nextSeed(): bigint }).nextSeed();

async function collect(loader: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const b of loader) out.push(JSON.stringify(b, (_, v) => (v instanceof torch.Tensor ? v.tolist() : v)));
  return out;
}

describe("DataLoader with numWorkers > 0", () => {
  const ds = new TensorDataset(torch.randn(203, 5), torch.arange(203));
  it("gives exactly the batches, in the same order, as numWorkers: 0", async () => {
    const opts = (n: number) => ({ batchSize: 16, shuffle: true, generator: new torch.Generator(11), numWorkers: n });
    const serial = await collect(new DataLoader(ds, opts(0)));
    expect(await collect(new DataLoader(ds, opts(2)))).toEqual(serial);
    expect(await collect(new DataLoader(ds, { ...opts(2), prefetchFactor: 1 }))).toEqual(serial);
    expect(serial).toHaveLength(13);
  });
  it("persistent workers keep PyTorch's one iterator: one base seed, drawn on the first epoch, then only the shuffles", async () => {
    const gen = new torch.Generator(11);
    const persistent = new DataLoader(ds, { batchSize: 16, shuffle: true, generator: gen, numWorkers: 2, persistentWorkers: true });
    // what PyTorch's reset iterator gives: the shuffle of epoch 2 follows epoch 1's directly (each
    // epoch's RandomSampler draws a permutation, then one more for the empty remainder)
    const expected = (epoch: number) => {
      const g = new torch.Generator(11);
      drawBaseSeed(g);
      let order: number[] = [];
      for (let e = 0; e <= epoch; e++) {
        order = torch.randperm(203, { generator: g }).tolist() as number[];
        torch.randperm(203, { generator: g });
      }
      return order;
    };
    for (let epoch = 0; epoch < 2; epoch++) {
      const batches = (await collect(persistent)).map((b) => JSON.parse(b as string) as [number[][], number[]]);
      expect(batches.flatMap(([, y]) => y)).toEqual(expected(epoch));
    }
    await persistent.shutdownWorkers();
    // after a shutdown, the next epoch is a new iterator: it draws a base seed again
    const g = new torch.Generator(11);
    drawBaseSeed(g);
    for (let k = 0; k < 4; k++) torch.randperm(203, { generator: g });
    drawBaseSeed(g);
    const afterShutdown = (await collect(persistent)).map((b) => JSON.parse(b as string) as [number[][], number[]]);
    expect(afterShutdown.flatMap(([, y]) => y)).toEqual(torch.randperm(203, { generator: g }).tolist());
    await persistent.shutdownWorkers();
  });
  it("seeds worker k with the loader's base seed + k, as PyTorch does: random augmentations repeat with the seed", async () => {
    const run = async (seed: number) => {
      torch.manualSeed(seed);
      return collect(new DataLoader(new NoisyDataset(12), { batchSize: 3, numWorkers: 2 }));
    };
    const first = await run(5);
    expect(await run(5)).toEqual(first);
    expect(await run(6)).not.toEqual(first);
    // the two workers draw different streams
    const [b0, b1] = first.map((b) => JSON.parse(b as string) as number[][]);
    expect(b0.map((r, i) => r.map((v) => v - i))).not.toEqual(b1.map((r, i) => r.map((v) => v - 3 - i)));
  });
  it("rebuilds user datasets from their module and wrapped datasets (Subset)", async () => {
    const user = await collect(new DataLoader(new FaultyDataset(6, -1), { batchSize: 4, numWorkers: 2 }));
    expect(user).toEqual(['{"x":[[0,0],[1,1],[2,2],[3,3]],"y":[0,1,2,3]}', '{"x":[[4,4],[5,5]],"y":[4,5]}']);
    const sub = await collect(new DataLoader(new Subset(ds, [7, 3]), { batchSize: 2, numWorkers: 1 }));
    expect(sub).toEqual(await collect(new DataLoader(new Subset(ds, [7, 3]), { batchSize: 2 })));
  });
  it("applies a custom collateFn on the main thread", async () => {
    const loader = new DataLoader(new FaultyDataset(5, -1), { batchSize: 2, numWorkers: 2, collateFn: (s: { y: number }[]) => s.map((e) => e.y) });
    expect(await collect(loader)).toEqual(["[0,1]", "[2,3]", "[4]"]);
  });
  it("surfaces a worker's error in the main loop with the batch's indices", async () => {
    const loader = new DataLoader(new FaultyDataset(12, 9), { batchSize: 4, numWorkers: 2 });
    await expect(collect(loader)).rejects.toThrow("DataLoader worker 0 failed on batch 2 (dataset indices [8, 9, 10, 11]): cannot decode sample 9");
  });
  it("a worker that exits, or throws outside a call, is a clear error naming it and the batch; the next epoch starts fresh workers", async () => {
    const exits = new DataLoader(new FaultyDataset(12, 9, "exit"), { batchSize: 4, numWorkers: 2 });
    await expect(collect(exits)).rejects.toThrow("DataLoader worker 0 exited unexpectedly with exit code 3 while loading batch 2 (dataset indices [8, 9, 10, 11])");
    const crashes = new DataLoader(new FaultyDataset(12, 5, "async-throw"), { batchSize: 4, numWorkers: 2 });
    await expect(collect(crashes)).rejects.toThrow("DataLoader worker 1 failed with an uncaught error (decoder crashed after sample 5) while loading batch 1 (dataset indices [4, 5, 6, 7])");
    // the same loader again: fresh workers, the same clear error rather than a wait on dead ones
    await expect(collect(exits)).rejects.toThrow("DataLoader worker 0 exited unexpectedly with exit code 3 while loading batch 2");
  });
  it("timeout: a batch that does not come in time is an error, as PyTorch's DataLoader(timeout=…)", async () => {
    const hangs = new DataLoader(new FaultyDataset(8, 5, "hang"), { batchSize: 4, numWorkers: 2, timeout: 0.5 });
    await expect(collect(hangs)).rejects.toThrow("DataLoader timed out after 0.5 seconds waiting for batch 1 from worker 1");
    expect(() => new DataLoader(new FaultyDataset(8, 5), { batchSize: 4, timeout: 1 })).toThrow("timeout option needs numWorkers > 0");
  });
  it("explains what a dataset needs to be loaded in workers", async () => {
    class Plain extends torch.utils.data.Dataset<number> {
      getItem(i: number) {
        return i;
      }
      get length() {
        return 3;
      }
    }
    await expect(collect(new DataLoader(new Plain(), { numWorkers: 1 }))).rejects.toThrow("numWorkers > 0 needs a dataset a worker can rebuild: Plain has no workerSpec()");
    expect(() => [...new DataLoader(new Plain(), { numWorkers: 1 })]).toThrow("iterate it with for await");
    expect(() => new DataLoader(new Plain(), { prefetchFactor: 2 })).toThrow("prefetch_factor option could only be specified in multiprocessing");
  });
  it("keeps memory flat over many epochs", async () => {
    const loader = new DataLoader(ds, { batchSize: 32, numWorkers: 2, persistentWorkers: true });
    let at2 = torch.memoryStats();
    for (let e = 0; e < 12; e++) {
      for await (const [x] of loader as AsyncIterable<T[]>) x.sum().item();
      if (e === 2) at2 = torch.memoryStats();
    }
    expect(torch.memoryStats().storages).toBeLessThanOrEqual(at2.storages + 5);
    expect(torch.memoryStats().bytesInUse).toBeLessThanOrEqual(at2.bytesInUse + 4096);
    await loader.shutdownWorkers();
  });
});

describe("image data sets with torch.vision transforms in workers", () => {
  // an MNIST-format set of 6 images of 6×6 made in memory
  const idx = (magic: number, dims: number[], data: number[]) => {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, magic);
    dims.forEach((d, k) => view.setUint32(4 + 4 * k, d));
    out.set(data, 4 + 4 * dims.length);
    return out;
  };
  const images = idx(0x803, [6, 6, 6], Array.from({ length: 216 }, (_, i) => (i * 37) % 256));
  const labels = idx(0x801, [6], [0, 1, 2, 3, 4, 5]);
  const T = torch.vision.transforms;
  const make = (opts: Parameters<typeof torch.utils.data.datasets.mnistFromBytes>[3]) => torch.utils.data.datasets.mnistFromBytes("MNIST", images, labels, opts);

  it("a Compose of transforms is rebuilt in each worker: the same batches as numWorkers: 0", async () => {
    const ds = make({ transform: new T.Compose([new T.Pad(1), new T.CenterCrop(6), new T.Normalize([0.5], [0.25])]) });
    const serial = await collect(new DataLoader(ds, { batchSize: 4, numWorkers: 0 }));
    const parallel = await collect(new DataLoader(ds, { batchSize: 4, numWorkers: 2 }));
    expect(parallel).toEqual(serial);
    expect((JSON.parse(serial[0] as string) as number[][][][][])[0]![0]![0]!.length).toBe(6);
  });

  it("random transforms run in the workers, seeded per worker as PyTorch's", async () => {
    const ds = make({ transform: new T.Compose([new T.RandomCrop(4, { padding: 2 }), new T.RandomHorizontalFlip()]) });
    const run = async () => {
      torch.manualSeed(7);
      return collect(new DataLoader(ds, { batchSize: 2, numWorkers: 2 }));
    };
    const [a, b] = [await run(), await run()];
    expect(b).toEqual(a);
    const shapes = a.map((batch) => JSON.parse(batch as string)[0]).map((x: number[][][][]) => [x.length, x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length]);
    expect(shapes).toEqual([[2, 1, 4, 4], [2, 1, 4, 4], [2, 1, 4, 4]]);
  });

  it("the augmentations (RandomResizedCrop, RandomAffine, ColorJitter, RandomErasing) are rebuilt in the workers and repeat with the seed", async () => {
    const augment = new T.Compose([
      new T.ConvertImageDtype("float32"),
      new T.RandomResizedCrop(5, { scale: [0.5, 1] }),
      new T.RandomAffine(15, { translate: [0.1, 0.1] }),
      new T.ColorJitter(0.3, 0.3),
      new T.RandomErasing({ p: 1 }),
    ]);
    const plain = await collect(new DataLoader(make({ transform: new T.Compose([new T.ConvertImageDtype("float32"), new T.Resize([5, 5])]) }), { batchSize: 3, numWorkers: 2 }));
    const run = async () => {
      torch.manualSeed(3);
      return collect(new DataLoader(make({ transform: augment }), { batchSize: 3, numWorkers: 2 }));
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).not.toEqual(plain);
    expect((JSON.parse(first[0] as string) as number[][][][][])[0]![0]![0]!.length).toBe(5);
  });

  it("an ImageFolder of PNG and JPEG files is rebuilt in the workers: the same batches as numWorkers: 0", async () => {
    const root = new URL("./fixtures/image-folder", import.meta.url).pathname;
    const ds = new torch.vision.datasets.ImageFolder(root, new T.Compose([new T.ToTensor(), new T.Resize([4, 4])]));
    const serial = await collect(new DataLoader(ds, { batchSize: 2, numWorkers: 0 }));
    expect(await collect(new DataLoader(ds, { batchSize: 2, numWorkers: 2 }))).toEqual(serial);
    expect(serial).toHaveLength(3);
  });

  it("a plain-function transform is a clear error with numWorkers > 0", async () => {
    const ds = make({ transform: (x) => x.mul(2) });
    await expect(collect(new DataLoader(ds, { numWorkers: 1 }))).rejects.toThrow("MNIST: its transform is a plain function, which a DataLoader worker cannot rebuild; use torch.vision.transforms (and Compose), or numWorkers: 0");
  });
});
