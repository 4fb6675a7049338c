// npm run demo:cnn — the digits CNN (examples/cnn/train.ts), printing each epoch.
import { digitsCnn, trainDigitsCnn } from "./cnn/train.js";
import * as torch from "taimatsu";

console.log(digitsCnn().toString(), `\n${torch.nn.utils.countParameters(digitsCnn())} parameters`);
const t0 = performance.now();
const { history } = trainDigitsCnn(10, 0, (e) =>
  console.log(`epoch ${String(e.epoch).padStart(2)}: train loss ${e.trainLoss.toFixed(4)} | test loss ${e.testLoss.toFixed(4)} acc ${e.testAccuracy.toFixed(4)}`),
);
const final = history[history.length - 1];
console.log(`\nfinal test accuracy: ${(final.testAccuracy * 100).toFixed(2)}% (${history.length} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
