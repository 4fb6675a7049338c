// nn modules, losses, optimizers and schedulers against PyTorch fixtures (test/fixtures/nn.json
// from scripts/gen_nn_fixtures.py), plus the Module mechanics PyTorch users rely on.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/nn.json";
import { decode, Encoded, expectClose, expectThrowsMessage } from "./helpers.js";

const { nn } = torch;
const F = nn.functional;

const LOSSES: Record<string, (x: Tensor, t: Tensor) => Tensor> = {
  cross_entropy: (x, t) => F.crossEntropy(x, t),
  cross_entropy_sum: (x, t) => F.crossEntropy(x, t, { reduction: "sum" }),
  cross_entropy_none: (x, t) => F.crossEntropy(x, t, { reduction: "none" }),
  cross_entropy_weight: (x, t) => new nn.CrossEntropyLoss({ weight: cw() })(x, t),
  cross_entropy_ignore: (x, t) => new nn.CrossEntropyLoss({ ignoreIndex: -100 })(x, t),
  cross_entropy_smoothing: (x, t) => new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })(x, t),
  cross_entropy_weight_smoothing_ignore: (x, t) => F.crossEntropy(x, t, { weight: cw(), labelSmoothing: 0.2 }),
  cross_entropy_probs: (x, t) => F.crossEntropy(x, t),
  cross_entropy_probs_smoothing: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.3, weight: cw() }),
  cross_entropy_3d: (x, t) => F.crossEntropy(x, t),
  nll: (x, t) => new nn.NLLLoss()(x.logSoftmax(1), t),
  nll_weight_none: (x, t) => F.nllLoss(x.logSoftmax(1), t, { weight: cw(), reduction: "none" }),
  mse: (a, b) => new nn.MSELoss()(a, b),
  mse_sum: (a, b) => F.mseLoss(a, b, { reduction: "sum" }),
  l1: (a, b) => new nn.L1Loss()(a, b),
  smooth_l1: (a, b) => new nn.SmoothL1Loss({ beta: 0.5 })(a, b),
  huber: (a, b) => new nn.HuberLoss({ delta: 0.7 })(a, b),
  bce: (a, b) => new nn.BCELoss()(a, b),
  bce_with_logits: (a, b) => new nn.BCEWithLogitsLoss()(a, b),
  bce_with_logits_pos_weight: (a, b) => new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([1, 2, 0.5], { dtype: "float32" }) })(a, b),
  kl_div: (a, b) => new nn.KLDivLoss({ reduction: "batchmean" })(a.logSoftmax(1), b),
  kl_div_mean: (a, b) => F.klDiv(a.logSoftmax(1), b),
};

// the class weights the generator drew for the weighted cases
let classWeights: Tensor | null = null;
const cw = (): Tensor => classWeights!;

interface LossCase {
  inputs: Encoded[];
  out: Encoded;
  w?: Encoded;
  grad?: Encoded;
}

describe("losses match PyTorch (forward and input gradient)", () => {
  const cases = fixtures.losses as unknown as Record<string, LossCase>;
  it("covers every fixture case", () => expect(Object.keys(LOSSES).sort()).toEqual(Object.keys(cases).sort()));
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      classWeights = decode((fixtures as unknown as { class_weights: Encoded }).class_weights);
      const x = decode(c.inputs[0], true);
      const t = decode(c.inputs[1]);
      const out = LOSSES[name](x, t);
      expectClose(out, c.out, { what: `${name} forward` });
      if (c.grad) {
        const [g] = torch.autograd.grad(out.mul(decode(c.w!)).sum(), [x]);
        expectClose(g!, c.grad, { what: `${name} grad` });
      }
    });
  }
});

interface OptCase {
  opts: Record<string, unknown>;
  trajectory: { w: number[]; b: number[] }[];
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const OPTIMIZERS: Record<string, new (params: Tensor[], opts: never) => torch.optim.Optimizer<{ lr: number }>> = {
  sgd: torch.optim.SGD as never,
  sgd_momentum: torch.optim.SGD as never,
  sgd_dampening_wd: torch.optim.SGD as never,
  sgd_nesterov_maximize: torch.optim.SGD as never,
  adam: torch.optim.Adam as never,
  adam_amsgrad_wd: torch.optim.Adam as never,
  adamw: torch.optim.AdamW as never,
  adamw_amsgrad: torch.optim.AdamW as never,
  rmsprop: torch.optim.RMSprop as never,
  rmsprop_momentum_centered: torch.optim.RMSprop as never,
  adagrad: torch.optim.Adagrad as never,
  adagrad_decay: torch.optim.Adagrad as never,
};

describe("optimizers follow PyTorch's trajectories for 12 steps", () => {
  const prob = fixtures.optim_problem as unknown as Record<string, Encoded>;
  const cases = fixtures.optimizers as unknown as Record<string, OptCase>;
  it("covers every fixture case", () => expect(Object.keys(OPTIMIZERS).sort()).toEqual(Object.keys(cases).sort()));
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const w = decode(prob.w0).clone().requiresGrad_();
      const b = decode(prob.b0).clone().requiresGrad_();
      const x = decode(prob.x);
      const y = decode(prob.y);
      const opts = Object.fromEntries(Object.entries(c.opts).map(([k, v]) => [camel(k), v]));
      const opt = new OPTIMIZERS[name]([w, b], opts as never);
      c.trajectory.forEach((want, step) => {
        opt.zeroGrad();
        x.matmul(w.t()).add(b).tanh().sub(y).pow(2).mean().backward();
        opt.step();
        const tol = { rtol: 1e-4, atol: 1e-6, what: `${name} step ${step + 1}` };
        expectClose(w, { data: want.w, shape: [3, 4], dtype: "float32" }, tol);
        expectClose(b, { data: want.b, shape: [3], dtype: "float32" }, tol);
      });
    });
  }
  it("stateDict round-trips and continues the same trajectory", () => {
    const make = () => [decode(prob.w0).clone().requiresGrad_(), decode(prob.b0).clone().requiresGrad_()];
    const stepOnce = (ps: Tensor[], opt: torch.optim.Optimizer<{ lr: number }>) => {
      opt.zeroGrad();
      decode(prob.x).matmul(ps[0].t()).add(ps[1]).tanh().sub(decode(prob.y)).pow(2).mean().backward();
      opt.step();
    };
    const a = make();
    const optA = new torch.optim.Adam(a, { lr: 0.01 });
    for (let i = 0; i < 3; i++) stepOnce(a, optA);
    const sd = optA.stateDict();
    expect(Object.keys(sd.state)).toEqual(["0", "1"]);
    expect(Object.keys(sd.state["0"]).sort()).toEqual(["exp_avg", "exp_avg_sq", "step"]);
    expect(sd.param_groups[0]).toMatchObject({ lr: 0.01, weight_decay: 0, params: [0, 1] });
    const b = a.map((t) => t.detach().clone().requiresGrad_());
    const optB = new torch.optim.Adam(b, { lr: 0.5 });
    optB.loadStateDict(sd);
    stepOnce(a, optA);
    stepOnce(b, optB);
    expect(b[0].tolist()).toEqual(a[0].tolist());
  });
  it("param groups have their own options; addParamGroup rejects duplicates", () => {
    const p1 = torch.ones([2], { requiresGrad: true });
    const p2 = torch.ones([2], { requiresGrad: true });
    const opt = new torch.optim.SGD([{ params: [p1] }, { params: [p2], lr: 1 }], { lr: 0.1 });
    p1.sum().backward();
    p2.sum().backward();
    opt.step();
    expect(p1.tolist()).toEqual([0.8999999761581421, 0.8999999761581421]);
    expect(p2.tolist()).toEqual([0, 0]);
    expect(() => opt.addParamGroup({ params: [p1] })).toThrow("some parameters appear in more than one parameter group");
  });
});

describe("learning-rate schedulers produce PyTorch's LR sequences", () => {
  const seqs = fixtures.schedulers as unknown as Record<string, number[]>;
  const S = torch.optim.lrScheduler;
  const sgd = () => new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
  const MAKE: Record<string, () => [torch.optim.Optimizer<{ lr: number }>, { step(): void; getLastLr(): number[] }]> = {
    step: () => { const o = sgd(); return [o, new S.StepLR(o, 3, 0.5)]; },
    multistep: () => { const o = sgd(); return [o, new S.MultiStepLR(o, [2, 5, 5, 9], 0.3)]; },
    exponential: () => { const o = sgd(); return [o, new S.ExponentialLR(o, 0.9)]; },
    cosine: () => { const o = sgd(); return [o, new S.CosineAnnealingLR(o, 5, 0.01)]; },
    linear: () => { const o = sgd(); return [o, new S.LinearLR(o, 0.25, 1, 6)]; },
    lambda: () => { const o = sgd(); return [o, new S.LambdaLR(o, (e) => 0.95 ** e + 0.01 * e)]; },
    onecycle: () => { const o = sgd(); return [o, new S.OneCycleLR(o, 0.5, { totalSteps: 20 })]; },
    onecycle_adam_linear: () => {
      const o = new torch.optim.Adam([torch.zeros([1], { requiresGrad: true })], { lr: 0.1 });
      return [o, new S.OneCycleLR(o, 0.3, { totalSteps: 16, annealStrategy: "linear", threePhase: true })];
    },
    sequential: () => {
      const o = sgd();
      return [o, new S.SequentialLR(o, [new S.LinearLR(o, 0.1, 1, 3), new S.ExponentialLR(o, 0.8)], [4])];
    },
  };
  it("covers every fixture case", () => expect(Object.keys(MAKE).sort()).toEqual(Object.keys(seqs).sort()));
  for (const [name, want] of Object.entries(seqs)) {
    it(name, () => {
      const [opt, s] = MAKE[name]();
      const got = [s.getLastLr()[0]];
      for (let i = 1; i < want.length; i++) {
        opt.step();
        s.step();
        got.push(s.getLastLr()[0]);
      }
      got.forEach((v, i) => expect(v, `${name} step ${i}`).toBeCloseTo(want[i], 12));
    });
  }
  it("ReduceLROnPlateau", () => {
    const { metrics, lrs } = fixtures.plateau;
    const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 1 });
    const s = new S.ReduceLROnPlateau(opt, { factor: 0.5, patience: 2, cooldown: 1 });
    const got = metrics.map((m) => {
      s.step(m);
      return opt.paramGroups[0].lr;
    });
    expect(got).toEqual(lrs);
  });
});

describe("nn.Module", () => {
  const lecture2 = () => new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 16), new nn.ReLU(), new nn.Linear(16, 10));
  it("the lecture-2 model prints like PyTorch and has 2,778 parameters", () => {
    const m = lecture2();
    expect(m.toString()).toBe(fixtures.lecture2_repr);
    expect(nn.utils.countParameters(m)).toBe(fixtures.lecture2_params);
    expect(nn.utils.countParameters(m)).toBe(2778);
  });
  it("layers print like PyTorch", () => {
    const acts = new nn.Sequential(new nn.LeakyReLU(), new nn.ELU(), new nn.GELU(), new nn.SiLU(), new nn.Sigmoid(), new nn.Tanh(), new nn.Softmax(1), new nn.LogSoftmax(-1));
    expect(acts.toString()).toBe(fixtures.reprs.activations);
    const misc = new nn.Sequential(new nn.Flatten(), new nn.Unflatten(1, [2, 3]), new nn.Dropout(0.25), new nn.LayerNorm(64), new nn.Embedding(10, 3, { paddingIdx: 0 }), new nn.Identity(), new nn.Linear(3, 2, { bias: false }));
    expect(misc.toString()).toBe(fixtures.reprs.misc);
  });
  it("Linear's default init has PyTorch's bounds and spread", () => {
    torch.manualSeed(3);
    const l = new nn.Linear(400, 300);
    const { weight_bound, weight_std, bias_bound } = fixtures.linear_init;
    expect(l.weight.abs().max().item()).toBeLessThanOrEqual(weight_bound);
    expect(l.weight.abs().max().item()).toBeGreaterThan(weight_bound * 0.99);
    expect(l.weight.std().item()).toBeCloseTo(weight_std, 3);
    expect(l.bias!.abs().max().item()).toBeLessThanOrEqual(bias_bound);
  });
  it("subclasses discover fields; callable; train/eval; stateDict keys", () => {
    class Net extends nn.Module {
      fc1 = new nn.Linear(4, 3);
      drop = new nn.Dropout(0.5);
      fc2 = new nn.Linear(3, 2);
      forward(x: Tensor) {
        return this.fc2(this.drop(this.fc1(x).relu()));
      }
    }
    const net = new Net();
    expect([...net.namedParameters()].map(([k]) => k)).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    expect([...net.namedModules()].map(([k]) => k)).toEqual(["", "fc1", "drop", "fc2"]);
    expect(Object.keys(net.stateDict())).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    expect(net(torch.randn(5, 4)).shape).toEqual([5, 2]);
    net.eval();
    expect(net.drop.training).toBe(false);
    const x = torch.randn(5, 4);
    expect(net(x).tolist()).toEqual(net.forward(x).tolist());
  });
  it("buffers, requiresGrad_ for freezing, apply, zeroGrad", () => {
    class WithBuf extends nn.Module {
      lin = new nn.Linear(2, 2);
      constructor() {
        super();
        this.registerBuffer("runningMean", torch.zeros(2));
        this.registerBuffer("scratch", torch.zeros(2), false);
      }
    }
    const m = new WithBuf();
    expect(Object.keys(m.stateDict())).toEqual(["runningMean", "lin.weight", "lin.bias"]);
    expect([...m.namedBuffers()].map(([k]) => k)).toEqual(["runningMean", "scratch"]);
    m.requiresGrad_(false);
    expect([...m.parameters()].every((p) => !p.requiresGrad)).toBe(true);
    const seen: string[] = [];
    m.apply((mod) => seen.push(mod.constructor.name));
    expect(seen).toEqual(["Linear", "WithBuf"]);
    m.requiresGrad_(true);
    m.lin(torch.ones(1, 2)).sum().backward();
    expect(m.lin.weight.grad).not.toBeNull();
    m.zeroGrad();
    expect(m.lin.weight.grad).toBeNull();
  });
  it("loadStateDict copies weights in; strict errors leave the module unchanged", () => {
    const a = lecture2();
    const b = lecture2();
    b.loadStateDict(a.stateDict());
    const x = torch.randn(3, 64);
    expect(b(x).tolist()).toEqual(a(x).tolist());
    const lin = new nn.Linear(2, 2);
    const before = lin.weight.tolist();
    expectThrowsMessage(() => lin.loadStateDict({ weight: torch.zeros(2, 2) }), fixtures.errors.load_missing);
    expectThrowsMessage(() => lin.loadStateDict({ weight: torch.zeros(3, 2), bias: torch.zeros(2) }), fixtures.errors.load_shape);
    expect(lin.weight.tolist()).toEqual(before);
    const r = lin.loadStateDict({ weight: torch.zeros(2, 2), extra: torch.zeros(1) }, { strict: false });
    expect(r).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect(lin.weight.tolist()).toEqual([[0, 0], [0, 0]]);
  });
  it("devices: to('cpu') is a no-op, cuda is a clear error", () => {
    const m = lecture2();
    expect(m.to("cpu")).toBe(m);
    expect(m.to(torch.device("cpu"))).toBe(m);
    expect(() => m.to("cuda")).toThrow("taimatsu runs on the CPU");
    expect(() => torch.device("cuda:0")).toThrow("torch.cuda.isAvailable() is false");
  });
  it("Dropout: inverted scaling while training, identity in eval", () => {
    const d = new nn.Dropout(0.5, { generator: new torch.Generator(1) });
    const y = d(torch.ones(10000));
    const vals = y.tolist() as number[];
    expect(new Set(vals)).toEqual(new Set([0, 2]));
    expect(Math.abs(y.mean().item() - 1)).toBeLessThan(0.05);
    d.eval();
    expect(d(torch.ones(3)).tolist()).toEqual([1, 1, 1]);
  });
  it("Embedding with paddingIdx: zero row, no gradient for it", () => {
    const e = new nn.Embedding(5, 3, { paddingIdx: 0, generator: new torch.Generator(2) });
    expect(e.weight.index("0").tolist()).toEqual([0, 0, 0]);
    e(torch.tensor([[0, 2], [2, 4]])).sum().backward();
    expect(e.weight.grad!.tolist()).toEqual([[0, 0, 0], [0, 0, 0], [2, 2, 2], [0, 0, 0], [1, 1, 1]]);
  });
  it("LayerNorm normalises the last dims", () => {
    const ln = new nn.LayerNorm(4);
    const y = ln(torch.tensor([[1, 2, 3, 4], [2, 2, 2, 6]], { dtype: "float32" }));
    expect(y.mean(-1).abs().max().item()).toBeLessThan(1e-6);
    expect(y.var(-1, { correction: 0 }).sub(1).abs().max().item()).toBeLessThan(1e-4);
  });
  it("nn.init follows PyTorch's fan and gain rules", () => {
    expect(nn.init.calculateGain("relu")).toBeCloseTo(Math.SQRT2, 12);
    expect(nn.init.calculateGain("leaky_relu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(nn.init.calculateGain("tanh")).toBeCloseTo(5 / 3, 12);
    const w = torch.empty(200, 100);
    nn.init.xavierUniform_(w, 1, new torch.Generator(1));
    expect(w.abs().max().item()).toBeLessThanOrEqual(Math.sqrt(6 / 300));
    nn.init.kaimingNormal_(w, { nonlinearity: "relu", generator: new torch.Generator(2) });
    expect(w.std().item()).toBeCloseTo(Math.sqrt(2 / 100), 2);
    nn.init.constant_(w, 0.5);
    expect(w.mean().item()).toBe(0.5);
  });
});

describe("training utilities and bad input", () => {
  it("clipGradNorm_ and clipGradValue_", () => {
    const p = torch.zeros([2], { requiresGrad: true });
    p.mul(torch.tensor([3, 4], { dtype: "float32" })).sum().backward();
    const norm = nn.utils.clipGradNorm_([p], 1);
    expect(norm.item()).toBeCloseTo(5, 5);
    expect((p.grad!.tolist() as number[]).map((v) => Number(v.toFixed(4)))).toEqual([0.6, 0.8]);
    nn.utils.clipGradValue_([p], 0.7);
    expect((p.grad!.tolist() as number[]).map((v) => Number(v.toFixed(4)))).toEqual([0.6, 0.7]);
  });
  it("gradient accumulation works by not zeroing", () => {
    const lin = new nn.Linear(3, 1);
    const x = torch.randn(4, 3);
    lin(x).sum().backward();
    const once = lin.weight.grad!.clone();
    lin(x).sum().backward();
    expect(lin.weight.grad!.tolist()).toEqual(once.mul(2).tolist());
  });
  it("errors: wrong feature size, target range, float targets, empty optimizer", () => {
    expectThrowsMessage(() => new nn.Linear(6, 3)(torch.randn(8, 5)), fixtures.errors.linear_shape);
    expectThrowsMessage(() => F.crossEntropy(torch.randn(2, 3), torch.tensor([0, 3])), fixtures.errors.ce_target_range);
    expectThrowsMessage(() => F.nllLoss(torch.randn(2, 3), torch.tensor([0, 1], { dtype: "float32" })), "expected scalar type Long");
    expectThrowsMessage(() => new torch.optim.SGD([], { lr: 0.1 }), fixtures.errors.empty_params);
  });
});
