// Every op against real PyTorch (test/fixtures/ops.json, from scripts/gen_fixtures.py):
// the forward output, the gradient of sum(out * w) for each float input and, where the
// fixture has it, the second-order gradient (createGraph).
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";
import fixtures from "./fixtures/ops.json";
import { decode, Encoded, expectClose } from "./helpers.js";

type Op = (...xs: Tensor[]) => Tensor;

// One line per fixture key, mirroring the PyTorch lambda of the same key.
const OPS: Record<string, Op> = {
  neg: (x) => x.neg(),
  abs: (x) => x.abs(),
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  sqrt: (x) => x.sqrt(),
  rsqrt: (x) => x.rsqrt(),
  sin: (x) => x.sin(),
  cos: (x) => x.cos(),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  relu: (x) => x.relu(),
  gelu: (x) => x.gelu(),
  silu: (x) => x.silu(),
  softplus: (x) => x.softplus(),
  erf: (x) => x.erf(),
  reciprocal: (x) => x.reciprocal(),
  square: (x) => x.square(),
  clamp: (x) => x.clamp(-0.5, 0.7),
  leaky_relu: (x) => torch.nn.functional.leakyRelu(x, 0.1),
  exp_noncontig: (x) => x.exp(),
  add: (a, b) => a.add(b),
  add_alpha: (a, b) => torch.add(a, b, { alpha: 2.5 }),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  pow: (a, b) => a.pow(b),
  pow_scalar: (x) => x.pow(3),
  maximum: (a, b) => a.maximum(b),
  minimum: (a, b) => a.minimum(b),
  add_scalar: (x) => x.add(1.5),
  rsub_scalar: (x) => x.neg().add(2),
  mul_noncontig: (a, b) => a.mul(b),
  div_scalar: (x) => x.div(4),
  where: (c, a, b) => torch.where(c.gt(0), a, b),
  masked_fill: (x) => x.maskedFill(x.lt(0), -1),
  eq: (a, b) => a.round().eq(b.round()),
  lt: (a, b) => a.lt(b),
  ge: (a) => a.ge(0.1),
  sum: (x) => x.sum(),
  sum_dim: (x) => x.sum(1),
  sum_dims_keepdim: (x) => x.sum([0, 2], true),
  sum_neg_dim: (x) => x.sum(-1),
  sum_noncontig: (x) => x.sum(0),
  mean: (x) => x.mean(),
  mean_dim: (x) => x.mean(-1, true),
  max_all: (x) => x.max(),
  max_dim_values: (x) => x.max(1).values,
  max_dim_indices: (x) => x.max(1).indices,
  min_dim_values: (x) => x.min(0).values,
  amax: (x) => x.amax([0, 2]),
  argmax: (x) => x.argmax(1),
  argmin_all: (x) => x.argmin(),
  prod: (x) => x.prod(1),
  var: (x) => x.var(1),
  std: (x) => x.std(),
  var_unbiased0: (x) => x.var(0, { correction: 0 }),
  logsumexp: (x) => x.logsumexp(1),
  sort_values: (x) => x.sort(1).values,
  sort_indices: (x) => x.sort(1).indices,
  sort_descending_dim0: (x) => torch.sort(x, 0, true).values,
  argsort: (x) => x.argsort(1, true),
  topk_values: (x) => x.topk(3).values,
  topk_indices_smallest_dim0: (x) => x.topk(2, 0, false).indices,
  norm: (x) => x.norm(),
  norm_p1_dim: (x) => x.norm(1, 1),
  norm_p3_keepdim: (x) => x.norm(3, 0, true),
  vector_norm_inf: (x) => torch.linalg.vectorNorm(x, Infinity, 1),
  vector_norm_dims: (x) => torch.linalg.vectorNorm(x, 2, [0, 2]),
  softmax: (x) => x.softmax(1),
  softmax_dim0_3d: (x) => x.softmax(1),
  log_softmax: (x) => x.logSoftmax(-1),
  matmul_2d: (a, b) => a.matmul(b),
  matmul_vec_mat: (a, b) => a.matmul(b),
  matmul_mat_vec: (a, b) => a.matmul(b),
  matmul_dot: (a, b) => a.matmul(b),
  matmul_batched: (a, b) => a.matmul(b),
  matmul_broadcast_batch: (a, b) => a.matmul(b),
  matmul_transposed_a: (a, b) => a.matmul(b),
  matmul_transposed_b: (a, b) => a.matmul(b),
  matmul_large: (a, b) => a.matmul(b),
  view: (x) => x.view(3, -1, 2),
  reshape_noncontig: (x) => x.reshape(-1),
  permute: (x) => x.permute(2, 0, 1),
  transpose: (x) => x.transpose(0, 2),
  expand: (x) => x.expand(2, 3, 4),
  narrow: (x) => x.narrow(1, 2, 3),
  select: (x) => x.index(":, -1"),
  slice_step: (x) => x.index("1:8:3"),
  squeeze: (x) => x.squeeze(),
  unsqueeze: (x) => x.unsqueeze(1),
  flatten: (x) => x.flatten(1),
  cat: (a, b) => torch.cat([a, b], 0),
  cat_dim1: (a, b) => torch.cat([a, b], -1),
  stack: (a, b) => torch.stack([a, b], 1),
  split: (x) => torch.split(x, 2, 0)[2],
  chunk: (x) => torch.chunk(x, 3, 1)[1],
  index_select: (x, i) => x.indexSelect(0, i),
  gather: (x, i) => x.gather(1, i),
  contiguous: (x) => x.contiguous(),
};

interface Case {
  inputs: Encoded[];
  out: Encoded;
  w?: Encoded;
  grads?: Encoded[];
  w2?: Encoded[];
  grads2?: Encoded[];
}
const cases = fixtures.cases as unknown as Record<string, Case>;

function runCase(name: string, c: Case): void {
  const inputs = c.inputs.map((e) => decode(e, e.dtype === "float32"));
  const out = OPS[name](...inputs);
  const loose = name.startsWith("matmul") || name === "prod" ? { rtol: 2e-4, atol: 1e-4 } : {};
  expectClose(out, c.out, { ...loose, what: `${name} forward` });
  if (!c.grads || !c.w) return;
  const diff = inputs.filter((t) => t.requiresGrad);
  const double = c.grads2 !== undefined;
  const grads = torch.autograd.grad(out.mul(decode(c.w)).sum(), diff, { createGraph: double, allowUnused: true });
  grads.forEach((g, i) => expectClose(g ?? torch.zerosLike(diff[i]), c.grads![i], { ...loose, what: `${name} grad ${i}` }));
  if (!double) return;
  const terms = grads.map((g, i) => (g !== null && g.requiresGrad ? g.mul(decode(c.w2![i])).sum() : null)).filter((t) => t !== null);
  if (terms.length === 0) return;
  const total = terms.reduce((a, b) => a.add(b));
  const second = torch.autograd.grad(total, diff, { allowUnused: true });
  second.forEach((g, i) => expectClose(g ?? torch.zerosLike(diff[i]), c.grads2![i], { rtol: 5e-4, atol: 1e-4, what: `${name} grad² ${i}` }));
}

describe("ops match PyTorch 1.13 forward, backward and double backward", () => {
  it("covers every fixture case and nothing else", () => {
    expect(Object.keys(OPS).sort()).toEqual(Object.keys(cases).sort());
  });
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => runCase(name, c));
  }
});

describe("the same cases through the JS oracle kernels", () => {
  it("agree with the fixtures when float32 skips wasm", () => {
    torch.testing.setWasmKernels(false);
    try {
      for (const [name, c] of Object.entries(cases)) runCase(name, c);
    } finally {
      torch.testing.setWasmKernels(true);
    }
  });
});
