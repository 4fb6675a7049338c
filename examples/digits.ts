// The main job: train lecture 2's MLP on the bundled sklearn digits with a DataLoader,
// show progress, report per-epoch train/test loss and the final test accuracy, and write
// the loss curves (SVG) and the trained weights (safetensors, loadable from Python).
//
//   npm run demo -- --epochs 40 --batch-size 32 --lr 0.01 --optimizer adam --seed 0 --out out/digits
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as torch from "taimatsu";
import { defaults, trainDigits } from "./digits/train.js";
import { ProgressBar } from "./digits/progress.js";
import { lossCurveSvg } from "./digits/plot.js";

const { values: args } = parseArgs({
  options: {
    epochs: { type: "string", default: String(defaults.epochs) },
    "batch-size": { type: "string", default: String(defaults.batchSize) },
    lr: { type: "string", default: String(defaults.lr) },
    optimizer: { type: "string", default: defaults.optimizer },
    seed: { type: "string", default: String(defaults.seed) },
    out: { type: "string", default: "out/digits" },
  },
});
const optimizer = args.optimizer === "sgd" || args.optimizer === "adam" ? args.optimizer : (() => { throw new Error(`--optimizer must be sgd or adam, got ${args.optimizer}`); })();
const options = {
  epochs: Number(args.epochs),
  batchSize: Number(args["batch-size"]),
  lr: Number(args.lr),
  optimizer,
  seed: Number(args.seed),
} as const;

console.log(`taimatsu digits demo: Linear(64,32)-ReLU-Linear(32,16)-ReLU-Linear(16,10), ${JSON.stringify(options)}`);
const started = performance.now();
let bar: ProgressBar | null = null;
const { model, history } = trainDigits(options, {
  onBatch: (r) => {
    if (r.batch === 1) bar = new ProgressBar({ total: r.batches, label: `epoch ${String(r.epoch).padStart(3)}/${options.epochs}` });
    bar!.update(r.batch, { loss: r.loss.toFixed(4), acc: r.accuracy.toFixed(3) });
  },
  onEpoch: (r) =>
    console.log(
      `epoch ${String(r.epoch).padStart(3)}: train loss ${r.trainLoss.toFixed(4)} acc ${r.trainAccuracy.toFixed(4)} | ` +
        `test loss ${r.testLoss.toFixed(4)} acc ${r.testAccuracy.toFixed(4)}`,
    ),
});
const seconds = (performance.now() - started) / 1000;
const final = history[history.length - 1];

mkdirSync(args.out!, { recursive: true });
const svg = lossCurveSvg(
  [
    { name: "train loss", color: "#1f77b4", values: history.map((h) => h.trainLoss) },
    { name: "test loss", color: "#d62728", values: history.map((h) => h.testLoss) },
  ],
  `digits MLP — test accuracy ${(100 * final.testAccuracy).toFixed(2)}%`,
);
writeFileSync(join(args.out!, "loss.svg"), svg);
writeFileSync(join(args.out!, "model.safetensors"), torch.io.saveSafetensors(model.stateDict(), { model: "Linear(64,32)-ReLU-Linear(32,16)-ReLU-Linear(16,10)" }));
console.log(`\nfinal test accuracy: ${(100 * final.testAccuracy).toFixed(2)}% (${history.length} epochs in ${seconds.toFixed(1)} s)`);
console.log(`wrote ${join(args.out!, "loss.svg")} and ${join(args.out!, "model.safetensors")}`);
