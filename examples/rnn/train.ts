// Lecture 5's RNN on the bundled sklearn digits: each 8×8 image read row by row as a sequence
// of 8 steps of 8 pixels by an LSTM, whose last hidden state a Linear layer classifies. The
// same script in PyTorch (scripts/digits_rnn_pytorch.py) starts from the same weights, sees
// the same batches and retraces it; test/rnn.test.ts holds this function to that run.
import * as torch from "taimatsu";
import { loadDigits } from "taimatsu/digits";
import { EpochReport, fitClassifier } from "../fit.js";

const { nn } = torch;
const { DataLoader, TensorDataset, trainTestSplit } = torch.utils.data;

/** An LSTM over the rows and a classifier on its last hidden state. */
export class RowLSTM extends nn.Module {
  lstm = new nn.LSTM(8, 32, { batchFirst: true });
  head = new nn.Linear(32, 10);
  forward(images: torch.Tensor): torch.Tensor {
    const [, [h]] = this.lstm(images.reshape([-1, 8, 8]));
    return this.head(h.select(0, 0));
  }
}

export async function trainDigitsRnn(epochs = 15, seed = 0, onEpoch?: (e: EpochReport) => void): Promise<{ model: RowLSTM; history: EpochReport[] }> {
  torch.manualSeed(seed);
  const digits = loadDigits();
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(digits.data.div(16), digits.target, { testSize: 0.25, randomState: seed });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 32, shuffle: true, generator: new torch.Generator(seed) });
  const model = new RowLSTM();
  const history = await fitClassifier(model, loader, [xTest, yTest], { epochs, lr: 0.01 }, onEpoch);
  return { model, history };
}
