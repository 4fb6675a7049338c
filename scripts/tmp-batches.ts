import * as torch from "taimatsu";
import { loadDigits } from "taimatsu/digits";
import { augmentation } from "../examples/cnn/train.js";
import { writeFileSync } from "node:fs";
torch.manualSeed(0);
const digits = loadDigits();
const bytes = digits.data.mul(255).div(16).round().to("uint8").reshape([-1, 1, 8, 8]);
const [xTrain, , yTrain] = torch.utils.data.trainTestSplit(bytes, digits.target, { testSize: 0.25, randomState: 0 });
const ds = new torch.utils.data.datasets.ImageDataset("digits", xTrain.toTypedArray() as Uint8Array, yTrain.to("uint8").toTypedArray() as Uint8Array, [1, 8, 8], augmentation);
const loader = new torch.utils.data.DataLoader(ds, { batchSize: 32, shuffle: true, generator: new torch.Generator(0), numWorkers: 2 });
const out: number[][][] = [];
for (let e = 0; e < 10; e++) {
  const ep: number[][] = [];
  for await (const [x, y] of loader) ep.push([Math.round((x as torch.Tensor).double().sum().item() * 1000) / 1000, (y as torch.Tensor).sum().item()]);
  out.push(ep);
}
writeFileSync("/tmp/ts_batches.json", JSON.stringify(out));
