// Lecture 4's CNN on the bundled sklearn digits (8×8 images): two Conv2d-BatchNorm2d-ReLU-
// MaxPool2d blocks and a Linear head, trained with Adam on augmented mini-batches that two
// persistent DataLoader workers load: torchvision's RandomAffine and RandomHorizontalFlip, then
// Normalize.
// The same script in PyTorch (scripts/digits_cnn_pytorch.py: torchvision transforms,
// num_workers=2) starts from the same weights, sees the same batches with the same random
// augmentations, and retraces it; test/conv.test.ts holds this function to that run.
import * as torch from "taimatsu";
import { loadDigits } from "taimatsu/digits";
import { EpochReport, fitClassifier } from "../fit.js";

const { nn } = torch;
const { DataLoader, trainTestSplit } = torch.utils.data;
const T = torch.vision.transforms;

/** The training images' mean and standard deviation (as bytes / 255): Normalize's constants. */
export const MEAN = 0.3058;
export const STD = 0.3764;

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

/** Small turns and shifts and mirror images, run in the workers for every sample of every epoch. */
export const augmentation = new T.Compose([new T.RandomAffine(10, { translate: [0.1, 0.1] }), new T.RandomHorizontalFlip(), new T.Normalize([MEAN], [STD])]);

export interface CnnRun {
  model: torch.nn.Sequential;
  history: EpochReport[];
  /** The held-out images as bytes (N, 1, 8, 8) and their labels. */
  test: { images: torch.Tensor; labels: torch.Tensor };
}

/** The training set: the images as bytes with the augmentation, as an image data set serves them. */
function trainingSet(xTrain: torch.Tensor, yTrain: torch.Tensor): torch.utils.data.datasets.ImageDataset {
  return new torch.utils.data.datasets.ImageDataset("digits", xTrain.toTypedArray() as Uint8Array, yTrain.to("uint8").toTypedArray() as Uint8Array, [1, 8, 8], augmentation);
}

/** The split of the bundled digits, as bytes (0–16 scaled to 0–255, as image files hold them). */
export function digitsSplit(seed: number): torch.Tensor[] {
  const digits = loadDigits();
  const bytes = digits.data.mul(255).div(16).round().to("uint8").reshape([-1, 1, 8, 8]);
  return trainTestSplit(bytes, digits.target, { testSize: 0.25, randomState: seed });
}

/** The loader of the augmented training batches: shuffled by `seed`'s generator, in persistent workers. */
export function trainLoader(xTrain: torch.Tensor, yTrain: torch.Tensor, seed: number, numWorkers: number): torch.utils.data.DataLoader<[torch.Tensor, number]> {
  return new DataLoader(trainingSet(xTrain, yTrain), { batchSize: 32, shuffle: true, generator: new torch.Generator(seed), numWorkers, persistentWorkers: numWorkers > 0 });
}

export async function trainDigitsCnn(epochs = 10, seed = 0, numWorkers = 2, onEpoch?: (e: EpochReport) => void): Promise<CnnRun> {
  torch.manualSeed(seed);
  const [xTrain, xTest, yTrain, yTest] = digitsSplit(seed) as [torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor];
  const loader = trainLoader(xTrain, yTrain, seed, numWorkers);
  const model = digitsCnn();
  const normalized = xTest.float().div(255).sub(MEAN).div(STD);
  const history = await fitClassifier(model, loader, [normalized, yTest], { epochs, lr: 0.005 }, onEpoch);
  await loader.shutdownWorkers();
  return { model, history, test: { images: xTest, labels: yTest } };
}
