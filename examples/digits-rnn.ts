// npm run demo:rnn — the digits read row by row by an LSTM (examples/rnn/train.ts).
import { RowLSTM, trainDigitsRnn } from "./rnn/train.js";
import * as torch from "taimatsu";

console.log(new RowLSTM().toString(), `\n${torch.nn.utils.countParameters(new RowLSTM())} parameters`);
const t0 = performance.now();
const { history } = await trainDigitsRnn(15, 0, (e) =>
  console.log(`epoch ${String(e.epoch).padStart(2)}: train loss ${e.trainLoss.toFixed(4)} | test loss ${e.testLoss.toFixed(4)} acc ${e.testAccuracy.toFixed(4)}`),
);
const final = history[history.length - 1];
console.log(`\nfinal test accuracy: ${(final.testAccuracy * 100).toFixed(2)}% (${history.length} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
