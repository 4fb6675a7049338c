// Property test of the memory model: random programs of ops, views, in-place writes,
// gradients, library modules, boundaries, forced evictions, memory pressure, async gaps,
// dropped and disposed tensors, and reads of tensors made long before, give exactly the
// values of the same program run with a memory model that frees and evicts nothing.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as torch from "../ts/index.js";

type Step =
  | { k: "new" }
  | { k: "unary"; a: number; f: "exp" | "tanh" | "relu" | "neg" | "sigmoid" }
  | { k: "binary"; a: number; b: number; f: "add" | "mul" | "sub"; scalar: boolean }
  | { k: "matmul"; a: number; b: number }
  | { k: "view"; a: number; f: "t" | "narrow" | "reshape" | "expand" }
  | { k: "inplace"; a: number; b: number }
  | { k: "grad"; a: number; b: number; autograd: boolean }
  | { k: "module"; a: number; train: boolean }
  | { k: "boundary"; f: "noGrad" | "zeroGrad" | "loader" }
  | { k: "evict" }
  | { k: "pressure" }
  | { k: "async" }
  | { k: "drop"; a: number }
  | { k: "dispose"; a: number }
  | { k: "read"; a: number };

const pick = fc.nat({ max: 1000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ k: "new" as const }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant("unary" as const), a: pick, f: fc.constantFrom("exp", "tanh", "relu", "neg", "sigmoid") }), weight: 4 },
  { arbitrary: fc.record({ k: fc.constant("binary" as const), a: pick, b: pick, f: fc.constantFrom("add", "mul", "sub"), scalar: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ k: fc.constant("matmul" as const), a: pick, b: pick }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("view" as const), a: pick, f: fc.constantFrom("t", "narrow", "reshape", "expand") }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant("inplace" as const), a: pick, b: pick }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("grad" as const), a: pick, b: pick, autograd: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("module" as const), a: pick, train: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("boundary" as const), f: fc.constantFrom("noGrad", "zeroGrad", "loader") }), weight: 5 },
  { arbitrary: fc.constant({ k: "evict" as const }), weight: 1 },
  { arbitrary: fc.constant({ k: "pressure" as const }), weight: 1 },
  { arbitrary: fc.constant({ k: "async" as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("drop" as const), a: pick }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("dispose" as const), a: pick }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("read" as const), a: pick }), weight: 3 },
);

const gc = (globalThis as { gc?: () => void }).gc;

/** Runs a program; returns every value it read. Tensors in the pool all have 16 elements. */
async function run(program: Step[], seed: number): Promise<number[][]> {
  torch.manualSeed(seed);
  const gen = new torch.Generator(seed);
  const lin = new torch.nn.Linear(4, 4);
  const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.1 });
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(torch.randn([64, 4, 4], { generator: gen })), { batchSize: 1 });
  let batches = loader[Symbol.iterator]();
  const pool: torch.Tensor[] = [torch.randn([4, 4], { generator: gen })];
  const trace: number[][] = [];
  const at = (i: number): torch.Tensor => pool[i % pool.length];
  const square = (t: torch.Tensor): torch.Tensor => t.reshape(4, 4);
  const read = (t: torch.Tensor): number[] => Array.from(t.reshape(-1).toTypedArray() as Float32Array);
  for (const s of program) {
    switch (s.k) {
      case "new":
        pool.push(torch.randn([4, 4], { generator: gen }));
        break;
      case "unary":
        pool.push(at(s.a)[s.f]());
        break;
      case "binary":
        pool.push(square(at(s.a))[s.f](s.scalar ? 0.5 : square(at(s.b))));
        break;
      case "matmul":
        pool.push(square(at(s.a)).matmul(square(at(s.b)).t()).mul(0.25));
        break;
      case "view": {
        const x = square(at(s.a));
        pool.push(s.f === "t" ? x.t() : s.f === "narrow" ? x.reshape(16).narrow(0, 0, 16) : s.f === "reshape" ? x.reshape(2, 8) : x.sum(1, true).expand(4, 4));
        break;
      }
      case "inplace": {
        const x = at(s.a);
        if (x.requiresGrad || !x.isContiguous()) break;
        x.add_(square(at(s.b)).mul(0.1).reshape([...x.shape]));
        break;
      }
      case "grad": {
        const leaf = square(at(s.a)).detach().clone().requiresGrad_();
        const loss = leaf.mul(square(at(s.b)).detach()).tanh().sum();
        if (s.autograd) {
          pool.push(torch.autograd.grad(loss, leaf)[0]!);
        } else {
          loss.backward();
          pool.push(leaf.grad!);
        }
        break;
      }
      case "module":
        if (s.train) {
          opt.zeroGrad();
          const out = lin(square(at(s.a)).detach());
          out.square().mean().backward();
          opt.step();
          pool.push(out);
        } else {
          pool.push(torch.noGrad(() => lin(square(at(s.a)))));
        }
        break;
      case "boundary":
        if (s.f === "noGrad") torch.noGrad(() => undefined);
        else if (s.f === "zeroGrad") opt.zeroGrad();
        else {
          let next = batches.next();
          if (next.done) {
            batches = loader[Symbol.iterator]();
            next = batches.next();
          }
          pool.push((next.value as torch.Tensor[])[0].reshape(4, 4));
        }
        break;
      case "evict":
        torch.testing.evictAll();
        break;
      case "pressure":
        for (let i = 0; i < 3; i++) torch.zeros([1 << 20]).add(1);
        break;
      case "async":
        await new Promise((r) => setTimeout(r, 0));
        gc?.();
        await new Promise((r) => setTimeout(r, 0));
        break;
      case "drop":
        if (pool.length > 1) pool.splice(s.a % pool.length, 1);
        break;
      case "dispose": {
        if (pool.length <= 1) break;
        const victim = at(s.a);
        if (victim === lin.weight || victim === lin.bias) break;
        for (let i = pool.length - 1; i >= 0; i--) if (pool[i] === victim) pool.splice(i, 1);
        victim.dispose();
        break;
      }
      case "read":
        trace.push(read(at(s.a)));
        break;
    }
  }
  for (const t of pool) trace.push(read(t));
  trace.push(...[...lin.parameters()].map(read));
  return trace;
}

describe("the memory model against a reference that frees nothing", () => {
  it("random programs read the same values", async () => {
    expect(gc, "vitest runs with --expose-gc").toBeTypeOf("function");
    const before = torch.memoryStats();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 80 }), fc.nat({ max: 1000 }), async (program, seed) => {
        const got = await run(program, seed);
        torch.testing.setMemoryManagement(false);
        try {
          const want = await run(program, seed);
          expect(got).toEqual(want);
        } finally {
          torch.testing.setMemoryManagement(true);
        }
      }),
      { numRuns: 150 },
    );
    // the programs did exercise every path: eviction, reloading and the garbage collector
    const after = torch.memoryStats();
    expect(after.evictions).toBeGreaterThan(before.evictions + 1000);
    expect(after.reloads).toBeGreaterThan(before.reloads + 100);
    expect(after.freedByGC).toBeGreaterThan(before.freedByGC);
  });
});
