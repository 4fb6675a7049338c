// 2-D convolution and pooling against PyTorch 1.13 (test/fixtures/conv.json from
// scripts/gen_conv_fixtures.py): outputs and gradients, seeded initialisation, a small CNN
// trained one step from the same seed, PyTorch's error texts, and float64 gradchecks.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/conv.json";
import pytorchCnnRun from "./fixtures/digits-cnn-run.json";
import { digitsSplit, trainDigitsCnn, trainLoader } from "../examples/cnn/train.js";
import type { Tensor as DistTensor } from "taimatsu";
import { expectThrowsMessage, expectValuesNear } from "./helpers.js";

const F = torch.nn.functional;
type Enc = { shape: number[]; values: number[] };
const dec = (e: Enc, requiresGrad = false): Tensor => torch.tensor(e.values, { dtype: "float32" }).reshape(e.shape).requiresGrad_(requiresGrad);

function expectTensor(t: Tensor | null, e: Enc, what: string, tol = 1e-4): void {
  expect(t, what).not.toBeNull();
  expect([...t!.shape], `${what} shape`).toEqual(e.shape);
  expectValuesNear(t!.reshape(-1).tolist() as number[], e.values, what, tol);
}

type Opts = Record<string, unknown>;
/** PyTorch's snake_case keyword arguments as taimatsu's options. */
const camel = (o: Opts): Opts =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));

describe("conv2d against PyTorch", () => {
  for (const name of ["conv_basic", "conv_strided", "conv_groups", "conv_unbatched", "conv_same", "conv_same_even"] as const) {
    it(`${name}: output and gradients`, () => {
      const c = fixtures[name] as { x: Enc; w: Enc; b?: Enc; y: Enc; gy: Enc; gx: Enc; gw: Enc; gb?: Enc; options: Opts };
      const [x, w] = [dec(c.x, true), dec(c.w, true)];
      const b = c.b ? dec(c.b, true) : null;
      const y = F.conv2d(x, w, b, camel(c.options));
      expectTensor(y, c.y, "y");
      y.mul(dec(c.gy)).sum().backward();
      expectTensor(x.grad, c.gx, "x.grad");
      expectTensor(w.grad, c.gw, "w.grad");
      if (b) expectTensor(b.grad, c.gb!, "b.grad");
    });
  }
});

describe("conv1d and 1-D pooling against PyTorch", () => {
  for (const name of ["conv1d", "conv1d_same_groups"] as const) {
    it(`${name}: output and gradients`, () => {
      const c = fixtures[name] as { x: Enc; w: Enc; b: Enc; y: Enc; gy: Enc; gx: Enc; gw: Enc; gb: Enc; options: Opts };
      const [x, w, b] = [dec(c.x, true), dec(c.w, true), dec(c.b, true)];
      const y = F.conv1d(x, w, b, camel(c.options));
      expectTensor(y, c.y, "y");
      y.mul(dec(c.gy)).sum().backward();
      expectTensor(x.grad, c.gx, "x.grad");
      expectTensor(w.grad, c.gw, "w.grad");
      expectTensor(b.grad, c.gb, "b.grad");
    });
  }
  for (const [name, fn] of [["max1d", F.maxPool1d], ["avg1d", F.avgPool1d]] as const) {
    it(`${name}: output and gradient`, () => {
      const c = fixtures[name] as { x: Enc; y: Enc; gy: Enc; gx: Enc; options: Opts };
      const { kernel_size: k, ...rest } = c.options;
      const x = dec(c.x, true);
      const y = fn(x, k as number, camel(rest));
      expectTensor(y, c.y, "y");
      y.mul(dec(c.gy)).sum().backward();
      expectTensor(x.grad, c.gx, "x.grad");
    });
  }
  it("nn.Conv1d's seeded init and the 1-D reprs and errors", () => {
    torch.manualSeed(0);
    new torch.nn.Conv2d(3, 4, 3);
    const conv = new torch.nn.Conv1d(2, 3, 5);
    expectTensor(conv.weight, fixtures.conv_init.weight1d, "weight", 0);
    expectTensor(conv.bias, fixtures.conv_init.bias1d, "bias", 0);
    expect(new torch.nn.Conv1d(3, 8, 5, { stride: 2, padding: 1 }).toString()).toBe("Conv1d(3, 8, kernel_size=(5,), stride=(2,), padding=(1,))");
    expect(new torch.nn.MaxPool1d(2).toString()).toBe("MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect(new torch.nn.AvgPool1d(3, { stride: 1, padding: 1 }).toString()).toBe("AvgPool1d(kernel_size=(3,), stride=(1,), padding=(1,))");
    expectThrowsMessage(() => F.conv1d(torch.randn(2, 3, 4, 5), torch.randn(8, 3, 3)), "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [2, 3, 4, 5]");
    expectThrowsMessage(() => F.maxPool1d(torch.randn(2, 3, 4, 5), 2), "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 3, 4, 5]");
    expectThrowsMessage(() => F.avgPool1d(torch.randn(5), 2), "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)");
  });
});

describe("F.pad against PyTorch", () => {
  for (const name of ["pad_last", "pad_two_dims_value", "pad_crop"] as const) {
    it(`${name}: output and gradient`, () => {
      const c = fixtures[name];
      const x = dec(c.x, true);
      const y = F.pad(x, c.pads, { value: c.value });
      expectTensor(y, c.y, "y");
      y.mul(dec(c.gy)).sum().backward();
      expectTensor(x.grad, c.gx, "x.grad");
    });
  }
  it("errors as PyTorch words them", () => {
    expectThrowsMessage(() => F.pad(torch.zeros(2, 3), [1]), "Padding length must be divisible by 2");
    expectThrowsMessage(() => F.pad(torch.zeros(2, 3), [1, 1, 1, 1, 1, 1]), "Padding length too large");
  });
});

describe("pooling against PyTorch", () => {
  const cases = {
    max_basic: F.maxPool2d,
    max_padded: F.maxPool2d,
    max_ceil_dilated: F.maxPool2d,
    max_ties: F.maxPool2d,
    avg_basic: F.avgPool2d,
    avg_padded: F.avgPool2d,
    avg_exclude_pad: F.avgPool2d,
    avg_divisor: F.avgPool2d,
    adaptive_even: F.adaptiveAvgPool2d,
    adaptive_uneven: F.adaptiveAvgPool2d,
    adaptive_global: F.adaptiveAvgPool2d,
  } as const;
  for (const [name, fn] of Object.entries(cases)) {
    it(`${name}: output and gradient`, () => {
      const c = fixtures[name as keyof typeof cases] as { x: Enc; y: Enc; gy: Enc; gx: Enc; options: Opts };
      const { kernel_size: k, output_size: size, ...rest } = c.options;
      const x = dec(c.x, true);
      const y = fn === F.adaptiveAvgPool2d ? F.adaptiveAvgPool2d(x, size as number) : (fn as typeof F.maxPool2d)(x, k as number, camel(rest));
      expectTensor(y, c.y, "y");
      y.mul(dec(c.gy)).sum().backward();
      expectTensor(x.grad, c.gx, "x.grad");
    });
  }
});

describe("unfold, fold, Conv2d and a small CNN", () => {
  it("unfold and fold (each other's backward)", () => {
    const c = fixtures.unfold_fold;
    const x = dec(c.x, true);
    const opts = { dilation: 1, padding: 1, stride: 2 };
    const cols = F.unfold(x, [2, 3], opts);
    expectTensor(cols, c.cols, "cols");
    cols.mul(dec(c.gc)).sum().backward();
    expectTensor(x.grad, c.gx, "x.grad");
    expectTensor(F.fold(dec(c.gc), [5, 6], [2, 3], opts), c.folded, "fold");
  });

  it("nn.Conv2d: PyTorch's initial weights for the same seed, its repr and state-dict keys", () => {
    torch.manualSeed(fixtures.conv_init.seed);
    const conv = new torch.nn.Conv2d(3, 4, 3);
    expectTensor(conv.weight, fixtures.conv_init.weight, "weight", 0);
    expectTensor(conv.bias, fixtures.conv_init.bias, "bias", 0);
    expect(conv.toString()).toBe("Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1))");
    expect(new torch.nn.Conv2d(3, 8, [3, 5], { stride: 2, padding: 1, dilation: 2, bias: false }).toString()).toBe(
      "Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), bias=False)",
    );
    expect(new torch.nn.Conv2d(4, 8, 3, { groups: 2, padding: "same" }).toString()).toBe("Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=same, groups=2)");
    expect(new torch.nn.MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }).toString()).toBe("MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=True)");
    expect(new torch.nn.AvgPool2d(2).toString()).toBe("AvgPool2d(kernel_size=2, stride=2, padding=0)");
    expect(Object.keys(conv.stateDict())).toEqual(["weight", "bias"]);
  });

  it("a small CNN from the same seed: PyTorch's loss and every parameter's gradient", () => {
    const c = fixtures.cnn;
    torch.manualSeed(c.seed);
    const { nn } = torch;
    const net = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(4, 6, 3), new nn.ReLU(), new nn.AvgPool2d(2), new nn.Flatten(), new nn.Linear(6, 10),
    );
    const x = torch.randn(3, 1, 8, 8);
    const loss = new nn.CrossEntropyLoss()(net(x), torch.tensor([1, 7, 3]));
    expect(loss.item()).toBeCloseTo(c.loss, 5);
    loss.backward();
    for (const [name, p] of net.namedParameters()) expectTensor(p.grad, (c.grads as Record<string, Enc>)[name], `${name}.grad`);
  });
});

describe("BatchNorm1d and BatchNorm2d against PyTorch", () => {
  type Step = { x: Enc; y: Enc; gy: Enc; gx: Enc; gw: Enc | null; gb: Enc | null; running_mean: Enc; running_var: Enc };
  const cases = {
    bn2d: () => new torch.nn.BatchNorm2d(3),
    bn1d: () => new torch.nn.BatchNorm1d(5, { momentum: null, affine: false }),
    bn1d_seq: () => new torch.nn.BatchNorm1d(2, { eps: 1e-3, momentum: 0.3 }),
  };
  for (const [name, make] of Object.entries(cases)) {
    it(`${name}: two training steps (outputs, gradients, running statistics), then eval`, () => {
      const c = fixtures[name as keyof typeof cases] as { steps: Step[]; eval_x: Enc; eval_y: Enc; num_batches_tracked: number };
      const bn = make();
      for (const [k, s] of c.steps.entries()) {
        const x = dec(s.x, true);
        const y = bn(x);
        expectTensor(y, s.y, `step ${k} y`);
        bn.zeroGrad();
        y.mul(dec(s.gy)).sum().backward();
        expectTensor(x.grad, s.gx, `step ${k} x.grad`, 2e-4);
        if (s.gw) expectTensor(bn.weight!.grad, s.gw, `step ${k} weight.grad`);
        if (s.gb) expectTensor(bn.bias!.grad, s.gb, `step ${k} bias.grad`);
        expectTensor(bn.running_mean, s.running_mean, `step ${k} running_mean`);
        expectTensor(bn.running_var, s.running_var, `step ${k} running_var`);
      }
      bn.eval();
      expectTensor(bn(dec(c.eval_x)), c.eval_y, "eval y");
      expect(Number(bn.num_batches_tracked!.item())).toBe(c.num_batches_tracked);
    });
  }
  it("repr, state-dict keys and PyTorch's errors", () => {
    expect(new torch.nn.BatchNorm2d(16).toString()).toBe("BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
    expect(new torch.nn.BatchNorm1d(8, { momentum: null, affine: false }).toString()).toBe("BatchNorm1d(8, eps=1e-05, momentum=None, affine=False, track_running_stats=True)");
    expect(Object.keys(new torch.nn.BatchNorm2d(3).stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expectThrowsMessage(() => new torch.nn.BatchNorm2d(3)(torch.randn(3, 4, 4)), "expected 4D input (got 3D input)");
    expectThrowsMessage(() => new torch.nn.BatchNorm1d(3)(torch.randn(1, 3)), "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])");
  });
});

describe("the digits CNN example (npm run demo:cnn)", () => {
  const pytorchRun = pytorchCnnRun.history;
  it("its two persistent workers augment exactly PyTorch's batches (torchvision's RandomAffine and flips, drawn from the same worker seeds)", async () => {
    torch.manualSeed(0);
    const [xTrain, , yTrain] = digitsSplit(0);
    const loader = trainLoader(xTrain!, yTrain!, 0, 2);
    for (const [epoch, want] of pytorchCnnRun.batchSums.entries()) {
      const sums: number[][] = [];
      for await (const [x, y] of loader) sums.push([(x as DistTensor).double().sum().item(), (y as DistTensor).sum().item()]);
      expect(sums.length, `epoch ${epoch + 1}`).toBe(want.length);
      sums.forEach(([xs, ys], k) => {
        expect(ys, `epoch ${epoch + 1} batch ${k} labels`).toBe(want[k]![1]);
        expect(Math.abs(xs! - want[k]![0]!), `epoch ${epoch + 1} batch ${k} images`).toBeLessThan(1e-6 * Math.abs(want[k]![0]!) + 1e-9);
      });
    }
    await loader.shutdownWorkers();
  });
  it("retraces PyTorch's run of the same script (scripts/digits_cnn_pytorch.py) epoch by epoch", async () => {
    const { history } = await trainDigitsCnn(pytorchRun.length, 0);
    // float32 round-off, which the augmented batches' noise amplifies, separates the two runs
    // after the first epochs; from there they agree as two seeds of one experiment would
    history.forEach((h, e) => {
      const want = pytorchRun[e];
      const [lossTol, accTol] = e < 3 ? [1e-3, 1 / 450 + 1e-9] : [0.03, 0.03];
      expect(Math.abs(h.trainLoss - want.trainLoss), `epoch ${e + 1} train loss`).toBeLessThan(lossTol);
      expect(Math.abs(h.testLoss - want.testLoss), `epoch ${e + 1} test loss`).toBeLessThan(2 * lossTol);
      expect(Math.abs(h.testAccuracy - want.testAccuracy), `epoch ${e + 1} test accuracy`).toBeLessThanOrEqual(accTol);
    });
    expect(history[history.length - 1].testAccuracy).toBeGreaterThanOrEqual(0.94);
  });
});

describe("errors as PyTorch words them", () => {
  it("conv2d", () => {
    expectThrowsMessage(() => F.conv2d(torch.randn(2, 3), torch.randn(8, 3, 3, 3)), "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]");
    expectThrowsMessage(
      () => F.conv2d(torch.randn(2, 4, 8, 8), torch.randn(8, 3, 3, 3)),
      "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 8, 8] to have 3 channels, but got 4 channels instead",
    );
    expectThrowsMessage(
      () => F.conv2d(torch.randn(2, 3, 2, 2), torch.randn(8, 3, 3, 3)),
      "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
    );
  });
  it("pooling", () => {
    expectThrowsMessage(() => F.maxPool2d(torch.randn(1, 1, 8, 8), 3, { padding: 2 }), "pad should be at most half of kernel size, but got pad=2 and kernel_size=3");
    expectThrowsMessage(() => F.maxPool2d(torch.randn(1, 1, 2, 2), 3), "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small");
    expectThrowsMessage(() => F.maxPool2d(torch.randn(8, 8), 2), "non-empty 3D or 4D (batch mode) tensor expected for input");
  });
});

describe("pooling kernels (float32) agree with the float64 definitions", () => {
  // outputs, gradients and gradients of gradients, for windows with stride, padding, dilation
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["max 2×2", (x) => F.maxPool2d(x, 2)],
    ["max 3×3, stride 2, padding 1, dilation 2, ceil", (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: [2, 1], ceilMode: true })],
    ["avg 3×3, stride 2, padding 1", (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1 })],
    ["avg 3×2, padding 1, without padding", (x) => F.avgPool2d(x, [3, 2], { stride: 1, padding: 1, countIncludePad: false })],
    ["avg 2×2, divisor 3", (x) => F.avgPool2d(x, 2, { divisorOverride: 3 })],
  ];
  for (const [name, pool] of cases) {
    it(name, () => {
      const base = torch.randn([2, 3, 7, 6], { dtype: "float64" });
      // ties and a plane of -inf, which max pooling must still point inside
      base.narrow(1, 0, 1).copy_(base.narrow(1, 0, 1).round());
      base.narrow(0, 1, 1).narrow(1, 2, 1).fill_(-Infinity);
      const results = (["float64", "float32"] as const).map((dtype) => {
        const x = base.to(dtype).requiresGrad_();
        const y = pool(x);
        const gy = torch.linspace(-1, 1, y.numel(), { dtype }).reshape([...y.shape]).requiresGrad_();
        const [gx] = torch.autograd.grad([y], [x], { gradOutputs: [gy], createGraph: true });
        const [ggy] = torch.autograd.grad([gx!.mul(torch.arange(0, gx!.numel(), { dtype }).reshape([...gx!.shape])).sum()], [gy]);
        return [y, gx!, ggy!].map((t) => (t.to("float64").reshape(-1).tolist() as number[]).map((v) => (Number.isFinite(v) ? v : String(v))));
      });
      results[0].forEach((want, k) =>
        want.forEach((w, i) => {
          const got = results[1][k][i];
          if (typeof w === "string" || typeof got === "string") expect(got, `${k}[${i}]`).toBe(w);
          else expect(Math.abs(got - w), `${k}[${i}]`).toBeLessThan(1e-4 * (1 + Math.abs(w)));
        }),
      );
    });
  }
  it("a NaN in a window wins, as in PyTorch", () => {
    const x = torch.tensor([[[[1, NaN], [3, 2]]]], { dtype: "float32" });
    expect(F.maxPool2d(x, 2).item()).toBeNaN();
    expect(F.maxPool2d(x.double(), 2).item()).toBeNaN();
  });
});

describe("convolution kernels (float32, implicit GEMM) agree with the composed float64 path", () => {
  // outputs, the three gradients, and second-order gradients through the weight-gradient op
  const cases: [string, torch.nn.functional.Conv2dOptions][] = [
    ["plain", {}],
    ["stride, padding, dilation", { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }],
    ["'same' with an even kernel (uneven padding)", { padding: "same" }],
  ];
  for (const [name, opts] of cases) {
    it(name, () => {
      const [x0, w0, b0] = [torch.randn([2, 3, 9, 11], { dtype: "float64" }), torch.randn([5, 3, 3, 2], { dtype: "float64" }), torch.randn([5], { dtype: "float64" })];
      const results = (["float64", "float32"] as const).map((dtype) => {
        const [x, w, b] = [x0, w0, b0].map((t) => t.to(dtype).requiresGrad_());
        const y = F.conv2d(x, w, b, opts);
        const gy = torch.linspace(-1, 1, y.numel(), { dtype }).reshape([...y.shape]).requiresGrad_();
        const [gx, gw, gb] = torch.autograd.grad([y], [x, w, b], { gradOutputs: [gy], createGraph: true });
        const weigh = (t: Tensor) => t.mul(torch.arange(0, t.numel(), { dtype }).reshape([...t.shape]).sin()).sum();
        const second = torch.autograd.grad([weigh(gx!).add(weigh(gw!))], [x, w, gy]);
        return [y, gx!, gw!, gb!, ...second.map((t) => t!)].map((t) => t.to("float64").reshape(-1).tolist() as number[]);
      });
      results[0].forEach((want, k) => expectValuesNear(results[1][k], want, `${name}: result ${k}`, 1e-4));
    });
  }
  it("records ConvolutionBackward0, as PyTorch", () => {
    const y = F.conv2d(torch.randn(1, 2, 5, 5), torch.randn(3, 2, 3, 3).requiresGrad_(), torch.randn(3).requiresGrad_());
    expect(y.gradFn?.name).toBe("ConvolutionBackward0");
  });
});

describe("float64 gradchecks (central differences through the JS path)", () => {
  const r = (...shape: number[]) => torch.randn(shape, { dtype: "float64" }).requiresGrad_();
  it("conv2d with stride, padding, dilation and groups", () => {
    expect(torch.autograd.gradcheck((x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 2 }), [r(2, 4, 5, 6), r(4, 2, 2, 3), r(4)])).toBe(true);
  });
  it("max and average pooling", () => {
    expect(torch.autograd.gradcheck((x) => F.maxPool2d(x, 2, { stride: 1, padding: 1 }), [r(1, 2, 4, 5)])).toBe(true);
    expect(torch.autograd.gradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [r(2, 1, 5, 5)])).toBe(true);
  });
  it("second order through max pooling (a scatter whose backward gathers)", () => {
    const gradOfX = (x: Tensor): Tensor => torch.enableGrad(() => torch.autograd.grad([F.maxPool2d(x, 2, { stride: 1 }).square().sum()], [x], { createGraph: true })[0]!);
    expect(torch.autograd.gradcheck(gradOfX, [r(1, 2, 4, 5)])).toBe(true);
  });
  it("second order through conv2d", () => {
    // gradcheck's finite differences run without grad mode: the inner gradient turns it back on
    const gradOfX = (x: Tensor, w: Tensor): Tensor =>
      torch.enableGrad(() => torch.autograd.grad([F.conv2d(x, w).square().sum()], [x], { createGraph: true })[0]!);
    expect(torch.autograd.gradcheck(gradOfX, [r(1, 2, 4, 4), r(3, 2, 2, 2)])).toBe(true);
  });
});
