// Creation, dtype inference and promotion, shapes and views, indexing, reading values out,
// and printing exactly as PyTorch does (repr strings recorded from PyTorch 1.13).
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import fixtures from "./fixtures/ops.json";

const R = fixtures.reprs as Record<string, string>;

describe("toString prints like PyTorch", () => {
  const cases: Record<string, () => torch.Tensor> = {
    int_matrix: () => torch.tensor([[1, 2], [3, 4]]),
    float_matrix: () => torch.tensor([[1, 2], [3, 4]], { dtype: "float32" }),
    fractions: () => torch.tensor([1.5, -2.25, 3.125]),
    scientific: () => torch.tensor([1e-5, 1.0, 1e5], { dtype: "float32" }),
    bools: () => torch.tensor([true, false, true]),
    float64: () => torch.tensor([1.5, 2.0], { dtype: "float64" }),
    int32: () => torch.tensor([1, -2], { dtype: "int32" }),
    scalar: () => torch.tensor(3.5),
    int_scalar: () => torch.tensor(7),
    empty_2d: () => torch.zeros(0, 3),
    empty_1d: () => torch.zeros(0),
    three_d: () => torch.arange(12, { dtype: "float32" }).reshape(2, 2, 3),
    wrapped_row: () => torch.arange(30, { dtype: "float32" }).div(7),
    summarized: () => torch.arange(2000, { dtype: "float32" }),
    summarized_2d: () => torch.arange(3000, { dtype: "float32" }).reshape(60, 50),
    nan_inf: () => torch.tensor([NaN, Infinity, -Infinity, 1.5]),
    large_integral: () => torch.tensor([1e9, 1], { dtype: "float32" }),
    negative_small: () => torch.tensor([-0.001, 0.5]),
  };
  it("covers every recorded repr", () => expect(Object.keys(cases).sort()).toEqual(Object.keys(R).sort()));
  for (const [name, make] of Object.entries(cases)) it(name, () => expect(make().toString()).toBe(R[name]));
});

describe("creation and dtype inference", () => {
  it("infers int64 for integers, float32 for fractions, bool for booleans", () => {
    expect(torch.tensor([1, 2, 3]).dtype).toBe("int64");
    expect(torch.tensor([1, 2.5]).dtype).toBe("float32");
    expect(torch.tensor([true, false]).dtype).toBe("bool");
    expect(torch.tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(torch.tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(torch.tensor([[1, 2]], { requiresGrad: true }).dtype).toBe("float32");
  });
  it("int64 round-trips through BigInt64Array exactly up to 2^53", () => {
    const big = 2 ** 53 - 1;
    const t = torch.tensor([big, -big]);
    expect(t.tolist()).toEqual([big, -big]);
    expect(Array.from(t.toTypedArray() as BigInt64Array)).toEqual([BigInt(big), BigInt(-big)]);
  });
  it("zeros, ones, full, eye, arange and linspace", () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.ones([2]).tolist()).toEqual([1, 1]);
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.full([2], 7).dtype).toBe("int64");
    expect(torch.eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(torch.arange(1, 10, 3).tolist()).toEqual([1, 4, 7]);
    expect(torch.arange(0, 1, 0.25).tolist()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(torch.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.zerosLike(torch.ones([2], { dtype: "float64" })).dtype).toBe("float64");
  });
  it("seeded random functions are reproducible, per generator and globally", () => {
    torch.manualSeed(42);
    const a = torch.randn(5).tolist();
    torch.manualSeed(42);
    expect(torch.randn(5).tolist()).toEqual(a);
    const g1 = new torch.Generator(7);
    const g2 = new torch.Generator(7);
    expect(torch.rand([4], { generator: g1 }).tolist()).toEqual(torch.rand([4], { generator: g2 }).tolist());
  });
  it("rand is in [0, 1), randn has unit moments, randint in range, randperm a permutation", () => {
    const u = torch.rand(10000, { generator: new torch.Generator(1) });
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    const n = torch.randn(20000, { generator: new torch.Generator(2) });
    expect(Math.abs(n.mean().item())).toBeLessThan(0.03);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.03);
    const r = torch.randint(3, 7, [1000], { generator: new torch.Generator(3) });
    expect(r.min().item()).toBe(3);
    expect(r.max().item()).toBe(6);
    const p = torch.randperm(50, { generator: new torch.Generator(4) }).tolist() as number[];
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
  });
});

describe("type promotion follows torch.result_type", () => {
  const t = (dtype: torch.DType) => torch.ones([2], { dtype });
  it("between tensors, with zero-dim tensors and with scalars", () => {
    expect(t("int64").add(t("float32")).dtype).toBe("float32");
    expect(t("int32").add(t("int64")).dtype).toBe("int64");
    expect(t("float32").add(t("float64")).dtype).toBe("float64");
    expect(t("int64").mul(2.5).dtype).toBe("float32");
    expect(t("int32").mul(2).dtype).toBe("int32");
    expect(t("float32").add(torch.tensor(1, { dtype: "float64" })).dtype).toBe("float32");
    expect(t("int64").add(torch.tensor(1.5, { dtype: "float64" })).dtype).toBe("float64");
    expect(t("bool").add(t("bool")).dtype).toBe("bool");
    expect(t("int64").div(t("int64")).dtype).toBe("float32");
    expect(t("int64").sum().dtype).toBe("int64");
  });
});

describe("shapes, views and indexing", () => {
  const x = () => torch.arange(24, { dtype: "float32" }).reshape(2, 3, 4);
  it("size, dim, numel, stride, isContiguous", () => {
    const a = x();
    expect(a.size()).toEqual([2, 3, 4]);
    expect(a.size(-1)).toBe(4);
    expect(a.dim()).toBe(3);
    expect(a.numel()).toBe(24);
    expect(a.stride()).toEqual([12, 4, 1]);
    expect(a.transpose(0, 2).isContiguous()).toBe(false);
  });
  it("views share storage with their base", () => {
    const a = x();
    for (const v of [a.view(6, 4), a.permute(2, 0, 1), a.narrow(1, 1, 2), a.index("..., -1"), a.flatten(), a.unsqueeze(0).squeeze(0)]) {
      expect(v.storage).toBe(a.storage);
    }
    expect(a.transpose(0, 1).reshape(-1).storage).not.toBe(a.storage);
  });
  it("slicing like Python: x[:, -1, :], x[1:5:2], x[..., None], x[idx]", () => {
    const a = x();
    expect(a.index(":, -1, :").tolist()).toEqual([[8, 9, 10, 11], [20, 21, 22, 23]]);
    const v = torch.arange(10);
    expect(v.index("1:8:2").tolist()).toEqual([1, 3, 5, 7]);
    expect(v.index("-3:").tolist()).toEqual([7, 8, 9]);
    expect(v.index("..., None").shape).toEqual([10, 1]);
    expect(v.index([torch.tensor([3, 1])]).tolist()).toEqual([3, 1]);
    expect(v.index(v.gt(6)).tolist()).toEqual([7, 8, 9]);
    expect(a.index([0, ":", 1]).tolist()).toEqual([1, 5, 9]);
  });
  it("indexed assignment and masked fill", () => {
    const a = torch.zeros(3, 4);
    a.indexPut_(":, 1", 5);
    a.indexPut_("0", torch.tensor([1, 2, 3, 4], { dtype: "float32" }));
    expect(a.tolist()).toEqual([[1, 2, 3, 4], [0, 5, 0, 0], [0, 5, 0, 0]]);
    a.maskedFill_(a.gt(4), -1);
    expect(a.tolist()).toEqual([[1, 2, 3, 4], [0, -1, 0, 0], [0, -1, 0, 0]]);
    const b = torch.arange(5, { dtype: "float32" });
    b.indexPut_([torch.tensor([0, 4])], 9);
    expect(b.tolist()).toEqual([9, 1, 2, 3, 9]);
  });
  it("cat, stack, split, chunk, unbind", () => {
    const a = torch.ones(2, 3);
    expect(torch.cat([a, a.mul(2)], 1).shape).toEqual([2, 6]);
    expect(torch.stack([a, a]).shape).toEqual([2, 2, 3]);
    expect(torch.arange(7).split(3).map((s) => s.tolist())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(torch.arange(6).chunk(4).map((s) => s.numel())).toEqual([2, 2, 2]);
    expect(a.unbind(1)).toHaveLength(3);
  });
  it("item, tolist and the typed-array accessor", () => {
    expect(torch.tensor([[2.5]]).item()).toBe(2.5);
    expect(torch.tensor([[1, 2]]).tolist()).toEqual([[1, 2]]);
    const f = torch.arange(4, { dtype: "float32" }).reshape(2, 2).t().toTypedArray();
    expect(f).toBeInstanceOf(Float32Array);
    expect(Array.from(f as Float32Array)).toEqual([0, 2, 1, 3]);
  });
  it("max(dim) destructures into values and indices", () => {
    const [values, indices] = torch.tensor([[1, 5, 2], [7, 0, 3]], { dtype: "float32" }).max(1);
    expect(values.tolist()).toEqual([5, 7]);
    expect(indices.tolist()).toEqual([1, 0]);
  });
});
