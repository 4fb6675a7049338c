// Lecture 4's CNN on the bundled sklearn digits (8×8 images): two Conv2d-BatchNorm2d-ReLU-
// MaxPool2d blocks and a Linear head, trained with Adam on DataLoader mini-batches. The same
// script in PyTorch (scripts/digits_cnn_pytorch.py) starts from the same weights, sees the same
// batches and retraces it; test/conv.test.ts holds this function to that run.
import * as torch from "taimatsu";
import { loadDigits } from "taimatsu/digits";
import { EpochReport, fitClassifier } from "../fit.js";

const { nn } = torch;
const { DataLoader, TensorDataset, trainTestSplit } = torch.utils.data;

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

export function trainDigitsCnn(epochs = 10, seed = 0, onEpoch?: (e: EpochReport) => void): { model: torch.nn.Sequential; history: EpochReport[] } {
  torch.manualSeed(seed);
  const digits = loadDigits();
  const images = digits.data.div(16).reshape([-1, 1, 8, 8]);
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(images, digits.target, { testSize: 0.25, randomState: seed });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 32, shuffle: true, generator: new torch.Generator(seed) });
  const model = digitsCnn();
  const history = fitClassifier(model, loader as Iterable<torch.Tensor[]>, [xTest, yTest], { epochs, lr: 0.005 }, onEpoch);
  return { model, history };
}
