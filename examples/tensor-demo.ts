// A first taimatsu program: tensors, broadcasting, matmul and autograd, fitting a line by
// gradient descent exactly as one would in PyTorch.
import * as torch from "taimatsu";

torch.manualSeed(0);
const x = torch.linspace(-1, 1, 64).unsqueeze(1);
const y = x.mul(3).add(0.5).add(torch.randn([64, 1]).mul(0.1));
console.log("x[:5] =", x.index(":5").toString());

const w = torch.zeros([1, 1], { requiresGrad: true });
const b = torch.zeros([1], { requiresGrad: true });
for (let step = 0; step <= 200; step++) {
  const loss = x.matmul(w).add(b).sub(y).square().mean();
  w.grad = null;
  b.grad = null;
  loss.backward();
  torch.noGrad(() => {
    w.sub_(w.grad!.mul(0.5));
    b.sub_(b.grad!.mul(0.5));
  });
  if (step % 50 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(5)}`);
}
console.log("w =", w.toString(), " b =", b.toString(), " (true values 3 and 0.5)");
console.log("memory:", torch.memoryStats());
