// Smaller PyTorch idioms from the ported tutorials; expected values printed by PyTorch 1.13.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import { nn } from "../ts/index.js";

describe("devices", () => {
  it(".cuda() on tensors and modules gives the error .to('cuda') gives; torch.device prints as PyTorch", () => {
    expect(() => torch.ones([2]).cuda()).toThrow("device 'cuda' is not available");
    expect(() => new nn.Linear(2, 3).cuda(0)).toThrow("device 'cuda:0' is not available");
    expect(String(torch.device("cpu"))).toBe("cpu");
    expect(torch.device("cpu").type).toBe("cpu");
  });
});

describe("datasets and loaders", () => {
  const ds = (): torch.utils.data.TensorDataset => new torch.utils.data.TensorDataset(torch.arange(10, { dtype: "float32" }).reshape([5, 2]), torch.arange(5));
  it("TensorDataset slices and lists of rows, as ds[0:4], ds[::2] and ds[[4, 0]]", () => {
    expect(ds().getItem("0:4").map((t) => t.tolist())).toEqual([[[0, 1], [2, 3], [4, 5], [6, 7]], [0, 1, 2, 3]]);
    expect(ds().getItem("::2").map((t) => t.tolist())).toEqual([[[0, 1], [4, 5], [8, 9]], [0, 2, 4]]);
    expect(ds().getItem([4, 0]).map((t) => t.tolist())).toEqual([[[8, 9], [0, 1]], [4, 0]]);
  });
  it("next(iter(loader)) is the first batch; an exhausted iterator raises StopIteration unless given a default", () => {
    const loader = new torch.utils.data.DataLoader(ds(), 2);
    const [x, y] = torch.next(torch.iter(loader));
    expect([x.tolist(), y.tolist()]).toEqual([[[0, 1], [2, 3]], [0, 1]]);
    const it = torch.iter([1]);
    expect(torch.next(it)).toBe(1);
    expect(() => torch.next(it)).toThrow("StopIteration");
    expect(torch.next(it, 7)).toBe(7);
    const n: number = loader.dataset.length;
    expect(n).toBe(5);
  });
  it("next(iter(...)) of an async iterable resolves to its first value", async () => {
    async function* gen(): AsyncGenerator<number> {
      yield 3;
    }
    await expect(torch.next(torch.iter(gen()))).resolves.toBe(3);
  });
});

describe("tensors", () => {
  it("x.data is the values without the graph, sharing storage; assigning it writes the values", () => {
    const w = torch.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const d = w.data;
    expect(d.requiresGrad).toBe(false);
    d.mul_(2);
    expect(w.tolist()).toEqual([2, 4]);
    w.data = torch.tensor([5, 6], { dtype: "float32" });
    expect([w.tolist(), w.requiresGrad, w.isLeaf]).toEqual([[5, 6], true, true]);
    expect(() => (w.data = torch.ones([3]))).toThrow("the shapes must match");
  });
  it("the gradient of a norm at zero is zero, as PyTorch's (not NaN)", () => {
    const x = torch.zeros([3]).requiresGrad_();
    x.norm().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
  });
});

describe("the package entry", () => {
  it("has the namespace as its default export: import torch from 'taimatsu'", async () => {
    const entry = await import("../ts/main.js");
    const ns = await import("../ts/index.js");
    expect(entry.default.tensor).toBe(ns.tensor);
    expect(entry.default.nn.Linear).toBe(ns.nn.Linear);
    expect(entry.tensor).toBe(ns.tensor);
    expect(entry.default.tensor([1, 2]).add(1).tolist()).toEqual([2, 3]);
  });
});
