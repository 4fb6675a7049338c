// PyTorch's autograd semantics, one behaviour per test.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import fixtures from "./fixtures/ops.json";

const t = (v: number[], opts: { requiresGrad?: boolean } = {}) => torch.tensor(v, { dtype: "float32", ...opts });
const list = (x: torch.Tensor | null) => (x === null ? null : (x.tolist() as number[]));
const close = (a: number[] | null, b: number[], tol = 1e-5) => {
  expect(a).not.toBeNull();
  a!.forEach((v, i) => expect(v).toBeCloseTo(b[i], -Math.log10(tol)));
};

describe("leaves, non-leaves and .grad", () => {
  it("runs the course example from lecture 3", () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const z = x.mul(2).add(1);
    const y = z.pow(2).div(z.pow(2).add(2)).mean();
    y.backward();
    close(list(x.grad), fixtures.course_example.grad, 1e-6);
    close(list(x.grad), [0.0661157, 0.0182899, 0.0071767], 1e-6);
  });
  it("requiresGrad on creation and requiresGrad_()", () => {
    expect(t([1]).requiresGrad).toBe(false);
    expect(t([1], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(t([1]).requiresGrad_().requiresGrad).toBe(true);
  });
  it("isLeaf: created tensors and results of ops on tensors that don't require grad", () => {
    const a = t([1, 2], { requiresGrad: true });
    const b = a.mul(2);
    expect(a.isLeaf).toBe(true);
    expect(b.isLeaf).toBe(false);
    expect(t([1]).mul(2).isLeaf).toBe(true);
  });
  it("populates .grad on leaves only, unless retainGrad()", () => {
    const a = t([1, 2], { requiresGrad: true });
    const b = a.mul(3);
    const c = a.mul(4);
    c.retainGrad();
    b.add(c).sum().backward();
    close(list(a.grad), [7, 7]);
    expect(b.grad).toBeNull();
    close(list(c.grad), [1, 1]);
    expect(c.retainsGrad).toBe(true);
  });
  it("accumulates gradients across backward calls until zeroed, and grad can be set to null", () => {
    const a = t([1, 2], { requiresGrad: true });
    a.mul(a).sum().backward();
    a.mul(a).sum().backward();
    close(list(a.grad), [4, 8]);
    a.grad = null;
    a.mul(3).sum().backward();
    close(list(a.grad), [3, 3]);
  });
  it("backward(gradient) on a non-scalar output", () => {
    const a = t([1, 2, 3], { requiresGrad: true });
    a.mul(a).backward(t([1, 0.5, 2]));
    close(list(a.grad), [2, 2, 12]);
  });
  it("backward on a one-element non-scalar tensor", () => {
    const a = t([3], { requiresGrad: true });
    a.mul(a).backward();
    close(list(a.grad), [6]);
  });
  it("retainGraph allows a second backward through the same graph", () => {
    const a = t([1, 2], { requiresGrad: true });
    const y = a.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    close(list(a.grad), [2 * Math.E, 2 * Math.exp(2)], 1e-4);
  });
  it("broadcast gradients are reduced to the input shape", () => {
    const a = torch.ones([3, 1], { requiresGrad: true });
    const b = torch.ones([4], { requiresGrad: true });
    a.add(b).sum().backward();
    expect(a.grad!.shape).toEqual([3, 1]);
    close(list(a.grad!.reshape(-1)), [4, 4, 4]);
    close(list(b.grad), [3, 3, 3, 3]);
  });
});

describe("grad mode", () => {
  it("noGrad builds no graph; enableGrad re-enables inside it", () => {
    const a = t([1, 2], { requiresGrad: true });
    const b = torch.noGrad(() => a.mul(2));
    expect(b.requiresGrad).toBe(false);
    expect(b.gradFn).toBeNull();
    const c = torch.noGrad(() => torch.enableGrad(() => a.mul(2)));
    expect(c.requiresGrad).toBe(true);
  });
  it("noGrad around async code restores the mode when the promise settles", async () => {
    const a = t([1], { requiresGrad: true });
    const p = torch.noGrad(async () => {
      await Promise.resolve();
      return { inside: torch.isGradEnabled(), y: a.mul(2) };
    });
    const r = await p;
    expect(r.inside).toBe(false);
    expect(r.y.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
  });
  it("setGradEnabled switches recording off and on", () => {
    const a = t([1], { requiresGrad: true });
    torch.setGradEnabled(false);
    try {
      expect(a.mul(2).requiresGrad).toBe(false);
    } finally {
      torch.setGradEnabled(true);
    }
    expect(a.mul(2).requiresGrad).toBe(true);
  });
  it("detach() shares storage without the graph; detach_() cuts a tensor loose", () => {
    const a = t([1, 2], { requiresGrad: true });
    const b = a.mul(2);
    const d = b.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage).toBe(b.storage);
    b.detach_();
    expect(b.gradFn).toBeNull();
    expect(b.requiresGrad).toBe(false);
  });
  it("integer and bool tensors never require grad", () => {
    const i = torch.tensor([1, 2]);
    expect(i.add(t([1, 1], { requiresGrad: true }).long()).requiresGrad).toBe(false);
    expect(() => i.requiresGrad_()).toThrow("only Tensors of floating point dtype can require gradients");
  });
});

describe("the graph", () => {
  it("gradFn has PyTorch's names and nextFunctions", () => {
    const x = t([1, 2], { requiresGrad: true });
    const y = x.mul(2).add(1).mean();
    expect(y.gradFn!.name).toBe("MeanBackward0");
    const [[add]] = y.gradFn!.nextFunctions;
    expect(add!.name).toBe("AddBackward0");
    const [[mul], [constant]] = (add as torch.autograd.Node).nextFunctions;
    expect(mul!.name).toBe("MulBackward0");
    expect(constant).toBeNull();
    const [[acc]] = (mul as torch.autograd.Node).nextFunctions;
    expect(acc!.name).toBe("AccumulateGrad");
    expect((acc as torch.autograd.AccumulateGrad).variable).toBe(x);
  });
  it("toString shows requires_grad and grad_fn like PyTorch", () => {
    const x = t([1, 2], { requiresGrad: true });
    expect(x.toString()).toBe("tensor([1., 2.], requires_grad=True)");
    expect(x.mul(2).toString()).toBe("tensor([2., 4.], grad_fn=<MulBackward0>)");
  });
  it("ops on tensors that don't require grad keep nothing alive", () => {
    const y = t([1, 2]).exp().mul(3);
    expect(y.gradFn).toBeNull();
  });
  it("hooks on leaves and non-leaves see and can replace the gradient", () => {
    const x = t([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    x.registerHook((g) => void seen.push(g.tolist() as number[]));
    const y = x.mul(3);
    y.registerHook((g) => g.mul(10));
    y.sum().backward();
    expect(seen).toEqual([[30, 30]]);
    close(list(x.grad), [30, 30]);
  });
  it("the saved tensors are released by backward", () => {
    const x = t([1, 2], { requiresGrad: true });
    const y = x.exp();
    y.sum().backward();
    expect(() => y.gradFn!.savedTensors()).toThrow("Trying to backward through the graph a second time");
  });
});

describe("gradients summed over many uses", () => {
  // the engine adds a region view's gradient in place into its input's sum, and adds later
  // gradients into a sum only it holds: the same values as zeros + copy + add (createGraph)
  it("selects, narrows and slices of one tensor, used with the whole of it", () => {
    const x = torch.arange(0, 24, { dtype: "float32" }).reshape([4, 6]).requiresGrad_();
    const loss = (): torch.Tensor => {
      let y = x.mul(x).sum();
      for (let i = 0; i < 4; i++) y = y.add(x.select(0, i).mul(i + 1).sum());
      y = y.add(x.narrow(1, 2, 3).square().sum()).add(x.index([":", "::2"]).sum().mul(5));
      return y.add(x.select(0, 1).select(0, 3).mul(7));
    };
    const [inPlace] = torch.autograd.grad([loss()], [x]);
    const [summed] = torch.autograd.grad([loss()], [x], { createGraph: true });
    const want = Array.from({ length: 24 }, (_, k) => {
      const [r, c] = [Math.floor(k / 6), k % 6];
      return 2 * k + (r + 1) + (c >= 2 && c < 5 ? 2 * k : 0) + (c % 2 === 0 ? 5 : 0) + (r === 1 && c === 3 ? 7 : 0);
    });
    expect(inPlace!.reshape(-1).tolist()).toEqual(want);
    expect(summed!.reshape(-1).tolist()).toEqual(want);
  });
  it("a gradient returned for two inputs is not added into twice", () => {
    const a = torch.tensor([1, 2, 3], { requiresGrad: true });
    const b = a.mul(2);
    const c = a.mul(3);
    // AddBackward hands the same gradient to both sides, which then collect more
    const y = b.add(c);
    y.add(b).add(c.mul(2)).sum().backward();
    expect(a.grad!.tolist()).toEqual([2 * 2 + 3 * 3, 13, 13]);
  });
});

describe("torch.autograd.grad and higher order", () => {
  it("returns gradients without touching .grad, with gradOutputs", () => {
    const x = t([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x);
    const [g] = torch.autograd.grad(y, x, { gradOutputs: t([1, 1, 0.5]) });
    close(list(g), [2, 4, 3]);
    expect(x.grad).toBeNull();
  });
  it("createGraph gives a differentiable gradient (double backward of x³)", () => {
    const x = t([1, 2, 3], { requiresGrad: true });
    const y = x.pow(3).sum();
    const [g] = torch.autograd.grad(y, x, { createGraph: true });
    close(list(g), [3, 12, 27]);
    expect(g!.requiresGrad).toBe(true);
    g!.sum().backward();
    close(list(x.grad), [6, 12, 18]);
  });
  it("third order through tanh matches the closed form", () => {
    const x = torch.tensor([0.3, -0.7], { dtype: "float64", requiresGrad: true });
    const [g1] = torch.autograd.grad(x.tanh().sum(), x, { createGraph: true });
    const [g2] = torch.autograd.grad(g1!.sum(), x, { createGraph: true });
    const [g3] = torch.autograd.grad(g2!.sum(), x);
    const v = [0.3, -0.7].map((a) => {
      const th = Math.tanh(a);
      return -2 * (1 - th * th) * (1 - 3 * th * th);
    });
    close(list(g3), v, 1e-9);
  });
  it("an unused input is an error unless allowUnused", () => {
    const x = t([1], { requiresGrad: true });
    const z = t([1], { requiresGrad: true });
    expect(() => torch.autograd.grad(x.mul(2).sum(), [x, z])).toThrow("appears to not have been used in the graph");
    const [, gz] = torch.autograd.grad(x.mul(2).sum(), [x, z], { allowUnused: true });
    expect(gz).toBeNull();
  });
});

describe("in-place ops", () => {
  it("bump the version counter shared by views", () => {
    const a = torch.zeros([4]);
    const v = a.narrow(0, 1, 2);
    const before = a.storage.version;
    v.add_(1);
    expect(a.storage.version).toBe(before + 1);
    expect(a.tolist()).toEqual([0, 1, 1, 0]);
  });
  it("on a leaf that requires grad work under noGrad (the optimizer update)", () => {
    const w = t([1, 2], { requiresGrad: true });
    torch.noGrad(() => w.sub_(t([0.5, 0.5])));
    expect(w.tolist()).toEqual([0.5, 1.5]);
  });
  it("on a non-leaf rebase its history so gradients stay right", () => {
    const x = t([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.mul_(3);
    expect(y.gradFn!.name).toBe("MulBackward0");
    y.sum().backward();
    close(list(x.grad), [6, 6]);
  });
});
