// The same seed gives PyTorch's random streams (test/fixtures/random.json, recorded from
// PyTorch 1.13 by scripts/gen_random_fixtures.py): uniforms and integers exactly, normals to
// float precision (PyTorch's AVX2 kernel uses its own log/sin/cos approximations).
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/random.json";
import { expectValuesNear } from "./helpers.js";

const flat = (t: Tensor): number[] => t.reshape(-1).tolist() as number[];

const expectNear = (got: number[], want: number[], what: string, tol = 2e-6): void => expectValuesNear(got, want, what, tol);

describe("random streams match PyTorch's for the same seed", () => {
  it("rand (float32 and float64) and uniform_, exactly", () => {
    const f = fixtures.rand;
    torch.manualSeed(f.seed);
    expect(flat(torch.rand(5))).toEqual(f.first);
    expect(flat(torch.rand(3, 4))).toEqual(f.second);
    expect(flat(torch.rand([3], { dtype: "float64" }))).toEqual(f.float64);
    const u = fixtures.uniform_;
    torch.manualSeed(u.seed);
    expect(flat(torch.empty(7).uniform_(u.low, u.high))).toEqual(u.values);
  });

  it("randn: one at a time below 16 values (with the cached half), 16 at a time above", () => {
    const f = fixtures.randn;
    torch.manualSeed(f.seed);
    expectNear(flat(torch.randn(5)), f.small, "randn(5)");
    expectNear(flat(torch.randn(3)), f.small_again, "randn(3) after randn(5)");
    expectNear(flat(torch.randn(16)), f.fill16, "randn(16)");
    expectNear(flat(torch.randn(21)), f.fill_tail, "randn(21)");
    expectNear(flat(torch.randn(2, 16)), f.matrix, "randn(2, 16)");
    expectNear(flat(torch.randn([18], { dtype: "float64" })), f.float64, "randn float64", 1e-12);
    const n = fixtures.normal_;
    torch.manualSeed(n.seed);
    expectNear(flat(torch.empty(40).normal_(n.mean, n.std)), n.values, "normal_");
  });

  it("randint and randperm, exactly", () => {
    torch.manualSeed(fixtures.randint.seed);
    expect(flat(torch.randint(0, 10, [12]))).toEqual(fixtures.randint.a);
    expect(flat(torch.randint(-5, 5, [3]))).toEqual(fixtures.randint.b);
    const p = fixtures.randperm;
    torch.manualSeed(p.seed);
    expect(flat(torch.randperm(10))).toEqual(p.ten);
    expect(flat(torch.randperm(1))).toEqual(p.one);
    expect(flat(torch.randperm(100))).toEqual(p.hundred);
  });

  it("bernoulli_ and dropout masks", () => {
    const f = fixtures.dropout;
    torch.manualSeed(f.seed);
    expect(flat(torch.nn.functional.dropout(torch.tensor(f.x), f.p, true))).toEqual(f.y);
    expect(flat(torch.empty(20).bernoulli_(0.25))).toEqual(f.bernoulli);
  });

  it("a torch.Generator object", () => {
    const f = fixtures.generator;
    const g = new torch.Generator(f.seed);
    expect(flat(torch.rand([4], { generator: g }))).toEqual(f.rand);
    expect(flat(torch.randperm(6, { generator: g }))).toEqual(f.randperm);
  });

  it("nn.Linear's initialisation", () => {
    const f = fixtures.linear_init;
    torch.manualSeed(f.seed);
    const a = new torch.nn.Linear(4, 3);
    const b = new torch.nn.Linear(3, 2);
    expect(flat(a.weight)).toEqual(f.weight);
    expect(flat(a.bias!)).toEqual(f.bias);
    expect(flat(b.weight)).toEqual(f.weight2);
    expect(flat(b.bias!)).toEqual(f.bias2);
  });

  it("randomSplit", () => {
    const f = fixtures.random_split;
    const parts = torch.utils.data.randomSplit(new torch.utils.data.TensorDataset(torch.arange(10)), [0.7, 0.3], new torch.Generator(f.seed));
    expect(parts.map((p) => p.indices)).toEqual(f.indices);
  });

  it("RandomSampler and a shuffling DataLoader, epoch after epoch", () => {
    const s = fixtures.random_sampler;
    torch.manualSeed(s.seed);
    const sampler = new torch.utils.data.RandomSampler({ length: 10 });
    expect([...sampler]).toEqual(s.epoch1);
    expect([...sampler]).toEqual(s.epoch2);
    const d = fixtures.dataloader;
    torch.manualSeed(d.seed);
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(torch.arange(10)), { batchSize: 4, shuffle: true });
    for (const epoch of d.epochs) {
      expect([...loader].map(([x]) => flat(x))).toEqual(epoch);
    }
  });
});
