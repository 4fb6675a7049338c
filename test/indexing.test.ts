// Advanced indexing against PyTorch 1.13 (test/fixtures/indexing.json from
// scripts/gen_indexing_fixtures.py): index tensors paired and broadcast, masks, mixed with
// ints, slices, None and "..." (advanced indices adjacent or separated), x[...] = v and
// index_put_ with accumulate, with the gradients of x and v; and PyTorch's error texts.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/indexing.json";
import { expectValuesNear } from "./helpers.js";

type Item = { int?: number; slice?: (number | null)[]; none?: boolean; ellipsis?: boolean; tensor?: unknown; dtype?: string };

function items(spec: Item[]): torch.IndexItem[] {
  return spec.map((s) => {
    if (s.int !== undefined) return s.int;
    if (s.slice) return s.slice.map((v) => (v === null ? "" : String(v))).join(":");
    if (s.none) return null;
    if (s.ellipsis) return "...";
    return torch.tensor(s.tensor as number[], { dtype: s.dtype === "bool" ? "bool" : "int64" });
  });
}

const arange = (shape: number[]): Tensor => torch.arange(shape.reduce((a, b) => a * b, 1), { dtype: "float32" }).reshape(shape);
const values = (t: Tensor): number[] => t.reshape(-1).tolist() as number[];

describe("x.index(...) as PyTorch's x[...]", () => {
  for (const [name, c] of Object.entries(fixtures.get)) {
    it(name, () => {
      const transposed = c.shape === "t";
      const leaf = (transposed ? arange([4, 3]) : arange(c.shape as number[])).requiresGrad_();
      const src = transposed ? leaf.t() : leaf;
      const out = src.index(items(c.spec as Item[]));
      expect([...out.shape]).toEqual(c.out_shape);
      expect(values(out)).toEqual(c.out);
      out.mul(torch.arange(1, out.numel() + 1, { dtype: "float32" }).reshape([...out.shape])).sum().backward();
      expect(values(leaf.grad!)).toEqual(c.grad);
    });
  }
  it("Python lists of indices, as arrays: x.index([[0, 2], [3, 1]])", () => {
    expect(arange([3, 4]).index([[0, 2], [3, 1]]).tolist()).toEqual([3, 9]);
    expect(arange([3, 4]).index([[true, false, true]]).tolist()).toEqual([[0, 1, 2, 3], [8, 9, 10, 11]]);
  });
  it("PyTorch's errors", () => {
    const x = torch.zeros(3, 4);
    const e = fixtures.errors;
    expect(() => x.index([torch.tensor([0, 3])])).toThrow(e["out of bounds"]);
    expect(() => x.index([torch.tensor([0, 1]), torch.tensor([0, 1, 2])])).toThrow(e["shape mismatch"]);
    expect(() => x.index([torch.tensor([0], { dtype: "float32" })])).toThrow(e["float index"]);
    expect(() => x.index([torch.tensor([true, false])])).toThrow(e["mask shape"]);
    expect(() => x.indexPut_([torch.tensor([0, 1])], torch.ones(3))).toThrow(e["put shape"]);
  });
});

describe("x.indexPut_(...) as PyTorch's x[...] = v and index_put_", () => {
  for (const [name, c] of Object.entries(fixtures.put)) {
    it(name, () => {
      const x = arange(c.shape).requiresGrad_();
      const v = arange(c.v_shape).add(100).requiresGrad_();
      const y = x.clone();
      y.indexPut_(items(c.spec as Item[]), v, { accumulate: c.accumulate });
      expect(values(y)).toEqual(c.out);
      y.mul(torch.arange(1, y.numel() + 1, { dtype: "float32" }).reshape([...y.shape])).sum().backward();
      expectValuesNear(values(x.grad!), c.grad_x, "x.grad", 0);
      expectValuesNear(values(v.grad!), c.grad_v, "v.grad", 0);
    });
  }
});

describe("gather and scatterAdd: kernel and general paths", () => {
  // an int64 index of the source's shape but along dim runs in a kernel; a smaller or int32 one in JS
  const x = torch.arange(0, 24, { dtype: "float32" }).reshape([2, 3, 4]);
  const definition = (index: number[][][], dim: number) =>
    index.map((plane, a) => plane.map((row, b) => row.map((i, c) => (x.tolist() as number[][][])[dim === 0 ? i : a][dim === 1 ? i : b][dim === 2 ? i : c])));
  for (const dim of [0, 1, 2]) {
    it(`gather along dim ${dim}, and scatterAdd as its adjoint`, () => {
      const shape = [...x.shape];
      shape[dim] = 5;
      const ix = torch.randint(0, x.shape[dim], shape);
      const small = ix.narrow(dim === 0 ? 1 : 0, 0, 1).contiguous();
      for (const index of [ix, ix.int(), small]) {
        const got = torch.gather(x, dim, index);
        expect(got.tolist()).toEqual(definition(index.tolist() as number[][][], dim));
        // <gather(x), g> = <x, scatterAdd(0, g)>
        const g = torch.randn([...index.shape]);
        const scattered = torch.zeros([...x.shape]).scatterAdd(dim, index, g);
        expect(got.mul(g).sum().item()).toBeCloseTo(x.mul(scattered).sum().item(), 3);
      }
    });
  }
  it("an index out of range names it, in either path", () => {
    const bad = torch.tensor([[0, 5, 1, 2], [0, 0, 0, 0], [1, 1, 1, 1]]).unsqueeze(0).expand([2, 3, 4]).contiguous();
    expect(() => torch.gather(x, 2, bad)).toThrow("gather(): index 5 is out of bounds for dimension 2 with size 4");
    expect(() => torch.gather(x, 2, bad.narrow(0, 0, 1))).toThrow("gather(): index 5 is out of bounds for dimension 2 with size 4");
    expect(() => torch.zeros([...x.shape]).scatterAdd(2, bad.neg(), torch.ones([...bad.shape]))).toThrow("scatter_add(): index -5 is out of bounds for dimension 2 with size 4");
  });
  it("float64 scatterAdd and its gradient through gather", () => {
    const src = torch.randn([2, 3, 4], { dtype: "float64" }).requiresGrad_();
    const ix = torch.randint(0, 3, [2, 3, 4]);
    const out = torch.zeros([2, 3, 4], { dtype: "float64" }).scatterAdd(1, ix, src);
    out.mul(torch.arange(0, 24, { dtype: "float64" }).reshape([2, 3, 4])).sum().backward();
    expect(src.grad!.tolist()).toEqual(torch.gather(torch.arange(0, 24, { dtype: "float64" }).reshape([2, 3, 4]), 1, ix).tolist());
  });
});
