// torch.setNumThreads: worker threads share the big kernels' work over one shared WebAssembly
// memory. Results must not depend on the thread count, and the workers must really run.
import { availableParallelism } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";

const initial = torch.getNumThreads();
afterAll(() => torch.setNumThreads(initial));

/** Runs `f` with `n` threads (workers up first) and returns its values and the jobs shared meanwhile. */
async function withThreads<T>(n: number, f: () => T): Promise<[T, number]> {
  torch.setNumThreads(n);
  await torch.testing.threadsReady();
  const before = torch.testing.threadPoolStats().jobs;
  const out = f();
  return [out, torch.testing.threadPoolStats().jobs - before];
}

const values = (t: torch.Tensor): number[] => Array.from(t.contiguous().toTypedArray() as Float32Array);

function expectSame(got: number[], want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  const at = got.findIndex((v, i) => !Object.is(v, want[i]));
  expect(at === -1 ? "identical" : `element ${at}: ${got[at]} vs ${want[at]}`, what).toBe("identical");
}

describe("threads", () => {
  it("default to the machine's cores, as PyTorch; bad counts are errors", () => {
    expect(initial).toBe(availableParallelism());
    expect(() => torch.setNumThreads(0)).toThrow("set_num_threads expects a positive integer, but got 0");
    expect(() => torch.setNumThreads(1.5)).toThrow("set_num_threads expects a positive integer, but got 1.5");
  });

  it("give bit-identical matrix products for 1 and 2 threads, and the workers do share them", async () => {
    const r = (...s: number[]) => torch.randn(s);
    // one product split by rows; a batch split by products; transposed operands; a broadcast batch
    const cases: [string, () => torch.Tensor][] = [
      ["256×300 · 300×200", () => r(256, 300).matmul(r(300, 200))],
      ["batch 5 of 70×90 · 90×80", () => r(5, 70, 90).matmul(r(5, 90, 80))],
      ["Aᵀ·Bᵀ", () => r(400, 130).t().matmul(r(90, 400).t())],
      ["broadcast weight", () => r(40, 50).matmul(r(7, 50, 300))],
    ];
    for (const [name, make] of cases) {
      const run = () => {
        torch.manualSeed(0);
        return values(make());
      };
      const [one] = await withThreads(1, run);
      const [two, jobs] = await withThreads(2, run);
      expectSame(two, one, name);
      expect(jobs, `${name}: shared with a worker`).toBeGreaterThan(0);
    }
  });

  it("give bit-identical training steps: a CNN and an LSTM", async () => {
    const train = () => {
      torch.manualSeed(3);
      const cnn = new torch.nn.Sequential(new torch.nn.Conv2d(3, 8, 3), new torch.nn.ReLU(), new torch.nn.MaxPool2d(2), new torch.nn.Flatten(), new torch.nn.Linear(8 * 15 * 15, 10));
      const lstm = new torch.nn.LSTM(12, 64);
      const head = new torch.nn.Linear(64, 10);
      const params = [...cnn.parameters(), ...lstm.parameters(), ...head.parameters()];
      const opt = new torch.optim.Adam(params, { lr: 1e-3 });
      const x = torch.randn([32, 3, 32, 32]);
      const seq = torch.randn([10, 32, 12]);
      const y = torch.randint(0, 10, [32]);
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad();
        const [out] = lstm.forward(seq);
        const loss = torch.nn.functional.crossEntropy(cnn.forward(x).add(head.forward(out.select(0, -1))), y);
        loss.backward();
        opt.step();
      }
      return params.flatMap(values);
    };
    const [one] = await withThreads(1, train);
    const [two, jobs] = await withThreads(2, train);
    expectSame(two, one, "parameters");
    expect(jobs).toBeGreaterThan(0);
  });
});
