// npm run demo:cnn — the digits CNN (examples/cnn/train.ts) on augmented batches from two
// DataLoader workers: prints each epoch, then writes to out/cnn the loss curves (loss.svg),
// a picture of predictions on held-out digits (predictions.svg, with the images as
// samples.png) and the weights (model.safetensors).
//
//   npm run demo:cnn -- --epochs 10 --workers 2 --out out/cnn
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as torch from "taimatsu";
import { digitsCnn, MEAN, STD, trainDigitsCnn } from "./cnn/train.js";
import { predictionsPicture } from "./cnn/picture.js";
import { lossCurveSvg } from "./digits/plot.js";

const { values: args } = parseArgs({
  options: { epochs: { type: "string", default: "10" }, workers: { type: "string", default: "2" }, out: { type: "string", default: "out/cnn" } },
});

console.log(digitsCnn().toString(), `\n${torch.nn.utils.countParameters(digitsCnn())} parameters; augmentation in ${args.workers} DataLoader workers`);
const t0 = performance.now();
const { model, history, test } = await trainDigitsCnn(Number(args.epochs), 0, Number(args.workers), (e) =>
  console.log(`epoch ${String(e.epoch).padStart(2)}: train loss ${e.trainLoss.toFixed(4)} | test loss ${e.testLoss.toFixed(4)} acc ${e.testAccuracy.toFixed(4)}`),
);
const final = history[history.length - 1]!;
console.log(`\nfinal test accuracy: ${(final.testAccuracy * 100).toFixed(2)}% (${history.length} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

const out = args.out!;
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "loss.svg"),
  lossCurveSvg(
    [
      { name: "train loss", color: "#1f77b4", values: history.map((h) => h.trainLoss) },
      { name: "test loss", color: "#d62728", values: history.map((h) => h.testLoss) },
    ],
    `digits CNN — test accuracy ${(100 * final.testAccuracy).toFixed(2)}%`,
  ),
);
model.eval();
const samples = test.images.narrow(0, 0, 32);
const predicted = torch.noGrad(() => model(samples.float().div(255).sub(MEAN).div(STD)).argmax(1)).tolist() as number[];
const actual = test.labels.narrow(0, 0, 32).tolist() as number[];
const picture = await predictionsPicture(samples, predicted.map((p, k) => ({ predicted: p, actual: actual[k]! })));
writeFileSync(join(out, "samples.png"), picture.png);
writeFileSync(join(out, "predictions.svg"), picture.svg);
writeFileSync(join(out, "model.safetensors"), torch.io.saveSafetensors(model.stateDict()));
console.log(`wrote ${out}/loss.svg, ${out}/predictions.svg, ${out}/samples.png and ${out}/model.safetensors`);
