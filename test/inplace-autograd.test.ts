// In-place writes under autograd against PyTorch 1.13 (test/fixtures/inplace.json from
// scripts/gen_inplace_fixtures.py): writes through views (CopySlices), copy_/fill_ over graph
// tensors, indexed assignment, and the hand-written RNN loop that fills `outputs[:, t]`.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/inplace.json";
import { expectValuesNear } from "./helpers.js";

type Case = { inputs: Record<string, { shape: number[]; values: number[] }>; grads: Record<string, number[] | null> };

function inputs(c: Case, withGrad: string[]): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(c.inputs).map(([k, v]) => [k, torch.tensor(v.values).reshape(v.shape).requiresGrad_(withGrad.includes(k))]),
  );
}

function expectValues(t: Tensor | null, want: number[], what: string): void {
  expect(t, what).not.toBeNull();
  expectValuesNear(t!.reshape(-1).tolist() as number[], want, what);
}

describe("in-place writes under autograd, against PyTorch", () => {
  it("the hand-written RNN loop: outputs[:, t, :] = h for each step", () => {
    const c = fixtures.rnn_loop;
    const { x, w_ih, w_hh, wout } = inputs(c, ["x", "w_ih", "w_hh"]);
    const [B, T] = x.shape;
    let h = torch.zeros(B, w_hh.shape[0]);
    const outputs = torch.zeros(B, T, w_hh.shape[0]);
    for (let t = 0; t < T; t++) {
      h = torch.tanh(x.index(`:, ${t}, :`).matmul(w_ih).add(h.matmul(w_hh)));
      outputs.indexPut_(`:, ${t}, :`, h);
    }
    expect(outputs.gradFn?.name).toBe(c.grad_fn);
    const loss = outputs.mul(wout).sum();
    expect(loss.item()).toBeCloseTo(c.loss, 4);
    loss.backward();
    expectValues(x.grad, c.grads.x!, "x.grad");
    expectValues(w_ih.grad, c.grads.w_ih!, "w_ih.grad");
    expectValues(w_hh.grad, c.grads.w_hh!, "w_hh.grad");
  });

  it("an in-place op through a view of a non-leaf rebases the base (CopySlices)", () => {
    const c = fixtures.view_mul_;
    const { h, w } = inputs(c, ["h"]);
    const y = h.mul(2);
    y.index("1:3").mul_(3);
    expect(y.gradFn?.name).toBe(c.grad_fn);
    expectValues(y, c.y, "y");
    y.mul(w).sum().backward();
    expectValues(h.grad, c.grads.h!, "h.grad");
  });

  it("copy_ of a constant gives the overwritten values a zero gradient (CopyBackwards)", () => {
    const c = fixtures.copy_constant;
    const { h } = inputs(c, ["h"]);
    const y = h.mul(2);
    y.copy_(torch.ones(3));
    expect(y.gradFn?.name).toBe(c.grad_fn);
    y.mul(3).sum().backward();
    expectValues(h.grad, c.grads.h!, "h.grad");
  });

  it("copy_ of a broadcast source into a row and into a whole tensor", () => {
    const c = fixtures.copy_broadcast;
    const { src, w } = inputs(c, ["src"]);
    const base = torch.zeros(2, 3);
    base.select(0, 1).copy_(src.select(0, 0).mul(2));
    const base2 = torch.zeros(2, 3);
    base2.copy_(src);
    base.add(base2).mul(w).sum().backward();
    expectValues(src.grad, c.grads.src!, "src.grad");
  });

  it("a view taken before another view's write picks up the base's new history", () => {
    const c = fixtures.stale_view;
    const { h } = inputs(c, ["h"]);
    const b = torch.zeros(2, 3);
    const v = b.select(0, 0);
    b.indexPut_("1", h.mul(h));
    expect(v.requiresGrad).toBe(c.requires_grad);
    expect(v.gradFn?.name).toBe(c.grad_fn);
    b.select(0, 1).mul(2).add(v).sum().backward();
    expectValues(h.grad, c.grads.h!, "h.grad");
  });

  it("masked and tensor-indexed assignment into non-leaves", () => {
    const c = fixtures.index_put;
    const { h, val, w } = inputs(c, ["h", "val"]);
    const y = h.mul(1.5);
    y.indexPut_(torch.tensor(c.mask), val);
    const z = h.mul(1);
    z.indexPut_([torch.tensor([4, 1])], val.mul(3));
    y.add(z).mul(w).sum().backward();
    expectValues(h.grad, c.grads.h!, "h.grad");
    expectValues(val.grad, c.grads.val!, "val.grad");
  });

  it("fill_ over part of a non-leaf", () => {
    const c = fixtures.fill_slice;
    const { h } = inputs(c, ["h"]);
    const y = h.mul(3);
    y.index("2:").fill_(7);
    expectValues(y, c.y, "y");
    y.mul(y).sum().backward();
    expectValues(h.grad, c.grads.h!, "h.grad");
  });

  it("second-order gradients through CopySlices", () => {
    const c = fixtures.double_backward;
    const { h } = inputs(c, ["h"]);
    const o = torch.zeros(2, 3);
    o.indexPut_("1", h.pow(3));
    const [g] = torch.autograd.grad([o.sum()], [h], { createGraph: true });
    expectValues(g, c.grads.g!, "g");
    g!.sum().backward();
    expectValues(h.grad, c.grads.h!, "h.grad");
  });

  it("two views of one base written in turn, each taken before either write", () => {
    const h = torch.tensor([1, 2, 3], { dtype: "float32", requiresGrad: true });
    const w = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
    const b = torch.zeros(2, 3);
    const [v0, v1] = [b.select(0, 0), b.select(0, 1)];
    v1.copy_(h.mul(2));
    v0.add_(h.mul(3));
    b.mul(w).sum().backward();
    expect(h.grad!.tolist()).toEqual([11, 16, 21]);
    expect(b.tolist()).toEqual([[3, 6, 9], [2, 4, 6]]);
  });

  it("writes into a base whose own layout is not contiguous (a detached transpose)", () => {
    const b = torch.zeros(3, 2).t().detach();
    const h = torch.tensor([1, 2, 3], { dtype: "float32", requiresGrad: true });
    const w = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
    b.indexPut_("1", h.mul(h));
    expect(b.tolist()).toEqual([[0, 0, 0], [1, 4, 9]]);
    b.mul(w).sum().backward();
    expect(h.grad!.tolist()).toEqual([8, 20, 36]);
  });

  it("refuses writes through a view of a leaf that requires grad, as PyTorch does", () => {
    const x = torch.randn([3], { requiresGrad: true });
    expect(() => x.index("0").add_(1)).toThrow("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    expect(() => x.indexPut_("0", 1)).toThrow("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    torch.noGrad(() => x.indexPut_("0", 1));
    expect((x.tolist() as number[])[0]).toBe(1);
  });
});
