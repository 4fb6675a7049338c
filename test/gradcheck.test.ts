// Central-difference gradient checks in float64 (the JS kernels) over every differentiable
// op on random shapes: the backward formulas themselves, independent of the fixtures.
import { describe, it } from "vitest";
import fc from "fast-check";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";

type Case = [name: string, arity: number, fn: (...xs: Tensor[]) => Tensor, domain?: "positive" | "away-from-zero"];

const CASES: Case[] = [
  ["neg", 1, (x) => x.neg()],
  ["abs", 1, (x) => x.abs(), "away-from-zero"],
  ["exp", 1, (x) => x.exp()],
  ["log", 1, (x) => x.log(), "positive"],
  ["sqrt", 1, (x) => x.sqrt(), "positive"],
  ["rsqrt", 1, (x) => x.rsqrt(), "positive"],
  ["sin", 1, (x) => x.sin()],
  ["cos", 1, (x) => x.cos()],
  ["tanh", 1, (x) => x.tanh()],
  ["sigmoid", 1, (x) => x.sigmoid()],
  ["relu", 1, (x) => x.relu(), "away-from-zero"],
  ["gelu", 1, (x) => x.gelu()],
  ["silu", 1, (x) => x.silu()],
  ["softplus", 1, (x) => x.softplus()],
  ["erf", 1, (x) => x.erf()],
  ["reciprocal", 1, (x) => x.reciprocal(), "positive"],
  ["square", 1, (x) => x.square()],
  ["clamp", 1, (x) => x.clamp(-0.5, 0.5), "away-from-zero"],
  ["leakyRelu", 1, (x) => torch.nn.functional.leakyRelu(x, 0.2), "away-from-zero"],
  ["add", 2, (a, b) => a.add(b)],
  ["sub", 2, (a, b) => a.sub(b)],
  ["mul", 2, (a, b) => a.mul(b)],
  ["div", 2, (a, b) => a.div(b), "positive"],
  ["pow", 2, (a, b) => a.pow(b), "positive"],
  ["maximum", 2, (a, b) => a.maximum(b)],
  ["minimum", 2, (a, b) => a.minimum(b)],
  ["where", 2, (a, b) => torch.where(a.gt(b), a, b)],
  ["sum_dim", 1, (x) => x.sum(-1)],
  ["mean", 1, (x) => x.mean()],
  ["prod", 1, (x) => x.prod(-1), "away-from-zero"],
  ["amax", 1, (x) => x.amax(-1)],
  ["max_dim", 1, (x) => x.max(-1).values],
  ["var", 1, (x) => torch.stack([x, x.sin()], -1).var(-1)],
  // std of (x, sin x) is |x − sin x|/√2, with a kink at 0 where central differences fail
  ["std", 1, (x) => torch.stack([x, x.sin()], -1).std(-1), "away-from-zero"],
  ["logsumexp", 1, (x) => x.logsumexp(-1)],
  ["softmax", 1, (x) => x.softmax(-1)],
  ["logSoftmax", 1, (x) => x.logSoftmax(-1)],
  ["matmul", 2, (a, b) => a.reshape(a.shape[0], -1).matmul(b.reshape(b.shape[0], -1).t())],
  ["matmul_batched", 2, (a, b) => a.unsqueeze(0).expand(2, ...a.shape).reshape(2, a.shape[0], -1).matmul(b.reshape(b.shape[0], -1).t())],
  ["matmul_vec", 2, (a, b) => a.reshape(-1).matmul(b.reshape(-1))],
  ["transpose", 1, (x) => x.transpose(0, -1).mul(torch.arange(x.numel(), { dtype: "float64" }).reshape([...x.transpose(0, -1).shape]))],
  ["narrow", 1, (x) => x.narrow(-1, 0, 1).exp()],
  ["index_slice", 1, (x) => x.index("..., ::2").square()],
  ["cat", 2, (a, b) => torch.cat([a, b], 0).exp()],
  ["stack", 2, (a, b) => torch.stack([a, b], -1).sin()],
  ["expand", 1, (x) => x.unsqueeze(0).expand(3, ...x.shape).tanh()],
  ["gather", 1, (x) => x.gather(-1, torch.zeros([...x.shape.slice(0, -1), 2], { dtype: "int64" }))],
  ["indexSelect", 1, (x) => x.indexSelect(0, torch.tensor([0, 0]))],
];

function sample(shape: number[], domain: Case[3], seed: number): Tensor {
  const g = new torch.Generator(seed);
  let x = torch.randn(shape, { dtype: "float64", generator: g });
  if (domain === "positive") x = x.abs().add(0.5);
  if (domain === "away-from-zero") x = x.add(x.sign().mul(0.3));
  return x.requiresGrad_();
}

describe("gradcheck (float64 central differences) on random shapes", () => {
  for (const [name, arity, fn, domain] of CASES) {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1e6 }), (shape, seed) => {
          const inputs = Array.from({ length: arity }, (_, k) => sample(shape, domain, seed + k));
          torch.autograd.gradcheck(fn, inputs, { eps: 1e-6, atol: 1e-6, rtol: 1e-4 });
        }),
        { numRuns: 8 },
      );
    });
  }
});
