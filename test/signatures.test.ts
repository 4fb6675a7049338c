// Constructor arguments against PyTorch 1.13 (test/fixtures/signatures.json from
// scripts/gen_signature_fixtures.py): layers, losses, optimizers, schedulers and the DataLoader
// built from PyTorch's positional order, keyword options or both give PyTorch's repr, output
// shape, loss value, param-group options, learning rates and batches; bad calls raise PyTorch's
// TypeError texts (with the user's camelCase names).
import { describe, expect, it, vi } from "vitest";
import * as torch from "../ts/index.js";
import { nn, optim } from "../ts/index.js";
import fixtures from "./fixtures/signatures.json";
import { expectValuesNear } from "./helpers.js";

type Case = { cls: string; args: unknown[]; kwargs: Record<string, unknown> };
type Ctor = new (...args: unknown[]) => unknown;

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function arg(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(arg);
  if (v !== null && typeof v === "object") {
    const o = v as { tensor?: number[]; dtype?: torch.DType; tuple?: unknown[] };
    if (o.tensor) return torch.tensor(o.tensor, { dtype: o.dtype });
    if (o.tuple) return o.tuple.map(arg);
  }
  return v;
}

/** The case's arguments as taimatsu takes them: positional ones as they are, keywords as one camelCase options object. */
function args(c: Case): unknown[] {
  const kw = Object.entries(c.kwargs);
  const positional = c.args.map(arg);
  return kw.length === 0 ? positional : [...positional, Object.fromEntries(kw.map(([k, v]) => [camel(k), arg(v)]))];
}

const label = (c: Case): string => `${c.cls}(${[...c.args.map((a) => JSON.stringify(a)), ...Object.entries(c.kwargs).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(", ")})`;

const params = (): torch.Tensor[] => [new nn.Parameter(torch.ones(2))];
const quiet = <T>(f: () => T): T => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    return f();
  } finally {
    warn.mockRestore();
  }
};

describe("layers take PyTorch's positional arguments and keyword options", () => {
  for (const c of fixtures.layers) {
    it(label(c), () => {
      torch.manualSeed(0);
      const m = new ((nn as unknown as Record<string, Ctor>)[c.cls])(...args(c)) as nn.Module;
      expect(String(m)).toBe(c.repr);
      const x = "input_index" in c ? torch.tensor(c.input_index as number[][]) : torch.randn(c.input as number[]);
      const y = m(x);
      expect([...(Array.isArray(y) ? y[0] : y).shape]).toEqual(c.output);
    });
  }
  it("RNN takes nonlinearity as its fourth argument (PyTorch ≥ 2.0's order; 1.13 only took it by name)", () => {
    torch.manualSeed(1);
    const positional = new nn.RNN(4, 8, 1, "relu");
    torch.manualSeed(1);
    const named = new nn.RNN(4, 8, { nonlinearity: "relu" });
    const x = torch.randn([5, 3, 4]).sub(2);
    expect(positional(x)[0].tolist()).toEqual(named(x)[0].tolist());
    expect(positional(x)[0].min().item()).toBe(0);
  });
  it("inplace activations overwrite their input, and gradients still flow", () => {
    const x = torch.tensor([-1, 2, -3, 4], { dtype: "float32" }).requiresGrad_();
    const h = x.mul(1);
    const y = new nn.ReLU(true)(h);
    expect(y).toBe(h);
    expect(h.tolist()).toEqual([0, 2, 0, 4]);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 1, 0, 1]);
    const z = x.mul(1);
    new nn.LeakyReLU(0.5, true)(z);
    expect(z.tolist()).toEqual([-0.5, 2, -1.5, 4]);
  });
});

describe("losses take PyTorch's positional arguments, including the deprecated sizeAverage/reduce", () => {
  for (const c of fixtures.losses) {
    it(label(c), () => {
      const loss = quiet(() => new ((nn as unknown as Record<string, Ctor>)[c.cls])(...args(c)) as nn.Module);
      let inputs = (c.inputs as unknown[]).map(arg) as torch.Tensor[];
      if (c.cls === "NLLLoss") inputs[0] = inputs[0].logSoftmax(1);
      if (c.cls === "KLDivLoss") inputs = [inputs[0].log(), inputs[1].add(0.1).log()];
      expectValuesNear(loss(...inputs).reshape(-1).tolist() as number[], c.value, c.cls);
    });
  }
  it("warns as PyTorch does when the deprecated flags are used", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(new nn.MSELoss(null, false).reduction).toBe("none");
    expect(warn).toHaveBeenCalledWith("UserWarning: size_average and reduce args will be deprecated, please use reduction='none' instead.");
    warn.mockRestore();
  });
});

describe("optimizers take PyTorch's positional arguments after the parameters", () => {
  for (const c of fixtures.optimizers) {
    it(label(c), () => {
      const o = new ((optim as unknown as Record<string, Ctor>)[c.cls])(params(), ...args(c)) as optim.Optimizer<{ lr: number }>;
      const group = o.stateDict().param_groups[0];
      for (const [k, v] of Object.entries(c.group)) if (!["foreach", "differentiable", "capturable", "fused"].includes(k)) expect([k, group[k]]).toEqual([k, v]);
    });
  }
  it("SGD without a learning rate raises PyTorch's error; one in every param group is enough", () => {
    expect(() => new optim.SGD(params())).toThrow("parameter group didn't specify a value of required optimization parameter lr");
    expect(new optim.SGD([{ params: params(), lr: 0.3 }]).paramGroups[0].lr).toBe(0.3);
  });
  it("options that need CUDA or a differentiable step are refused, not ignored", () => {
    expect(() => new optim.Adam(params(), { fused: true })).toThrow("Adam: fused=True is not supported");
    expect(() => new optim.SGD(params(), 0.1, { differentiable: true })).toThrow("SGD: differentiable=True is not supported");
  });
  it("zeroGrad takes PyTorch's setToNone positionally or by name", () => {
    const p = params();
    const o = new optim.SGD(p, 0.1);
    p[0].sum().backward();
    o.zeroGrad({ setToNone: false });
    expect(p[0].grad!.tolist()).toEqual([0, 0]);
    o.zeroGrad();
    expect(p[0].grad).toBeNull();
  });
});

describe("schedulers take PyTorch's positional arguments after the optimizer", () => {
  for (const c of fixtures.schedulers) {
    it(label(c), () => {
      const opt = new optim.SGD(params(), 0.1, 0.9);
      const s = new ((optim.lrScheduler as unknown as Record<string, Ctor>)[c.cls])(opt, ...args(c)) as { step(m?: number): void };
      const lrs = [opt.paramGroups[0].lr];
      for (const metric of "metrics" in c ? (c.metrics as number[]) : Array(8).fill(undefined)) {
        opt.step();
        s.step(metric);
        lrs.push(opt.paramGroups[0].lr);
      }
      expectValuesNear(lrs, c.lrs, c.cls, 1e-12);
    });
  }
  it("LambdaLR takes the function positionally, and verbose prints as PyTorch", () => {
    const opt = new optim.SGD(params(), 0.1);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const s = new optim.lrScheduler.LambdaLR(opt, (e) => 0.5 ** e, -1, true);
    s.step();
    expect(log.mock.calls.map((c) => c[0])).toEqual(["Adjusting learning rate of group 0 to 1.0000e-01.", "Adjusting learning rate of group 0 to 5.0000e-02."]);
    log.mockRestore();
  });
});

describe("the DataLoader takes PyTorch's positional arguments after the dataset", () => {
  const data = new torch.utils.data.TensorDataset(torch.arange(10, { dtype: "float32" }));
  for (const c of fixtures.loaders) {
    it(label(c), () => {
      const loader = new torch.utils.data.DataLoader(data, ...(args(c) as []));
      expect([...loader].map((b) => (b as torch.Tensor[])[0].shape[0])).toEqual(c.sizes);
    });
  }
});

describe("bad calls raise PyTorch's TypeError", () => {
  const data = new torch.utils.data.TensorDataset(torch.arange(10, { dtype: "float32" }));
  const factories: Record<string, (...a: unknown[]) => unknown> = {
    ...Object.fromEntries(["Linear", "Conv2d", "ReLU", "Softmax", "MSELoss", "CrossEntropyLoss", "RNN", "BatchNorm2d"].map((n) => [n, (...a: unknown[]) => new ((nn as unknown as Record<string, Ctor>)[n])(...a)])),
    SGD: (...a) => new optim.SGD(params(), ...(a as [])),
    Adam: (...a) => new optim.Adam(params(), ...(a as [])),
    StepLR: (...a) => new optim.lrScheduler.StepLR(new optim.SGD(params(), 0.1), ...(a as [number])),
    DataLoader: (...a) => new torch.utils.data.DataLoader(data, ...(a as [])),
  };
  for (const c of fixtures.errors) {
    it(label(c), () => {
      // PyTorch names the class defining __init__ (RNNBase, _BatchNorm); taimatsu names the one called
      const expected = c.message.replace(/^\w+\.__init__/, `${c.cls}.__init__`).replace(/'(\w+)'/g, (_, n: string) => `'${camel(n)}'`);
      expect(() => factories[c.cls](...args(c))).toThrow(new TypeError(expected));
    });
  }
  it("Sequential of something that is not a module raises as PyTorch, naming a class given without new", () => {
    expect(() => new nn.Sequential(new nn.ReLU(), 5 as unknown as nn.Module)).toThrow(new TypeError("number is not a Module subclass"));
    expect(() => new nn.Sequential(new nn.ReLU(), [new nn.ReLU()] as unknown as nn.Module)).toThrow(new TypeError("Array is not a Module subclass"));
    expect(() => new nn.Sequential(nn.ReLU as unknown as nn.Module)).toThrow("ReLU (the class itself: create one with new ReLU(…)) is not a Module subclass");
  });
  it("Sequential of named modules, as PyTorch's OrderedDict form", () => {
    const net = new nn.Sequential(new Map<string, nn.Module>([["fc", new nn.Linear(2, 3)], ["act", new nn.ReLU()]]));
    expect(Object.keys(net.stateDict())).toEqual(["fc.weight", "fc.bias"]);
    expect(String(net)).toBe("Sequential(\n  (fc): Linear(in_features=2, out_features=3, bias=True)\n  (act): ReLU()\n)");
  });
  it("options taimatsu does not implement are refused, not ignored", () => {
    expect(() => new nn.MaxPool2d(2, { returnIndices: true })).toThrow("MaxPool2d: returnIndices is not supported by taimatsu");
    expect(() => new nn.Conv2d(1, 2, 3, { paddingMode: "reflect" as "zeros" })).toThrow("Conv2d: padding_mode 'reflect' is not supported by taimatsu");
    expect(() => new nn.Linear(2, 3, { device: "cuda" })).toThrow("device 'cuda' is not available");
  });
});

describe("nn.functional's convolution and pooling take PyTorch's positional arguments", () => {
  it("F.conv2d(x, w, b, 2, 1) strides and pads (ignored before), as the options object does", () => {
    const x = torch.randn([1, 2, 9, 9]);
    const w = torch.randn([3, 2, 3, 3]);
    const b = torch.randn([3]);
    const F = nn.functional;
    expect(F.conv2d(x, w, b, 2, 1).tolist()).toEqual(F.conv2d(x, w, b, { stride: 2, padding: 1 }).tolist());
    expect([...F.conv2d(x, w, null, 2, 1).shape]).toEqual([1, 3, 5, 5]);
    expect([...F.conv2d(x, w, { padding: 1 }).shape]).toEqual([1, 3, 9, 9]);
    expect([...F.conv1d(x.select(2, 0), w.select(2, 0), b, 2).shape]).toEqual([1, 3, 4]);
    expect([...F.maxPool2d(x, 3, 2, 1).shape]).toEqual([1, 2, 5, 5]);
    expect([...F.avgPool2d(x, 3, 1, 1, false, false).shape]).toEqual([1, 2, 9, 9]);
    expect([...F.maxPool1d(x.select(2, 0), 2).shape]).toEqual([1, 2, 4]);
    expect(() => F.conv2d(x, w, b, { strid: 2 } as never)).toThrow(new TypeError("conv2d() got an unexpected keyword argument 'strid'"));
    expect(() => F.maxPool2d(x, 2, { returnIndices: true })).toThrow("max_pool2d: returnIndices is not supported by taimatsu");
  });
});
