// Long loops written without keep() or dispose(), as users write them: each runs `steps`
// steps in its own process and prints, as one JSON line, WebAssembly memory, tensor bytes,
// the JS heap and the process RSS at step 100 and at the end. test/memory-loops.test.ts
// holds them flat; `npx tsx scripts/memory-loops.ts <loop> [steps]` runs one by hand.
import * as torch from "../ts/index.js";

const { nn } = torch;
const F = nn.functional;

interface Sample {
  step: number;
  wasm: number;
  bytesInUse: number;
  heap: number;
  rss: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const samples: Sample[] = [];
function sample(step: number): void {
  gc?.();
  const m = torch.memoryStats();
  const p = process.memoryUsage();
  samples.push({ step, wasm: m.wasmMemoryBytes, bytesInUse: m.bytesInUse, heap: p.heapUsed, rss: p.rss });
}
/**
 * Samples at step 100, half way and at the end. The garbage collector is forced before each
 * sample and every 1,000 steps, so that RSS shows what is retained rather than when V8 last
 * chose to collect.
 */
const tick = (i: number, steps: number): void => {
  if (i === 100 || i === steps / 2 || i === steps - 1) sample(i);
  else if (i % 1000 === 0) gc?.();
};
const pause = (): Promise<void> => new Promise((r) => setImmediate(r));

function smallCnn(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(4 * 4 * 4, 10),
  );
}

const loops: Record<string, (steps: number) => void | Promise<void>> = {
  /** Lecture 2's loop by hand: a fresh random batch each step, a manual SGD update, no optimizer. */
  manual(steps) {
    const w1 = torch.randn([16, 32]).mul(0.1).requiresGrad_();
    const w2 = torch.randn([32, 4]).mul(0.1).requiresGrad_();
    for (let i = 0; i < steps; i++) {
      const x = torch.randn([64, 16]);
      const y = x.narrow(1, 0, 4).sum(1, true);
      const loss = x.matmul(w1).relu().matmul(w2).sub(y).square().mean();
      loss.backward();
      torch.noGrad(() => {
        w1.sub_(w1.grad!.mul(0.01));
        w2.sub_(w2.grad!.mul(0.01));
      });
      w1.grad = null;
      w2.grad = null;
      tick(i, steps);
    }
  },
  /** A CNN evaluated inside ONE noGrad call: no boundary at all. */
  evalOneNoGrad(steps) {
    const model = smallCnn().eval();
    const preds: number[] = [];
    torch.noGrad(() => {
      for (let i = 0; i < steps; i++) {
        preds.push(model(torch.randn([16, 1, 8, 8])).argmax(1).sum().item());
        tick(i, steps);
      }
    });
  },
  /** The lecture-2 full-batch loop: no DataLoader; train and test forward each epoch. */
  fullBatch(steps) {
    const xTrain = torch.randn([256, 64]);
    const yTrain = torch.randint(0, 10, [256]);
    const xTest = torch.randn([64, 64]);
    const net = new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 10));
    const opt = new torch.optim.SGD(net.parameters(), { lr: 0.01 });
    const lossFn = new nn.CrossEntropyLoss();
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      const out = net(xTrain);
      const testOut = net(xTest);
      const loss = lossFn(out, yTrain);
      loss.backward();
      opt.step();
      void testOut;
      tick(i, steps);
    }
  },
  /** An async manual loop that awaits a resolved promise each step (microtasks only). */
  async asyncSteps(steps) {
    const model = new nn.Sequential(new nn.Linear(16, 32), new nn.Tanh(), new nn.Linear(32, 1));
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    for (let i = 0; i < steps; i++) {
      const x = torch.randn([32, 16]);
      opt.zeroGrad();
      const loss = model(x).square().mean();
      await Promise.resolve();
      loss.backward();
      opt.step();
      tick(i, steps);
    }
  },
  /** Adversarial examples: a gradient with respect to each batch's input (createGraph too). */
  fgsm(steps) {
    const model = new nn.Sequential(new nn.Linear(16, 32), new nn.ReLU(), new nn.Linear(32, 4));
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
    for (let i = 0; i < steps; i++) {
      const x = torch.randn([32, 16]).requiresGrad_();
      const y = torch.randint(0, 4, [32]);
      const loss = F.crossEntropy(model(x), y);
      const [gx] = torch.autograd.grad(loss, x, { createGraph: true });
      const penalty = gx!.square().sum();
      const adv = x.detach().add(gx!.sign().mul(0.05));
      opt.zeroGrad();
      F.crossEntropy(model(adv), y).add(penalty).backward();
      x.grad = null;
      opt.step();
      tick(i, steps);
    }
  },
  /** Two training loops interleaved with await; one awaits between forward and backward. */
  async interleaved(steps) {
    const make = () => {
      const model = new nn.Sequential(new nn.Linear(16, 32), new nn.ReLU(), new nn.Linear(32, 4));
      return { model, opt: new torch.optim.SGD(model.parameters(), { lr: 0.01 }) };
    };
    const a = make();
    const b = make();
    const loss = (m: torch.nn.Sequential): torch.Tensor => F.crossEntropy(m(torch.randn([32, 16])), torch.randint(0, 4, [32]));
    const loopA = async () => {
      for (let i = 0; i < steps; i++) {
        a.opt.zeroGrad();
        const l = loss(a.model);
        await pause();
        l.backward();
        a.opt.step();
        tick(i, steps);
      }
    };
    const loopB = async () => {
      for (let i = 0; i < steps; i++) {
        b.opt.zeroGrad();
        loss(b.model).backward();
        b.opt.step();
        await pause();
      }
    };
    await Promise.all([loopA(), loopB()]);
  },
  /** A CNN (Conv2d, BatchNorm2d, MaxPool2d) trained over a DataLoader. */
  cnn(steps) {
    const data = new torch.utils.data.TensorDataset(torch.randn([512, 1, 8, 8]), torch.randint(0, 10, [512]));
    const loader = new torch.utils.data.DataLoader(data, { batchSize: 32, shuffle: true });
    const model = smallCnn();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    let i = 0;
    while (i < steps) {
      for (const [x, y] of loader) {
        opt.zeroGrad();
        F.crossEntropy(model(x), y).backward();
        opt.step();
        tick(i, steps);
        if (++i === steps) break;
      }
    }
  },
  /** An LSTM reading sequences, trained over a DataLoader. */
  lstm(steps) {
    const data = new torch.utils.data.TensorDataset(torch.randn([256, 8, 4]), torch.randint(0, 3, [256]));
    const loader = new torch.utils.data.DataLoader(data, { batchSize: 16, shuffle: true });
    const lstm = new nn.LSTM(4, 16, { batchFirst: true });
    const head = new nn.Linear(16, 3);
    const opt = new torch.optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-3 });
    let i = 0;
    while (i < steps) {
      for (const [x, y] of loader) {
        opt.zeroGrad();
        const [out] = lstm(x) as [torch.Tensor, unknown];
        F.crossEntropy(head(out.select(1, 7)), y).backward();
        opt.step();
        tick(i, steps);
        if (++i === steps) break;
      }
    }
  },
  /** An app serving predictions: each request awaits a macrotask; the GC runs between some. */
  async app(steps) {
    const model = smallCnn().eval();
    for (let i = 0; i < steps; i++) {
      await pause();
      const image = torch.rand([1, 1, 8, 8]);
      const probs = model(image).softmax(1);
      void probs.argmax(1).item();
      if (i % 100 === 0) gc?.();
      tick(i, steps);
    }
  },
};

const [name, stepsArg] = process.argv.slice(2);
const loop = loops[name];
if (loop === undefined) {
  console.error(`usage: memory-loops.ts <${Object.keys(loops).join("|")}> [steps]`);
  process.exit(2);
}
const steps = Number(stepsArg ?? 10_000);
const t0 = performance.now();
await loop(steps);
const stats = torch.memoryStats();
console.log(JSON.stringify({ loop: name, steps, seconds: (performance.now() - t0) / 1000, samples, evictions: stats.evictions, reloads: stats.reloads, freedByGC: stats.freedByGC }));
