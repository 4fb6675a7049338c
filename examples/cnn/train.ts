// Lecture 4's CNN on the bundled sklearn digits (8×8 images): two Conv2d-BatchNorm2d-ReLU-
// MaxPool2d blocks and a Linear head, trained with Adam on DataLoader mini-batches. The same
// script in PyTorch (scripts/digits_cnn_pytorch.py) starts from the same weights, sees the same
// batches and retraces it; test/conv.test.ts holds this function to that run.
import * as torch from "../../ts/index.js";

const { nn } = torch;
const { DataLoader, TensorDataset, trainTestSplit, datasets } = torch.utils.data;

export interface CnnEpoch {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
}

/**
 * The convolutions before BatchNorm carry no bias: BatchNorm subtracts the mean, so such a
 * bias only receives round-off gradients, which Adam would blow up into ±lr steps.
 */
export function digitsCnn(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(32), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 2 * 2, 10),
  );
}

export function trainDigitsCnn(epochs = 10, seed = 0, onEpoch?: (e: CnnEpoch) => void): { model: torch.nn.Sequential; history: CnnEpoch[] } {
  torch.manualSeed(seed);
  const digits = datasets.loadDigits();
  const images = digits.data.div(16).reshape([-1, 1, 8, 8]);
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(images, digits.target, { testSize: 0.25, randomState: seed });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 32, shuffle: true, generator: new torch.Generator(seed) });
  const model = digitsCnn();
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.005 });
  const history: CnnEpoch[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    let lossSum = 0;
    let seen = 0;
    for (const [x, y] of loader) {
      optimizer.zeroGrad();
      const loss = lossFn(model(x), y);
      loss.backward();
      optimizer.step();
      lossSum += loss.item() * y.shape[0];
      seen += y.shape[0];
    }
    model.eval();
    const [testLoss, testAccuracy] = torch.noGrad(() => {
      const logits = model(xTest);
      return [lossFn(logits, yTest).item(), logits.argmax(1).eq(yTest).float().mean().item()];
    });
    const report = { epoch, trainLoss: lossSum / seen, testLoss, testAccuracy };
    history.push(report);
    onEpoch?.(report);
  }
  return { model, history };
}
