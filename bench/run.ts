// npm run bench: taimatsu beside tfjs-wasm and tfjs-cpu in one run. Prints tables whose
// last columns are taimatsu's speed-up over each peer (> 1 means taimatsu is faster).
// Single thread everywhere but the native section (1 and all cores); run on an otherwise idle machine. taimatsu is measured through the
// built bundle (dist/, made by scripts/setup.sh or npm run build), as users run it.
// `npm run bench` runs each section in a fresh Node process (peers share it), so that no
// section inherits another's heap and JIT state: after the matmul section, for instance,
// both taimatsu's and tfjs's tiny-op times were 1.5–3× their values in a fresh process.
// `npm run bench -- matmul overhead` runs the named sections in this process.
import { spawnSync } from "node:child_process";
import * as torch from "../dist/taimatsu.js";
import { measure, printTable, Row } from "./harness.js";
import { tf, useBackend } from "./peers.js";
import { runDataBenches } from "./data.js";
import { nativeBench, nativeTables } from "./native.js";

const PEERS = ["taimatsu", "tfjs-wasm", "tfjs-cpu"] as const;
// the peers run on one thread (tfjs-wasm is set so in ./peers.js); the native section also uses all cores
const cores = torch.getNumThreads();
torch.setNumThreads(1);
type PeerName = (typeof PEERS)[number];
const only = process.argv.slice(2);
const want = (section: string): boolean => only.length === 0 || only.includes(section);

/** Times `make()`'s body per peer; tfjs bodies run inside tf.tidy so nothing leaks. */
async function row(bench: string, unit: string, higherIsBetter: boolean, convert: (sec: number) => number,
  bodies: Partial<Record<PeerName, () => unknown>>): Promise<Row> {
  const values: Record<string, number> = {};
  for (const peer of PEERS) {
    const body = bodies[peer];
    if (!body) continue;
    if (peer !== "taimatsu") await useBackend(peer === "tfjs-wasm" ? "wasm" : "cpu");
    const run = peer === "taimatsu"
      ? (n: number) => { for (let i = 0; i < n; i++) (body() as torch.Tensor).dispose(); }
      : (n: number) => { for (let i = 0; i < n; i++) tf.tidy(() => { body(); }); };
    values[peer] = convert(measure(run));
  }
  return { bench, unit, higherIsBetter, values };
}

const g = new torch.Generator(0);
const randT = (...shape: number[]) => torch.rand(shape, { generator: g }).keep();

async function matmulBench(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of [128, 256, 512, 1024]) {
    const gflops = (s: number) => (2 * n * n * n) / s / 1e9;
    const a = randT(n, n);
    const b = randT(n, n);
    const ta = tf.tensor2d(a.toTypedArray() as Float32Array, [n, n]);
    const tb = tf.tensor2d(b.toTypedArray() as Float32Array, [n, n]);
    const slowOk = n <= 512;
    for (const [label, ours, theirs] of [
      ["A·B", () => a.matmul(b), () => tf.matMul(ta, tb)],
      ["Aᵀ·B", () => a.t().matmul(b), () => tf.matMul(ta, tb, true, false)],
      ["A·Bᵀ", () => a.matmul(b.t()), () => tf.matMul(ta, tb, false, true)],
    ] as const) {
      rows.push(await row(`matmul ${n}³ ${label}`, "GFLOP/s", true, gflops, {
        taimatsu: ours, "tfjs-wasm": theirs, ...(slowOk && label === "A·B" ? { "tfjs-cpu": theirs } : {}),
      }));
    }
    tf.dispose([ta, tb]);
  }
  return rows;
}

async function elementwiseBench(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of [1 << 20, 1 << 22]) {
    const label = size === 1 << 20 ? "1M" : "4M";
    const x = randT(size);
    const y = randT(size);
    const tx = tf.tensor1d(x.toTypedArray() as Float32Array);
    const ty = tf.tensor1d(y.toTypedArray() as Float32Array);
    const gbps = (bytes: number) => (s: number) => bytes / s / 1e9;
    const ops: [string, () => torch.Tensor, () => unknown, number][] = [
      ["add", () => x.add(y), () => tf.add(tx, ty), 12],
      ["mul", () => x.mul(y), () => tf.mul(tx, ty), 12],
      ["relu", () => x.relu(), () => tf.relu(tx), 8],
      ["exp", () => x.exp(), () => tf.exp(tx), 8],
    ];
    for (const [name, ours, theirs, bytesPerElem] of ops) {
      rows.push(await row(`${name} ${label}`, "GB/s", true, gbps(size * bytesPerElem), { taimatsu: ours, "tfjs-wasm": theirs, "tfjs-cpu": theirs }));
    }
    if (label === "4M") rows.push(await row("sum 4M", "GB/s", true, gbps(size * 4), { taimatsu: () => x.sum(), "tfjs-wasm": () => tf.sum(tx), "tfjs-cpu": () => tf.sum(tx) }));
    tf.dispose([tx, ty]);
  }
  return rows;
}

async function overheadBench(): Promise<Row[]> {
  const x = randT(4);
  const tx = tf.tensor1d(x.toTypedArray() as Float32Array);
  const us = (s: number) => s * 1e6;
  const r = await row("tiny add (4 elements)", "µs/op", false, us, { taimatsu: () => x.add(x), "tfjs-wasm": () => tf.add(tx, tx), "tfjs-cpu": () => tf.add(tx, tx) });
  tx.dispose();
  return [r];
}

/** conv2d forward, NCHW for taimatsu and NHWC for tfjs (each library's native layout). */
async function convBench(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [n, c, hw, o, k, pad] of [[64, 1, 28, 6, 5, 0], [32, 16, 16, 32, 3, 1]] as const) {
    const x = randT(n, c, hw, hw);
    const w = randT(o, c, k, k);
    const tx = tf.tensor4d(x.permute(0, 2, 3, 1).contiguous().toTypedArray() as Float32Array, [n, hw, hw, c]);
    const tw = tf.tensor4d(w.permute(2, 3, 1, 0).contiguous().toTypedArray() as Float32Array, [k, k, c, o]);
    const out = hw + 2 * pad - k + 1;
    const gflops = (s: number) => (2 * n * o * out * out * c * k * k) / s / 1e9;
    rows.push(await row(`conv2d ${n}×${c}×${hw}² → ${o}, ${k}×${k}${pad ? ", pad 1" : ""}`, "GFLOP/s", true, gflops, {
      // inference, as tf.tidy on the tfjs side: noGrad frees what each call leaves behind
      taimatsu: () => torch.noGrad(() => torch.nn.functional.conv2d(x, w, null, { padding: pad })),
      "tfjs-wasm": () => tf.conv2d(tx as tf.Tensor4D, tw as tf.Tensor4D, 1, pad ? "same" : "valid"),
    }));
    tf.dispose([tx, tw]);
  }
  return rows;
}

/** Forward + backward of a 784-256-128-10 ReLU MLP, batch 64, softmax cross-entropy. */
async function mlpBench(): Promise<Row[]> {
  const sizes = [784, 256, 128, 10];
  const batch = 64;
  const ws = sizes.slice(1).map((o, i) => randT(o, sizes[i]).sub(0.5).mul(0.1).keep().requiresGrad_());
  const bs = sizes.slice(1).map((o) => torch.zeros([o]).requiresGrad_().keep());
  const x = randT(batch, 784);
  const labels = torch.randint(0, 10, [batch], { generator: g });
  const onehot = torch.zeros(batch, 10).scatterAdd(1, labels.unsqueeze(1), torch.ones(batch, 1)).keep();
  const ours = () => {
    let h = x;
    ws.forEach((w, i) => {
      h = h.matmul(w.t()).add(bs[i]);
      if (i < ws.length - 1) h = h.relu();
    });
    const loss = h.logSoftmax(1).mul(onehot).sum().div(-batch);
    loss.backward();
    for (const p of [...ws, ...bs]) p.grad = null;
    return loss;
  };
  const tws = ws.map((w) => tf.variable(tf.tensor2d(w.toTypedArray() as Float32Array, [w.shape[0], w.shape[1]])));
  const tbs = bs.map((b) => tf.variable(tf.zeros([b.shape[0]])));
  const tx = tf.tensor2d(x.toTypedArray() as Float32Array, [batch, 784]);
  const tOnehot = tf.tensor2d(onehot.toTypedArray() as Float32Array, [batch, 10]);
  const theirs = () => {
    const { grads } = tf.variableGrads(() => {
      let h: tf.Tensor = tx;
      tws.forEach((w, i) => {
        h = tf.add(tf.matMul(h, w, false, true), tbs[i]);
        if (i < tws.length - 1) h = tf.relu(h);
      });
      return tf.losses.softmaxCrossEntropy(tOnehot, h) as tf.Scalar;
    });
    tf.dispose(grads);
  };
  const ms = (s: number) => s * 1e3;
  return [await row("MLP 784-256-128-10 fwd+bwd, batch 64", "ms/iter", false, ms, { taimatsu: ours, "tfjs-wasm": theirs, "tfjs-cpu": theirs })];
}

/** A full training step (zeroGrad, forward, CrossEntropy, backward, optimizer step), 784-256-128-10, batch 64. */
async function trainStepBench(): Promise<Row[]> {
  const batch = 64;
  const x = randT(batch, 784);
  const labels = torch.randint(0, 10, [batch], { generator: g }).keep();
  const tx = tf.tensor2d(x.toTypedArray() as Float32Array, [batch, 784]);
  const tLabels = tf.oneHot(tf.tensor1d(Array.from(labels.toTypedArray() as BigInt64Array, Number), "int32"), 10);
  const rows: Row[] = [];
  for (const optName of ["SGD", "Adam"] as const) {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Linear(784, 256), new torch.nn.ReLU(), new torch.nn.Linear(256, 128), new torch.nn.ReLU(), new torch.nn.Linear(128, 10),
    );
    const lossFn = new torch.nn.CrossEntropyLoss();
    const opt = optName === "SGD" ? new torch.optim.SGD(model.parameters(), { lr: 0.01 }) : new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const ours = () => {
      opt.zeroGrad();
      const loss = lossFn(model(x), labels);
      loss.backward();
      opt.step();
      return loss;
    };
    const peers: Partial<Record<PeerName, () => unknown>> = { taimatsu: ours };
    for (const backend of ["tfjs-wasm", "tfjs-cpu"] as const) {
      await useBackend(backend === "tfjs-wasm" ? "wasm" : "cpu");
      const dense = [256, 128, 10].map((units, i) => tf.layers.dense({ units, activation: i < 2 ? "relu" : "linear", inputShape: i === 0 ? [784] : undefined }));
      const tmodel = tf.sequential({ layers: dense });
      const tOpt = optName === "SGD" ? tf.train.sgd(0.01) : tf.train.adam(1e-3);
      peers[backend] = () => tOpt.minimize(() => tf.losses.softmaxCrossEntropy(tLabels, tmodel.apply(tx) as tf.Tensor) as tf.Scalar);
    }
    const wrapped = Object.fromEntries(Object.entries(peers).map(([k, f]) => [k, f]));
    const ms = (s: number) => s * 1e3;
    rows.push(await row(`MLP train step, ${optName}`, "ms/step", false, ms, wrapped));
    const last = rows[rows.length - 1];
    rows.push({ bench: `MLP train step, ${optName}`, unit: "samples/s", higherIsBetter: true, values: Object.fromEntries(Object.entries(last.values).map(([k, v]) => [k, (batch * 1000) / v])) });
  }
  return rows;
}

const sections: [string, () => Promise<Row[]>][] = [
  ["matmul", matmulBench],
  ["elementwise", elementwiseBench],
  ["overhead", overheadBench],
  ["conv", convBench],
  ["mlp", mlpBench],
  ["train", trainStepBench],
];
const ALL_SECTIONS = [...sections.map(([name]) => name), "native", "dataloader", "digits"];

if (only.length === 0) {
  console.log(`taimatsu benchmarks — ${new Date().toISOString()}, Node ${process.version}, single thread, a process per section`);
  for (const name of ALL_SECTIONS) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], name], { stdio: "inherit" });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
} else {
  for (const [name, fn] of sections) {
    if (want(name)) printTable(name, await fn(), [...PEERS]);
  }
  if (want("native")) {
    const rows = await nativeBench(cores);
    for (const [title, peers] of nativeTables(cores)) printTable(title, rows, peers);
  }
  await runDataBenches(want);
}
