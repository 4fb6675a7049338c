// Lecture 2's digits classifier, trained the PyTorch way: sklearn's digits split 75/25,
// mini-batches from a DataLoader, Linear(64,32)-ReLU-Linear(32,16)-ReLU-Linear(16,10).
// The CLI (examples/digits.ts) and the accuracy test both run this function.
import * as torch from "taimatsu";
import { loadDigits } from "taimatsu/digits";

const { nn } = torch;
const { DataLoader, TensorDataset, trainTestSplit } = torch.utils.data;

export interface DigitsOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: "sgd" | "adam";
  seed: number;
}

export const defaults: DigitsOptions = { epochs: 40, batchSize: 32, lr: 0.01, optimizer: "adam", seed: 0 };

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
}

export interface BatchReport {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

export function lecture2Model(): torch.nn.Sequential {
  return new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 16), new nn.ReLU(), new nn.Linear(16, 10));
}

export function trainDigits(
  options: Partial<DigitsOptions> = {},
  hooks: { onBatch?: (r: BatchReport) => void; onEpoch?: (r: EpochReport) => void } = {},
): { model: torch.nn.Sequential; history: EpochReport[] } {
  const o = { ...defaults, ...options };
  torch.manualSeed(o.seed);
  const digits = loadDigits();
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(digits.data.div(16), digits.target, { testSize: 0.25, randomState: o.seed });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: o.batchSize, shuffle: true, generator: new torch.Generator(o.seed) });
  const model = lecture2Model();
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = o.optimizer === "adam" ? new torch.optim.Adam(model.parameters(), { lr: o.lr }) : new torch.optim.SGD(model.parameters(), { lr: o.lr, momentum: 0.9 });
  const history: EpochReport[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    model.train();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let batch = 0;
    for (const [x, y] of loader) {
      optimizer.zeroGrad();
      const logits = model(x);
      const loss = lossFn(logits, y);
      loss.backward();
      optimizer.step();
      const n = y.shape[0];
      lossSum += loss.item() * n;
      correct += logits.argmax(1).eq(y).sum().item();
      seen += n;
      hooks.onBatch?.({ epoch, batch: ++batch, batches: loader.length, loss: lossSum / seen, accuracy: correct / seen });
    }
    model.eval();
    const [testLoss, testAccuracy] = torch.noGrad(() => {
      const logits = model(xTest);
      return [lossFn(logits, yTest).item(), logits.argmax(1).eq(yTest).float().mean().item()];
    });
    const report = { epoch, trainLoss: lossSum / seen, trainAccuracy: correct / seen, testLoss, testAccuracy };
    history.push(report);
    hooks.onEpoch?.(report);
  }
  return { model, history };
}
