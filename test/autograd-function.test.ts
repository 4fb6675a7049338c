// torch.autograd.Function and the printed graph against PyTorch 1.13
// (test/fixtures/autograd-function.json from scripts/gen_function_fixtures.py).
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import * as torch from "../ts/index.js";
import { nn, Tensor } from "../ts/index.js";
import type { FunctionCtx } from "../ts/autograd/function.js";
import fx from "./fixtures/autograd-function.json";
import { expectValuesNear } from "./helpers.js";

const values = (t: Tensor): number[] => t.reshape(-1).tolist() as number[];

/** The tutorial's P3(x) = ½(5x³ − 3x) with a hand-written backward. */
class LegendreP3 extends torch.autograd.Function {
  static forward(ctx: FunctionCtx, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.pow(3).mul(5).sub(x.mul(3)).mul(0.5);
  }
  static backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(1.5).mul(x!.pow(2).mul(5).sub(1));
  }
}

class ScaleShift extends torch.autograd.Function {
  static forward(ctx: FunctionCtx, x: Tensor, a: Tensor, b: number): [Tensor, Tensor] {
    ctx.saveForBackward(a);
    ctx.b = b;
    return [x.mul(a), x.add(b)];
  }
  static backward(ctx: FunctionCtx, g1: Tensor, g2: Tensor): (Tensor | null)[] {
    const [a] = ctx.savedTensors;
    return [g1.mul(a!).add(g2), null, null];
  }
}

class AddOneInPlace extends torch.autograd.Function {
  static forward(ctx: FunctionCtx, x: Tensor): Tensor {
    x.add_(1);
    ctx.markDirty(x);
    return x;
  }
  static backward(_ctx: FunctionCtx, g: Tensor): Tensor {
    return g;
  }
}

class SortWithIndices extends torch.autograd.Function {
  static forward(ctx: FunctionCtx, x: Tensor): [Tensor, Tensor] {
    const [values, idx] = x.sort();
    ctx.markNonDifferentiable(idx);
    ctx.saveForBackward(idx);
    return [values, idx];
  }
  static backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [idx] = ctx.savedTensors;
    return torch.zerosLike(g).indexPut_([idx!], g);
  }
}

describe("torch.autograd.Function", () => {
  it("LegendreP3.apply: values, gradient and double backward as PyTorch", () => {
    const x = torch.tensor(fx.legendre.x, { dtype: "float64" }).requiresGrad_();
    const y = LegendreP3.apply(x);
    expectValuesNear(values(y), fx.legendre.y, "y", 1e-12);
    expect(y.gradFn!.name).toBe(fx.legendre.grad_fn);
    expect(String(y.gradFn)).toBe("<LegendreP3Backward object>");
    const [g] = torch.autograd.grad(y.sum(), x, { createGraph: true });
    expectValuesNear(values(g!), fx.legendre.grad, "dy/dx", 1e-12);
    const [gg] = torch.autograd.grad(g!.sum(), x);
    expectValuesNear(values(gg!), fx.legendre.grad2, "d²y/dx²", 1e-12);
  });
  it("passes gradcheck", () => {
    const x = torch.tensor([-0.8, 0.1, 0.6], { dtype: "float64" }).requiresGrad_();
    expect(torch.autograd.gradcheck((t) => LegendreP3.apply(t), [x])).toBe(true);
  });
  it("needsInputGrad names the arguments that need a gradient; a forward without any records nothing", () => {
    let seen: readonly boolean[] = [];
    class Probe extends torch.autograd.Function {
      static forward(ctx: FunctionCtx, x: Tensor, y: Tensor, k: number): Tensor {
        seen = ctx.needsInputGrad;
        expect(torch.isGradEnabled()).toBe(false);
        return x.mul(y).mul(k);
      }
      static backward(_ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
        return [g, g, null];
      }
    }
    const a = torch.ones([2]).requiresGrad_();
    expect(Probe.apply(a, torch.ones([2]), 3).gradFn!.name).toBe("ProbeBackward");
    expect(seen).toEqual([true, false, false]);
    expect(Probe.apply(torch.ones([2]), torch.ones([2]), 3).requiresGrad).toBe(false);
    torch.noGrad(() => Probe.apply(a, a, 3));
    expect(seen).toEqual([false, false, false]);
  });
  it("two outputs share one node; a Python number argument gets no gradient", () => {
    const x = torch.tensor([1, 2, 3], { dtype: "float32" }).requiresGrad_();
    const a = torch.tensor([0.5, -1, 2]).requiresGrad_();
    const [p, q] = ScaleShift.apply(x, a, 4);
    expect(values(p)).toEqual(fx.two_outputs.p);
    expect(values(q)).toEqual(fx.two_outputs.q);
    p.mul(torch.tensor([1, 2, 3], { dtype: "float32" })).add(q.mul(10)).sum().backward();
    expect(values(x.grad!)).toEqual(fx.two_outputs.x_grad);
    expect(a.grad).toBe(fx.two_outputs.a_grad);
  });
  it("markDirty: the input modified in place is the output, its history continues through the op", () => {
    const x = torch.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const h = x.mul(3);
    const z = AddOneInPlace.apply(h);
    expect(z === h).toBe(fx.dirty.same);
    expect(values(z)).toEqual(fx.dirty.z);
    z.mul(z).sum().backward();
    expect(values(x.grad!)).toEqual(fx.dirty.x_grad);
    const leaf = torch.ones([2]).requiresGrad_();
    expect(() => AddOneInPlace.apply(leaf)).toThrow("a leaf Variable that requires grad is being used in an in-place operation");
  });
  it("markNonDifferentiable: indices never require grad, the values' gradient flows", () => {
    const x = torch.tensor([3, 1, 2], { dtype: "float32" }).requiresGrad_();
    const [v, i] = SortWithIndices.apply(x);
    expect(values(v)).toEqual(fx.non_differentiable.values);
    expect(values(i)).toEqual(fx.non_differentiable.indices);
    expect(i.requiresGrad).toBe(fx.non_differentiable.indices_requires_grad);
    v.mul(torch.tensor([1, 10, 100], { dtype: "float32" })).sum().backward();
    expect(values(x.grad!)).toEqual(fx.non_differentiable.x_grad);
  });
  it("saved tensors are freed by backward, as PyTorch's, unless retainGraph", () => {
    let ctxOf: FunctionCtx | null = null;
    class Keep extends torch.autograd.Function {
      static forward(ctx: FunctionCtx, x: Tensor): Tensor {
        ctxOf = ctx;
        ctx.saveForBackward(x);
        return x.mul(2);
      }
      static backward(ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(2).mul(ctx.savedTensors[0]!.sign().abs());
      }
    }
    const x = torch.ones([2]).requiresGrad_();
    const y = Keep.apply(x);
    y.sum().backward(undefined, { retainGraph: true });
    y.sum().backward();
    expect(values(x.grad!)).toEqual([4, 4]);
    expect(() => ctxOf!.savedTensors).toThrow("Trying to backward through the graph a second time");
  });
  it("a saved input modified in place raises PyTorch's version error", () => {
    const x = torch.ones([2]).requiresGrad_();
    const h = x.mul(1);
    const y = LegendreP3.apply(h);
    h.add_(1);
    expect(() => y.sum().backward()).toThrow("one of the variables needed for gradient computation has been modified by an inplace operation");
  });
  it("an unused output's gradient arrives as zeros (with several outputs, also after setMaterializeGrads(false), where PyTorch passes None)", () => {
    let got: unknown[] = [];
    class Two extends torch.autograd.Function {
      static forward(ctx: FunctionCtx, x: Tensor): [Tensor, Tensor] {
        ctx.setMaterializeGrads(false);
        return [x.mul(2), x.mul(3)];
      }
      static backward(_ctx: FunctionCtx, g1: Tensor | null, g2: Tensor | null): Tensor {
        got = [g1, g2];
        return g1!.mul(2);
      }
    }
    const x = torch.ones([2]).requiresGrad_();
    const [a] = Two.apply(x);
    a.sum().backward();
    expect(values(got[1] as Tensor)).toEqual([0, 0]);
    expect(values(x.grad!)).toEqual([2, 2]);
  });
  it("bad backward results raise PyTorch's errors", () => {
    class WrongCount extends torch.autograd.Function {
      static forward(_ctx: FunctionCtx, x: Tensor, y: Tensor): Tensor {
        return x.add(y);
      }
      static backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    class WrongShape extends torch.autograd.Function {
      static forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static backward(): Tensor {
        return torch.ones([7]);
      }
    }
    const t = torch.ones([3]).requiresGrad_();
    expect(() => WrongCount.apply(t, t).sum().backward()).toThrow(fx.errors.count);
    expect(() => WrongShape.apply(t).sum().backward()).toThrow(fx.errors.shape);
  });
});

describe("the printed graph, as the tutorials walk it", () => {
  type Walk = { name: string; next?: (Walk | null)[] } | null;
  function walk(fn: { name: string; nextFunctions: [unknown, number][] } | null, depth: number): Walk {
    if (fn === null) return null;
    const entry: Walk = { name: fn.name };
    if (depth > 0) entry.next = fn.nextFunctions.map(([f]) => walk(f as never, depth - 1));
    return entry;
  }
  it("Linear records AddmmBackward0, relu ReluBackward0, MSELoss MseLossBackward0, down to AccumulateGrad", () => {
    class Net extends nn.Module {
      fc1 = new nn.Linear(4, 3);
      fc2 = new nn.Linear(3, 2);
      forward(x: Tensor): Tensor {
        return this.fc2(nn.functional.relu(this.fc1(x)));
      }
    }
    const net = new Net();
    const loss = new nn.MSELoss()(net(torch.randn([5, 4])), torch.randn([5, 2]));
    expect(walk(loss.gradFn, 4)).toEqual(fx.graph);
    expect(String(loss.gradFn)).toBe("<MseLossBackward0 object>");
    expect(inspect(loss.gradFn)).toBe("<MseLossBackward0 object>");
    expect(inspect(loss.gradFn!.nextFunctions[0][0])).toBe("<AddmmBackward0 object>");
    expect(String(loss.gradFn!.nextFunctions[0][0]!.nextFunctions[0][0])).toBe("<AccumulateGrad object>");
  });
  it("the fused Linear and MSE nodes give the composite's gradients", () => {
    const x = torch.randn([6, 4], { dtype: "float64" }).requiresGrad_();
    const w = torch.randn([3, 4], { dtype: "float64" }).requiresGrad_();
    const b = torch.randn([3], { dtype: "float64" }).requiresGrad_();
    const t = torch.randn([6, 3], { dtype: "float64" }).requiresGrad_();
    for (const reduction of ["mean", "sum", "none"] as const) {
      expect(torch.autograd.gradcheck((a, c, d, e) => nn.functional.mseLoss(nn.functional.linear(a, c, d), e, { reduction }), [x, w, b, t])).toBe(true);
    }
    expect(torch.autograd.gradcheck((a, c, d) => torch.addmm(a, c, d, { beta: 0.5, alpha: 2 }), [b, x, w.t()])).toBe(true);
  });
});
