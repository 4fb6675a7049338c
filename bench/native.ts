// `npm run bench -- native`: taimatsu beside native PyTorch (Debian's python3-torch) on the
// course's training workloads, each defined identically in bench/native_pytorch.py, on one
// thread and on all of the machine's cores (torch.setNumThreads / torch.set_num_threads).
// The PyTorch columns are skipped with a note when /usr/bin/python3 has no torch. jax-js
// (./jax-peer.ts) runs the workloads it expresses directly, with its own thread count.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as torch from "../dist/taimatsu.js";
import { measure, Row } from "./harness.js";
import { jaxTimes } from "./jax-peer.js";

const { nn, optim } = torch;
const F = nn.functional;
const PYTHON = "/usr/bin/python3";

type Workload = () => (n: number) => void;

function trainStep(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, opt: { zeroGrad(): void; step(): unknown }): (n: number) => void {
  return (n) => {
    for (let i = 0; i < n; i++) {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
  };
}

/** The CNN of PyTorch's CIFAR-10 tutorial (the course's lecture 4). */
class CifarNet extends nn.Module {
  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);
  forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = torch.flatten(x, 1);
    return this.fc3.forward(F.relu(this.fc2.forward(F.relu(this.fc1.forward(x)))));
  }
}

function fwdBwd(f: (x: torch.Tensor) => torch.Tensor, ...shape: number[]): (n: number) => void {
  const x = torch.rand(shape).requiresGrad_();
  return (n) => {
    for (let i = 0; i < n; i++) {
      f(x).sum().backward();
      x.grad = null;
    }
  };
}

const lstm = (input: number, hidden: number, steps: number, batch: number): Workload => () => {
  const model = new nn.LSTM(input, hidden);
  const head = new nn.Linear(hidden, 1);
  const x = torch.rand([steps, batch, input]);
  const y = torch.rand([batch, 1]);
  const opt = new optim.SGD([...model.parameters(), ...head.parameters()], { lr: 0.01 });
  return (n) => {
    for (let i = 0; i < n; i++) {
      opt.zeroGrad();
      const [out] = model.forward(x);
      F.mseLoss(head.forward(out.select(0, -1)), y).backward();
      opt.step();
    }
  };
};

const matmul = (n: number): Workload => () => {
  const [a, b] = [torch.rand([n, n]), torch.rand([n, n])];
  return (reps) => {
    for (let i = 0; i < reps; i++) a.matmul(b).dispose();
  };
};

const WORKLOADS: [name: string, label: string, make: Workload][] = [
  ["matmul512", "matmul 512³", matmul(512)],
  ["matmul1024", "matmul 1024³", matmul(1024)],
  ["mlp", "MLP 784-256-128-10 train step (SGD), batch 64", () => {
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10));
    return trainStep(model, torch.rand([64, 784]), torch.randint(0, 10, [64]), new optim.SGD(model.parameters(), { lr: 0.01 }));
  }],
  ["cnn", "CIFAR CNN (tutorial) train step (SGD+momentum), batch 64", () => {
    const model = new CifarNet();
    return trainStep(model, torch.rand([64, 3, 32, 32]), torch.randint(0, 10, [64]), new optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 }));
  }],
  ["maxpool", "max_pool2d 2×2 fwd+bwd, 64×16×32²", () => fwdBwd((x) => F.maxPool2d(x, 2), 64, 16, 32, 32)],
  ["conv", "conv2d 6→16 5×5 fwd+bwd (input and weight), 64×6×14²", () => {
    const w = torch.rand([16, 6, 5, 5]).requiresGrad_();
    return fwdBwd((x) => F.conv2d(x, w), 64, 6, 14, 14);
  }],
  ["lstm-small", "LSTM(1→64) train step, 40 steps, batch 32", lstm(1, 64, 40, 32)],
  ["lstm-large", "LSTM(28→256) train step, 14 steps, batch 128", lstm(28, 256, 14, 128)],
];

function pytorchTimes(names: string[], threads: number): Record<string, number> | string {
  const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ["-c", "import torch"]) : null;
  if (!probe || probe.status !== 0) return `${PYTHON} has no torch (apt-get install python3-torch); PyTorch columns skipped`;
  const run = spawnSync(PYTHON, [new URL("./native_pytorch.py", import.meta.url).pathname, "--threads", String(threads), ...names], { encoding: "utf8" });
  if (run.status !== 0) return `native_pytorch.py failed: ${run.stderr.trim().split("\n").pop()}`;
  return JSON.parse(run.stdout);
}

/** The columns: taimatsu and PyTorch on one thread and on `cores` threads. */
const nativePeers = (cores: number): string[] => ["taimatsu-1T", "pytorch-1T", `taimatsu-${cores}T`, `pytorch-${cores}T`, "jax-js"];

/** The two tables: one thread against PyTorch's one; all cores against PyTorch's one (the bar) and all. */
export function nativeTables(cores: number): [title: string, peers: string[]][] {
  const [t1, p1, tn, pn, jax] = nativePeers(cores);
  return [
    ["native, one thread: beside PyTorch 1.13 (× > 1: taimatsu faster)", [t1, p1]],
    [`native, ${cores} threads: beside PyTorch 1.13 on one and on ${cores} threads, and jax-js`, [tn, p1, pn, jax, t1]],
  ];
}

export async function nativeBench(cores: number): Promise<Row[]> {
  const ms = (s: number) => s * 1e3;
  const ours = async (threads: number) => {
    torch.setNumThreads(threads);
    await torch.testing.threadsReady();
    torch.manualSeed(0);
    return Object.fromEntries(WORKLOADS.map(([name, , make]) => [name, measure(make())]));
  };
  const [one, all] = [await ours(1), await ours(cores)];
  const names = WORKLOADS.map(([name]) => name);
  const [theirsOne, theirsAll] = [pytorchTimes(names, 1), pytorchTimes(names, cores)];
  if (typeof theirsOne === "string") console.log(`\nnative: ${theirsOne}`);
  const jax = await jaxTimes();
  if (typeof jax === "string") console.log(`\nnative: ${jax}`);
  const peers = nativePeers(cores);
  return WORKLOADS.map(([name, label]) => ({
    bench: label,
    unit: "ms/iter",
    higherIsBetter: false,
    values: Object.fromEntries(
      ([[peers[0], one], [peers[1], theirsOne], [peers[2], all], [peers[3], theirsAll], [peers[4], jax]] as const)
        .filter(([, v]) => typeof v !== "string" && (v as Record<string, number>)[name] !== undefined)
        .map(([k, v]) => [k, ms((v as Record<string, number>)[name])]),
    ),
  }));
}
