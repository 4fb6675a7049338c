// Issue 5's benchmarks: DataLoader throughput (TensorDataset, batch 64, shuffle, numWorkers
// 0 and 2), and one epoch of the digits demo beside the same model in tfjs-layers
// (model.fit on tfjs-wasm and tfjs-cpu) and js-pytorch, all in this run.
import * as torch from "../dist/taimatsu.js";
import { loadDigits } from "../dist/digits.js";
import { torch as jsTorch } from "js-pytorch";
import { measureAsync, printTable, Row } from "./harness.js";
import { tf, useBackend } from "./peers.js";

type T = InstanceType<typeof torch.Tensor>;

export async function dataLoaderBench(): Promise<Row[]> {
  const n = 20000;
  const ds = new torch.utils.data.TensorDataset(torch.randn(n, 784), torch.randint(0, 10, [n]));
  const rows: Row[] = [];
  for (const workers of [0, 2]) {
    const loader = new torch.utils.data.DataLoader(ds, { batchSize: 64, shuffle: true, numWorkers: workers, persistentWorkers: workers > 0 });
    const sec = await measureAsync(async () => {
      for await (const [x] of loader as AsyncIterable<T[]>) x.numel();
    });
    rows.push({ bench: `DataLoader TensorDataset(20000×784), batch 64, shuffle, numWorkers ${workers}${workers ? " (persistent)" : ""}`, unit: "samples/s", higherIsBetter: true, values: { taimatsu: n / sec } });
  }
  return rows;
}

/**
 * Epochs run before timing, for every peer: steady state, not V8's warm-up. In a fresh
 * process taimatsu's epochs take ~15 epochs (0.3 s) to fall from 50 ms to 5 ms while V8
 * optimizes the library's JavaScript (measured; the wasm kernels are not the cause).
 */
const WARMUP_EPOCHS = 20;

export async function digitsEpochBench(): Promise<Row[]> {
  const digits = loadDigits();
  const [xTrain, , yTrain] = torch.utils.data.trainTestSplit(digits.data.div(16), digits.target, { randomState: 0 });
  const xs = xTrain.keep();
  const ys = yTrain.keep();
  const batch = 32;
  const values: Record<string, number> = {};

  torch.manualSeed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(64, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 10));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  const lossFn = new torch.nn.CrossEntropyLoss();
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(xs, ys), { batchSize: batch, shuffle: true });
  values.taimatsu = await measureAsync(async () => {
    for (const [x, y] of loader as Iterable<T[]>) {
      opt.zeroGrad();
      lossFn(model(x), y).backward();
      opt.step();
    }
  }, 5, WARMUP_EPOCHS);

  const xArr = Array.from(xs.toTypedArray() as Float32Array);
  const yArr = Array.from(ys.toTypedArray() as BigInt64Array, Number);
  for (const backend of ["wasm", "cpu"] as const) {
    await useBackend(backend);
    const tm = tf.sequential({
      layers: [
        tf.layers.dense({ units: 32, activation: "relu", inputShape: [64] }),
        tf.layers.dense({ units: 16, activation: "relu" }),
        tf.layers.dense({ units: 10, activation: "softmax" }),
      ],
    });
    tm.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy" });
    const tx = tf.tensor2d(xArr, [xs.shape[0], 64]);
    const ty = tf.tensor1d(yArr, "float32");
    values[`tfjs-${backend}`] = await measureAsync(async () => {
      await tm.fit(tx, ty, { epochs: 1, batchSize: batch, shuffle: true, verbose: 0 });
    }, 5, WARMUP_EPOCHS);
    tf.dispose([tx, ty]);
  }

  const jm = new (class extends jsTorch.nn.Module {
    l1 = new jsTorch.nn.Linear(64, 32);
    r1 = new jsTorch.nn.ReLU();
    l2 = new jsTorch.nn.Linear(32, 16);
    r2 = new jsTorch.nn.ReLU();
    l3 = new jsTorch.nn.Linear(16, 10);
    forward(x: Parameters<typeof this.l1.forward>[0]) {
      return this.l3.forward(this.r2.forward(this.l2.forward(this.r1.forward(this.l1.forward(x)))));
    }
  })();
  const jLoss = new jsTorch.nn.CrossEntropyLoss();
  const jOpt = new jsTorch.optim.Adam(jm.parameters(), 0.01, 0);
  const rowsX: number[][] = [];
  for (let i = 0; i < xs.shape[0]; i++) rowsX.push(xArr.slice(i * 64, (i + 1) * 64));
  values["js-pytorch"] = await measureAsync(async () => {
    for (let b = 0; b < rowsX.length; b += batch) {
      const x = jsTorch.tensor(rowsX.slice(b, b + batch));
      const y = jsTorch.tensor(yArr.slice(b, b + batch));
      const loss = jLoss.forward(jm.forward(x), y);
      loss.backward();
      jOpt.step();
      jOpt.zero_grad();
    }
  }, 2, 1);
  const ms = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v * 1000]));
  return [{ bench: "digits demo epoch (1347 samples, batch 32, Adam)", unit: "ms/epoch", higherIsBetter: false, values: ms }];
}

export async function runDataBenches(want: (s: string) => boolean): Promise<void> {
  if (want("dataloader")) printTable("dataloader", await dataLoaderBench(), ["taimatsu"]);
  if (want("digits")) printTable("digits", await digitsEpochBench(), ["taimatsu", "tfjs-wasm", "tfjs-cpu", "js-pytorch"]);
}
