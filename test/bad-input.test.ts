// Bad calls and hostile files, as a table: each is a clear error naming the op, the argument and
// what was expected (PyTorch's words where it has them), before any kernel runs or any memory is
// allocated from the file's claims. After the table the library still computes correctly and
// memoryStats() is consistent, and running the table again leaks nothing.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as torch from "../ts/index.js";

const { nn, optim } = torch;
const F = nn.functional;
const { datasets, WeightedRandomSampler, TensorDataset, randomSplit, trainTestSplit } = torch.utils.data;
const image = () => torch.ones([1, 1, 5, 5]);

type Case = [name: string, run: () => unknown, error: string | RegExp];

const calls: Case[] = [
  ["Conv2d stride 0", () => new nn.Conv2d(1, 1, 3, { stride: 0 }).forward(image()), "conv2d: non-positive stride is not supported"],
  ["Conv2d dilation 0", () => new nn.Conv2d(1, 1, 3, { dilation: 0 }).forward(image()), "conv2d: dilation should be greater than zero, but got [0, 0]"],
  ["Conv2d kernel 0", () => new nn.Conv2d(1, 1, 0), "Conv2d.__init__(): argument 'kernelSize' must be at least 1, got 0"],
  ["Conv2d padding -1", () => new nn.Conv2d(1, 1, 3, { padding: -1 }).forward(image()), "conv2d: negative padding is not supported"],
  ["F.conv2d positional stride 0", () => F.conv2d(image(), torch.ones([1, 1, 3, 3]), null, 0), "conv2d: non-positive stride is not supported"],
  ["AvgPool2d stride 0", () => new nn.AvgPool2d(2, 0).forward(image()), "avg_pool2d: stride should not be zero"],
  ["max_pool2d kernel 0", () => F.maxPool2d(image(), 0), "max_pool2d: kernel size should be greater than zero, but got kH: 0 kW: 0"],
  ["eye(-1)", () => torch.eye(-1), "eye: n must be greater or equal to 0, got -1"],
  ["arange(0, NaN)", () => torch.arange(0, NaN), "arange: unsupported range: 0 -> NaN (step 1)"],
  ["zeros with dtype 'banana'", () => torch.zeros([2], { dtype: "banana" as never }), "zeros: invalid dtype 'banana'; expected one of bool, uint8"],
  ["to('banana')", () => torch.ones(2).to("banana" as never), `to(): 'banana' is neither a dtype (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64) nor a device ("cpu")`],
  ["add a string", () => torch.ones(2).add("x" as never), "add(): argument 'other' (position 1) must be Tensor or a number, not string"],
  ["add undefined", () => torch.ones(2).add(undefined as never), "add(): argument 'other' (position 1) must be Tensor or a number, not undefined"],
  ["add {}", () => torch.ones(2).add({} as never), "add(): argument 'other' (position 1) must be Tensor or a number, not Object"],
  ["add an array", () => torch.ones(2).add([1, 2, 3] as never), "not Array (make it a tensor with torch.tensor([...]))"],
  ["add null", () => torch.ones(2).add(null as never), "add(): argument 'other' (position 1) must be Tensor or a number, not null"],
  ["Linear(2.5, 3)", () => new nn.Linear(2.5, 3), "Linear.__init__(): argument 'inFeatures' must be an integer, got 2.5"],
  ["Linear('a', 3)", () => new nn.Linear("a" as never, 3), "Linear.__init__(): argument 'inFeatures' must be an integer, got string"],
  ["Linear(-1, 3)", () => new nn.Linear(-1, 3), "Linear.__init__(): argument 'inFeatures' must be non-negative, got -1"],
  ["SGD lr 'x'", () => new optim.SGD(new nn.Linear(2, 2).parameters(), { lr: "x" as never }), `SGD: option 'lr' must be a number, got "x"`],
  [
    "indexPut_ of a value that does not broadcast",
    () => torch.zeros(3).indexPut_([torch.tensor([0])], torch.ones(7)),
    "shape mismatch: value tensor of shape [7] cannot be broadcast to indexing result of shape [1]",
  ],
  ["Embedding index -1", () => new nn.Embedding(4, 2).forward(torch.tensor([-1])), "index out of range in self: index_select index -1 for dimension 0 of size 4"],
  [
    "CrossEntropyLoss weight shorter than the classes",
    () => new nn.CrossEntropyLoss({ weight: torch.ones(2) }).forward(torch.ones([2, 5]), torch.tensor([4, 1])),
    "weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [2]",
  ],
  ["BCELoss target 2", () => new nn.BCELoss().forward(torch.full([2], 0.5), torch.tensor([2.0, 0])), "binary_cross_entropy: all elements of target should be between 0 and 1 (got 2)"],
  ["BCELoss input 1.5", () => new nn.BCELoss().forward(torch.tensor([1.5, 0.5]), torch.tensor([1.0, 0])), "binary_cross_entropy: all elements of input should be between 0 and 1 (got 1.5)"],
  ["WeightedRandomSampler of zero weights", () => [...new WeightedRandomSampler([0, 0], 2)], "invalid multinomial distribution (sum of probabilities <= 0)"],
  ["WeightedRandomSampler numSamples -1", () => new WeightedRandomSampler([1, 1], -1), "num_samples should be a positive integer value, but got num_samples=-1"],
  ["randomSplit with -2", () => randomSplit(new TensorDataset(torch.ones(4)), [6, -2]), "randomSplit: lengths must be non-negative counts or fractions, got -2"],
  ["trainTestSplit testSize 1.5", () => trainTestSplit(torch.ones(4), { testSize: 1.5 }), "test_size=1.5 should be either positive and smaller than the number of samples 4"],
  [
    "cross_entropy with float class labels",
    () => F.crossEntropy(torch.ones([2, 3]), torch.tensor([0.5, 1.5])),
    "expected scalar type Long but found float32: class indices must be an int64 tensor; use target.long()",
  ],
];

const hostile = (name: string) => join(__dirname, "fixtures", "hostile", name);

const ptFiles: Case[] = [
  ["size past the storage", () => torch.load(hostile("size-past-storage.pt")), "torch.load: a tensor of size [1000], stride [1] and offset 0 reaches element 999 of a storage of 4"],
  ["offset past the storage", () => torch.load(hostile("offset-past-storage.pt")), "torch.load: a tensor of size [2], stride [1] and offset 3 reaches element 4 of a storage of 4"],
  ["negative stride", () => torch.load(hostile("negative-stride.pt")), "torch.load: a tensor has invalid size [2], stride [-1] or offset 3"],
  ["negative size", () => torch.load(hostile("negative-size.pt")), "torch.load: a tensor has invalid size [-2], stride [1] or offset 0"],
  ["size 2^62", () => torch.load(hostile("huge-size.pt")), /torch\.load: a tensor has invalid size \[4611686018427\d+\], stride \[0\]/],
  ["nesting 5000 deep", () => torch.load(hostile("deep.pt")), "torch.load: the object nests deeper than 1000 levels"],
  ["a list holding itself", () => torch.load(hostile("self-containing.pt")), "torch.load: a container in the file holds itself"],
  ["ZIP entries sharing bytes", () => torch.load(hostile("overlapping-entries.pt")), "torch.load: corrupt ZIP archive: entries 'archive/data/0' and 'archive/data/1' share bytes"],
  ["a ZIP entry outside the file", () => torch.load(hostile("entry-outside-file.pt")), "torch.load: corrupt ZIP archive (a record points outside the file"],
];

/** A safetensors file: 8-byte header length (the real one unless given), the header text, the data. */
function safetensors(header: unknown, data = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const head = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}
const f32 = (shape: number[], offsets: unknown) => ({ dtype: "F32", shape, data_offsets: offsets });
const bytes16 = new Uint8Array(16);

const safetensorsFiles: Case[] = [
  ["header past the file", () => torch.io.loadSafetensors(safetensors({}, bytes16, 1n << 40n)), "safetensors: header of 1099511627776 bytes runs past the end of the file (26 bytes)"],
  ["negative data_offsets", () => torch.io.loadSafetensors(safetensors({ w: f32([1], [-4, 0]) }, bytes16)), "safetensors: tensor 'w' has data_offsets [-4,0]; they must be two whole byte positions, in order, within the 16 bytes of data"],
  ["reversed data_offsets", () => torch.io.loadSafetensors(safetensors({ w: f32([1], [8, 4]) }, bytes16)), "tensor 'w' has data_offsets [8,4]"],
  ["fractional data_offsets", () => torch.io.loadSafetensors(safetensors({ w: f32([1], [0, 4.5]) }, bytes16)), "tensor 'w' has data_offsets [0,4.5]"],
  ["data_offsets past the data", () => torch.io.loadSafetensors(safetensors({ w: f32([5], [0, 20]) }, bytes16)), "tensor 'w' has data_offsets [0,20]"],
  ["overlapping tensors", () => torch.io.loadSafetensors(safetensors({ a: f32([2], [0, 8]), b: f32([2], [4, 12]) }, bytes16)), "safetensors: tensors 'a' and 'b' overlap in the data"],
  ["unknown dtype", () => torch.io.loadSafetensors(safetensors({ w: { dtype: "F8_E4M3", shape: [4], data_offsets: [0, 4] } }, bytes16)), "safetensors: tensor 'w' has dtype F8_E4M3, which taimatsu does not support"],
  ["shape × dtype ≠ the byte range", () => torch.io.loadSafetensors(safetensors({ w: f32([3], [0, 16]) }, bytes16)), "safetensors: tensor 'w' of shape [3] and dtype F32 needs 12 bytes, but its data_offsets span 16"],
  ["shape [-1]", () => torch.io.loadSafetensors(safetensors({ w: f32([-1], [0, 4]) }, bytes16)), "safetensors: tensor 'w' has shape [-1]; sizes must be non-negative integers"],
  ["a header that is not UTF-8", () => torch.io.loadSafetensors(safetensors(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), bytes16)), "safetensors: the header is not valid UTF-8"],
  ["a header that is not JSON", () => torch.io.loadSafetensors(safetensors("{w: 1}", bytes16)), /^safetensors: the header is not valid JSON \(/],
  ["a header that is a JSON array", () => torch.io.loadSafetensors(safetensors([1, 2], bytes16)), "safetensors: the header is not a JSON object"],
  ["a file shorter than its length field", () => torch.io.loadSafetensors(new Uint8Array(5)), "safetensors: file too short for a header"],
];

function expectError(run: () => unknown, error: string | RegExp): void {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    expect(run).toThrow(error);
  } finally {
    warn.mockRestore();
  }
}

const root = mkdtempSync(join(tmpdir(), "taimatsu-bad-input-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function idx(magic: number, dims: number[], extra = 0): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + dims.reduce((a, b) => a * b, 1) + extra);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d));
  return out;
}

/** An MNIST folder holding the given (already encoded) train-images file and a matching labels file. */
function mnistDir(name: string, images: Uint8Array, imagesFile = "train-images-idx3-ubyte.gz"): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, imagesFile), images);
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), idx(0x801, [2]));
  return dir;
}

/** One fixed computation with a known answer: a Linear layer's forward, loss and gradient. */
function fixedComputation(): number[] {
  const layer = new nn.Linear(3, 2);
  torch.noGrad(() => {
    layer.weight.copy_(torch.tensor([[0.5, -1, 2], [1.5, 0.25, -0.5]]));
    layer.bias!.copy_(torch.tensor([0.1, -0.2]));
  });
  const loss = F.mseLoss(layer.forward(torch.tensor([[1, 2, 3], [-1, 0, 1]], { dtype: "float32" })), torch.zeros([2, 2]));
  loss.backward();
  return [loss.item(), ...(layer.weight.grad!.reshape(-1).tolist() as number[])];
}

function expectConsistentMemory(): void {
  const s = torch.memoryStats();
  for (const v of Object.values(s)) expect(Number.isFinite(v) && v >= 0).toBe(true);
  expect(s.bytesInUse).toBeLessThanOrEqual(s.peakBytes);
  expect(s.bytesInUse).toBeLessThanOrEqual(s.wasmMemoryBytes);
  expect(s.storages).toBeGreaterThanOrEqual(s.longLivedStorages);
}

describe("bad calls are clear errors", () => {
  for (const [name, run, error] of calls) it(name, () => expectError(run, error));
  it("MSELoss with a target shape that broadcasts warns as PyTorch does", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    new nn.MSELoss().forward(torch.ones([4, 1]), torch.ones([4]));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("Using a target size ([4]) that is different to the input size ([4, 1])"));
    warn.mockRestore();
  });
});

describe("hostile torch.load files are clear errors", () => {
  it("the table covers every crafted file", () => {
    const crafted = readdirSync(join(__dirname, "fixtures", "hostile")).filter((f) => f !== "billion-laughs.pt");
    expect(ptFiles.length).toBe(crafted.length);
  });
  for (const [name, run, error] of ptFiles) it(name, () => expectError(run, error));
  it("a 'billion laughs' pickle loads as shared lists, not gigabytes", () => {
    const before = torch.memoryStats().bytesInUse;
    const { x } = torch.load<{ x: unknown[] }>(hostile("billion-laughs.pt"));
    let level: unknown = x;
    for (let k = 0; k < 9; k++) {
      const list = level as unknown[];
      expect(list.length).toBe(10);
      expect(list.every((e) => e === list[0])).toBe(true);
      level = list[0];
    }
    expect(level).toEqual([1.5]);
    expect(torch.memoryStats().bytesInUse).toBe(before);
  });
});

describe("crafted safetensors files are clear errors", () => {
  for (const [name, run, error] of safetensorsFiles) it(name, () => expectError(run, error));
  it("a tensor named __proto__ is a key of a null-prototype result", () => {
    const header = `{"__proto__": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}`;
    const data = new Uint8Array(new Float32Array([1, 2]).buffer);
    const sd = torch.io.loadSafetensors(safetensors(header, data));
    expect(Object.getPrototypeOf(sd)).toBe(null);
    expect(Object.keys(sd)).toEqual(["__proto__"]);
    expect(sd["__proto__"].tolist()).toEqual([1, 2]);
  });
});

describe("data-set files", () => {
  it("an MNIST gzip bomb stops at the size its IDX header gives", async () => {
    // 2 images of 28×28 promised, 100 MB of zeros delivered
    const bomb = gzipSync(idx(0x803, [2, 28, 28], 100_000_000));
    expect(bomb.length).toBeLessThan(200_000);
    const dir = mnistDir("bomb", bomb);
    await expect(datasets.MNIST(dir)).rejects.toThrow(/MNIST: .*train-images-idx3-ubyte\.gz: the gzip data expands past 1584 bytes, the size its header gives; not reading further/);
  });
  it("truncated gzip names the file", async () => {
    const gz = gzipSync(idx(0x803, [2, 28, 28]));
    const dir = mnistDir("truncated-gzip", gz.subarray(0, gz.length - 12));
    await expect(datasets.MNIST(dir)).rejects.toThrow(/MNIST: .*train-images-idx3-ubyte\.gz: the gzip data is corrupt or truncated/);
  });
  it("a truncated IDX header names the file", async () => {
    const dir = mnistDir("truncated-header", idx(0x803, [2, 28, 28]).subarray(0, 10), "train-images-idx3-ubyte");
    await expect(datasets.MNIST(dir)).rejects.toThrow("MNIST images: the IDX header is truncated (10 bytes, its 3 dimensions need 16)");
  });
});

describe("after the table", () => {
  const everyCase = [...calls, ...ptFiles, ...safetensorsFiles];
  const runAll = () => {
    for (const [, run, error] of everyCase) expectError(run, error);
  };

  it("the library still computes correctly and memoryStats() is consistent", () => {
    const want = fixedComputation();
    runAll();
    expect(fixedComputation()).toEqual(want);
    expect(want[0]).toBeCloseTo(((0.5 - 2 + 6 + 0.1) ** 2 + (1.5 + 0.5 - 1.5 - 0.2) ** 2 + (-0.5 + 2 + 0.1) ** 2 + (-1.5 - 0.5 - 0.2) ** 2) / 4, 5);
    expectConsistentMemory();
  });

  it("running the table again leaks no storage or bytes", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, "vitest runs with --expose-gc").toBeTypeOf("function");
    const tick = () => new Promise((r) => setTimeout(r, 0));
    const settle = async () => {
      for (let k = 0; k < 3; k++) {
        await tick();
        gc!();
      }
      await tick();
      return torch.memoryStats();
    };
    runAll();
    const before = await settle();
    runAll();
    runAll();
    const after = await settle();
    expect(after.bytesInUse).toBeLessThanOrEqual(before.bytesInUse);
    expect(after.storages).toBeLessThanOrEqual(before.storages);
    expectConsistentMemory();
  });
});
