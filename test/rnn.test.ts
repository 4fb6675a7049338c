// nn.RNN / nn.LSTM / nn.GRU against PyTorch 1.13 (test/fixtures/rnn.json from
// scripts/gen_rnn_fixtures.py): seeded initial weights, outputs, final states, and the
// gradients of the input and every parameter, over layers, directions, batchFirst,
// initial states and unbatched input.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/rnn.json";
import pytorchRnnRun from "./fixtures/digits-rnn-run.json";
import { trainDigitsRnn } from "../examples/rnn/train.js";
import { expectThrowsMessage, expectValuesNear } from "./helpers.js";

type Enc = { shape: number[]; values: number[] };
type Case = {
  kind: "RNN" | "LSTM" | "GRU";
  options: Record<string, unknown>;
  x: Enc;
  output: Enc;
  finals: Enc[];
  wo: Enc;
  ws: Enc[];
  gx: Enc;
  state: Enc[] | null;
  params: Record<string, Enc>;
  grads: Record<string, Enc>;
  repr: string;
};
const dec = (e: Enc, requiresGrad = false): Tensor => torch.tensor(e.values, { dtype: "float32" }).reshape(e.shape).requiresGrad_(requiresGrad);

function expectTensor(t: Tensor | null, e: Enc, what: string, tol = 1e-4): void {
  expect(t, what).not.toBeNull();
  expect([...t!.shape], `${what} shape`).toEqual(e.shape);
  expectValuesNear(t!.reshape(-1).tolist() as number[], e.values, what, tol);
}

function build(c: Case): InstanceType<typeof torch.nn.LSTM> | InstanceType<typeof torch.nn.GRU> | InstanceType<typeof torch.nn.RNN> {
  const o = c.options as { input_size: number; hidden_size: number; num_layers?: number; bias?: boolean; batch_first?: boolean; bidirectional?: boolean; nonlinearity?: "tanh" | "relu" };
  const opts = { numLayers: o.num_layers, bias: o.bias, batchFirst: o.batch_first, bidirectional: o.bidirectional };
  if (c.kind === "LSTM") return new torch.nn.LSTM(o.input_size, o.hidden_size, opts);
  if (c.kind === "GRU") return new torch.nn.GRU(o.input_size, o.hidden_size, opts);
  return new torch.nn.RNN(o.input_size, o.hidden_size, { ...opts, nonlinearity: o.nonlinearity });
}

describe("recurrent layers against PyTorch", () => {
  for (const [name, raw] of Object.entries(fixtures).filter(([k]) => k !== "torch_version")) {
    const c = raw as Case;
    it(`${name}: seeded weights, outputs, final states and every gradient`, () => {
      torch.manualSeed(0);
      const m = build(c);
      expect(m.toString()).toBe(c.repr);
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.params));
      for (const [k, p] of Object.entries(params)) expectTensor(p, c.params[k], k, 0);
      const x = dec(c.x, true);
      const state = c.state?.map((s) => dec(s));
      const [output, finalState] = c.kind === "LSTM"
        ? (m as InstanceType<typeof torch.nn.LSTM>)(x, state ? [state[0], state[1]] : null)
        : (m as InstanceType<typeof torch.nn.GRU>)(x, state ? state[0] : null);
      const finals = Array.isArray(finalState) ? finalState : [finalState];
      expectTensor(output, c.output, "output");
      finals.forEach((f, i) => expectTensor(f, c.finals[i], `final state ${i}`));
      let loss = output.mul(dec(c.wo)).sum();
      finals.forEach((f, i) => (loss = loss.add(f.mul(dec(c.ws[i])).sum())));
      loss.backward();
      expectTensor(x.grad, c.gx, "x.grad");
      for (const [k, p] of Object.entries(params)) expectTensor(p.grad, c.grads[k], `${k}.grad`);
    });
  }

  it("checks input and state sizes as PyTorch does", () => {
    const lstm = new torch.nn.LSTM(4, 8);
    expectThrowsMessage(() => lstm(torch.randn(3, 2, 5)), "input.size(-1) must be equal to input_size. Expected 4, got 5");
    expectThrowsMessage(() => new torch.nn.GRU(4, 8)(torch.randn(3, 2, 4), torch.randn(1, 3, 8)), "Expected hidden size (1, 2, 8), got [1, 3, 8]");
  });
});

describe("the digits RNN example (npm run demo:rnn)", () => {
  it("retraces PyTorch's run of the same script (scripts/digits_rnn_pytorch.py) epoch by epoch", async () => {
    const want = pytorchRnnRun.history;
    const { history } = await trainDigitsRnn(want.length, 0);
    history.forEach((h, e) => {
      expect(Math.abs(h.trainLoss - want[e].trainLoss), `epoch ${e + 1} train loss`).toBeLessThan(1e-3);
      expect(Math.abs(h.testLoss - want[e].testLoss), `epoch ${e + 1} test loss`).toBeLessThan(2e-3);
      expect(Math.abs(h.testAccuracy - want[e].testAccuracy), `epoch ${e + 1} test accuracy`).toBeLessThanOrEqual(1 / 450 + 1e-9);
    });
    expect(history[history.length - 1].testAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe("the fused float32 LSTM cell", () => {
  // float64 runs the cell as tensor ops: the reference for the kernels and for their createGraph form
  it("gives the float64 path's outputs, gradients and gradients of gradients", () => {
    torch.manualSeed(3);
    const lstm64 = new torch.nn.LSTM(3, 5, { dtype: "float64" });
    const lstm32 = new torch.nn.LSTM(3, 5);
    lstm32.loadStateDict(Object.fromEntries(Object.entries(lstm64.stateDict()).map(([k, v]) => [k, v.float()])));
    const x64 = torch.randn([4, 2, 3], { dtype: "float64" });
    const results = [lstm64, lstm32].map((lstm) => {
      const x = (lstm === lstm64 ? x64.clone() : x64.float()).requiresGrad_();
      const [out, [hn, cn]] = lstm.forward(x);
      const loss = out.square().sum().add(cn.mul(hn).sum());
      const params = [...lstm.parameters()];
      const grads = torch.autograd.grad([loss], [x, ...params], { createGraph: true });
      // a second-order quantity: the gradient of the gradients' squared norm
      const norm = grads.reduce((acc: torch.Tensor, g) => acc.add(g!.square().sum()), torch.zeros([], { dtype: x.dtype }));
      const [ggx] = torch.autograd.grad([norm], [x]);
      const plain = torch.autograd.grad([lstm.forward(x)[0].square().sum()], [x])[0]!;
      return [out, ...grads.map((g) => g!), ggx!, plain].map((t) => t.double().reshape(-1).tolist() as number[]);
    });
    results[0].forEach((want, k) => expectValuesNear(results[1][k], want, `result ${k}`, 2e-4));
  });
});
