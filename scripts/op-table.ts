// Builds docs/ops.md, the op × (forward, backward, double backward) table, by probing each
// public op at run time: what the table says is what the code does. `npm run op-table`
// rewrites the file; test/op-table.test.ts fails when it is stale.
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";

type Probe = [name: string, fn: (x: Tensor, y: Tensor) => Tensor, differentiable: boolean];

const P: Probe[] = [
  ["add", (x, y) => x.add(y), true],
  ["sub", (x, y) => x.sub(y), true],
  ["mul", (x, y) => x.mul(y), true],
  ["div", (x, y) => x.div(y), true],
  ["pow", (x, y) => x.pow(y), true],
  ["maximum", (x, y) => x.maximum(y), true],
  ["minimum", (x, y) => x.minimum(y), true],
  ["where", (x, y) => torch.where(x.gt(y), x, y), true],
  ["eq / ne / lt / le / gt / ge", (x, y) => x.lt(y), false],
  ["neg", (x) => x.neg(), true],
  ["abs", (x) => x.abs(), true],
  ["sign", (x) => x.sign(), true],
  ["exp", (x) => x.exp(), true],
  ["log", (x) => x.log(), true],
  ["sqrt", (x) => x.sqrt(), true],
  ["rsqrt", (x) => x.rsqrt(), true],
  ["sin", (x) => x.sin(), true],
  ["cos", (x) => x.cos(), true],
  ["tanh", (x) => x.tanh(), true],
  ["sigmoid", (x) => x.sigmoid(), true],
  ["relu", (x) => x.relu(), true],
  ["gelu", (x) => x.gelu(), true],
  ["silu", (x) => x.silu(), true],
  ["softplus", (x) => x.softplus(), true],
  ["leakyRelu", (x) => torch.nn.functional.leakyRelu(x), true],
  ["erf", (x) => x.erf(), true],
  ["reciprocal", (x) => x.reciprocal(), true],
  ["square", (x) => x.square(), true],
  ["clamp", (x) => x.clamp(0.1, 0.9), true],
  ["round / floor / ceil", (x) => x.round(), true],
  ["sum", (x) => x.sum(1), true],
  ["mean", (x) => x.mean(1), true],
  ["prod", (x) => x.prod(1), true],
  ["amax / amin / max()", (x) => x.amax(1), true],
  ["max(dim) / min(dim)", (x) => x.max(1).values, true],
  ["argmax / argmin", (x) => x.argmax(1), false],
  ["var", (x) => x.var(1), true],
  ["std", (x) => x.std(1), true],
  ["logsumexp", (x) => x.logsumexp(1), true],
  ["sort / topk", (x) => x.sort(1).values.mul(x.topk(1, 1).values), true],
  ["argsort", (x) => x.argsort(1), false],
  ["norm / linalg.vectorNorm", (x) => x.norm().add(torch.linalg.vectorNorm(x, 3, 1).sum()), true],
  ["softmax", (x) => x.softmax(1), true],
  ["logSoftmax", (x) => x.logSoftmax(1), true],
  ["matmul / mm / bmm / dot", (x, y) => x.matmul(y.t()), true],
  ["addmm (nn.Linear)", (x, y) => torch.addmm(x.sum(0), x, y.t()), true],
  ["mseLoss", (x, y) => torch.nn.functional.mseLoss(x, y), true],
  ["view / reshape / flatten", (x) => x.reshape(-1), true],
  ["squeeze / unsqueeze", (x) => x.unsqueeze(0).squeeze(0), true],
  ["transpose / permute / t", (x) => x.t(), true],
  ["expand", (x) => x.unsqueeze(0).expand(2, -1, -1), true],
  ["narrow / select / index (slices)", (x) => x.index(":, 1:"), true],
  ["split / chunk / unbind", (x) => x.split(1, 1)[0], true],
  ["cat / stack", (x, y) => torch.cat([x, y], 0), true],
  ["contiguous / clone", (x) => x.t().contiguous(), true],
  ["indexSelect / index (tensor)", (x) => x.indexSelect(0, torch.tensor([1, 0])), true],
  ["gather", (x) => x.gather(1, torch.tensor([[0], [1]])), true],
  ["flip", (x) => x.flip([0, 1]), true],
  ["scatterAdd", (x, y) => x.scatterAdd(1, torch.tensor([[0, 0], [1, 1]]), y), true],
  ["maskedFill", (x) => x.maskedFill(x.gt(0.5), 0), true],
  ["to(dtype) between floats", (x) => x.float(), true],
  ["pad", (x) => torch.nn.functional.pad(x, [1, -1, 0, 1]), true],
  ["interpolate (bilinear)", (x) => torch.nn.functional.interpolate(x.reshape(1, 1, 2, -1), { size: [3, 5], mode: "bilinear" }), true],
  ["gridSample (bilinear)", (x, y) => torch.nn.functional.gridSample(x.reshape(1, 1, 2, 2), y.reshape(1, 1, 2, 2).sub(0.5)), true],
  ["conv2d", (x, y) => torch.nn.functional.conv2d(x.reshape(1, 1, 2, 2), y.reshape(1, 1, 2, 2), null, { padding: 1 }), true],
  ["maxPool2d", (x) => torch.nn.functional.maxPool2d(x.reshape(1, 1, 2, 2), 2, { stride: 1, padding: 1 }), true],
  ["avgPool2d", (x) => torch.nn.functional.avgPool2d(x.reshape(1, 1, 2, 2), 2, { stride: 1, padding: 1 }), true],
  ["unfold / fold", (x) => torch.nn.functional.fold(torch.nn.functional.unfold(x.reshape(1, 1, 2, 2), 2, { padding: 1 }), 2, 2, { padding: 1 }), true],
];

function probe(fn: Probe[1]): [string, string, string] {
  const x = torch.tensor([[0.3, 0.6], [0.7, 0.2]], { dtype: "float64", requiresGrad: true });
  const y = torch.tensor([[0.5, 0.4], [0.1, 0.8]], { dtype: "float64", requiresGrad: true });
  let out: Tensor;
  try {
    out = fn(x, y);
  } catch {
    return ["✗", "—", "—"];
  }
  if (!out.requiresGrad) return ["✓", "—", "—"];
  let grads: (Tensor | null)[];
  try {
    grads = torch.autograd.grad(out.float().double().sum(), [x, y], { createGraph: true, allowUnused: true });
  } catch {
    return ["✓", "✗", "—"];
  }
  const second = grads.filter((g): g is Tensor => g !== null && g.requiresGrad);
  // a gradient that does not depend on the input (add, views) has a zero second derivative
  if (second.length === 0) return ["✓", "✓", "✓ (zero)"];
  try {
    torch.autograd.grad(second.map((g) => g.sum()).reduce((a, b) => a.add(b)), [x, y], { allowUnused: true });
    return ["✓", "✓", "✓"];
  } catch {
    return ["✓", "✓", "✗"];
  }
}

export function opTable(): string {
  const rows = P.map(([name, fn, diff]) => {
    const [f, b, d] = probe(fn);
    return `| \`${name}\` | ${f} | ${diff ? b : "— (not differentiable)"} | ${diff ? d : "—"} |`;
  });
  return [
    "# Ops and their gradients",
    "",
    "Generated by `npm run op-table` (scripts/op-table.ts), which runs each op forward, then",
    "backward with `createGraph: true`, then backward again through that gradient. A missing",
    "gradient shows here as ✗; `test/op-table.test.ts` fails when this file is out of date.",
    "",
    "| op | forward | backward | double backward |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(new URL("../docs/ops.md", import.meta.url), opTable());
  console.log("wrote docs/ops.md");
}
