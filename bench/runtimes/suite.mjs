// The cross-runtime benchmark: one file that Node, Bun, Deno and a browser page all import
// (plain ESM, no Node APIs), run against the built bundle they are handed. Each benchmark runs
// on one thread and on all of the runtime's cores. scripts/bench-runtimes.mjs drives it.
import { measure } from "../measure.mjs";

/** [name, unit, higher is better, make(torch, digitsEntry) → run(n), convert(seconds per iteration)] */
const BENCHMARKS = [
  ["matmul 512³", "GFLOP/s", true, (torch) => {
    const [a, b] = [torch.rand([512, 512]), torch.rand([512, 512])];
    return (n) => { for (let i = 0; i < n; i++) a.matmul(b).dispose(); };
  }, (s) => (2 * 512 ** 3) / s / 1e9],
  ["add 1M", "GB/s", true, (torch) => {
    const [a, b] = [torch.rand([1 << 20]), torch.rand([1 << 20])];
    return (n) => { for (let i = 0; i < n; i++) a.add(b).dispose(); };
  }, (s) => (12 * (1 << 20)) / s / 1e9],
  ["MLP 784-256-128-10 SGD step, batch 64", "ms", false, (torch) => {
    const { nn, optim } = torch;
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    return trainSteps(torch, model, opt, torch.rand([64, 784]), torch.randint(0, 10, [64]));
  }, (s) => s * 1e3],
  ["CIFAR CNN step, batch 64", "ms", false, (torch) => {
    const { nn, optim } = torch;
    const model = new nn.Sequential(
      new nn.Conv2d(3, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2, 2), new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2, 2),
      new nn.Flatten(), new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
    );
    const opt = new optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 });
    return trainSteps(torch, model, opt, torch.rand([64, 3, 32, 32]), torch.randint(0, 10, [64]));
  }, (s) => s * 1e3],
  ["LSTM(28→128) step, 28 steps, batch 64", "ms", false, (torch) => {
    const { nn, optim } = torch;
    const lstm = new nn.LSTM(28, 128);
    const head = new nn.Linear(128, 10);
    const opt = new optim.SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
    const [x, y] = [torch.rand([28, 64, 28]), torch.randint(0, 10, [64])];
    return (n) => {
      for (let i = 0; i < n; i++) {
        opt.zeroGrad();
        const [out] = lstm.forward(x);
        nn.functional.crossEntropy(head.forward(out.select(0, -1)), y).backward();
        opt.step();
      }
    };
  }, (s) => s * 1e3],
  ["digits demo epoch (MLP, Adam, batch 32)", "ms", false, (torch, { loadDigits }) => {
    const digits = loadDigits();
    const [xTrain, , yTrain] = torch.utils.data.trainTestSplit(digits.data.div(16), digits.target, { randomState: 0 });
    const { nn, optim } = torch;
    const model = new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 16), new nn.ReLU(), new nn.Linear(16, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(xTrain, yTrain), { batchSize: 32, shuffle: true });
    const epoch = () => {
      for (const [x, y] of loader) {
        opt.zeroGrad();
        nn.functional.crossEntropy(model.forward(x), y).backward();
        opt.step();
      }
    };
    // V8 and JavaScriptCore need a few epochs to optimize the library's JavaScript
    for (let e = 0; e < 20; e++) epoch();
    return (n) => { for (let i = 0; i < n; i++) epoch(); };
  }, (s) => s * 1e3],
];

function trainSteps(torch, model, opt, x, y) {
  return (n) => {
    for (let i = 0; i < n; i++) {
      opt.zeroGrad();
      torch.nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
  };
}

/** Runs every benchmark on 1 thread and on all cores: { cores, rows: [{ bench, unit, higherIsBetter, values: { "1T", "<cores>T" } }] }. */
export async function runSuite(bundleUrl) {
  const torch = await import(bundleUrl);
  // the bundled digits are the package's second entry, beside the first
  const digits = await import(new URL("digits.js", bundleUrl).href);
  const cores = torch.getNumThreads();
  const rows = BENCHMARKS.map(([bench, unit, higherIsBetter]) => ({ bench, unit, higherIsBetter, values: {} }));
  for (const threads of cores > 1 ? [1, cores] : [1]) {
    torch.setNumThreads(threads);
    await torch.testing.threadsReady();
    BENCHMARKS.forEach(([, , , make, convert], k) => {
      torch.manualSeed(0);
      rows[k].values[`${threads}T`] = convert(measure(make(torch, digits), 0.2, 3));
    });
  }
  return { cores, rows };
}
