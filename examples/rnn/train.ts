// Lecture 5's RNN on the bundled sklearn digits: each 8×8 image read row by row as a sequence
// of 8 steps of 8 pixels by an LSTM, whose last hidden state a Linear layer classifies. The
// same script in PyTorch (scripts/digits_rnn_pytorch.py) starts from the same weights, sees
// the same batches and retraces it; test/rnn.test.ts holds this function to that run.
import * as torch from "../../ts/index.js";

const { nn } = torch;
const { DataLoader, TensorDataset, trainTestSplit, datasets } = torch.utils.data;

export interface RnnEpoch {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
}

/** An LSTM over the rows and a classifier on its last hidden state. */
export class RowLSTM extends nn.Module {
  lstm = new nn.LSTM(8, 32, { batchFirst: true });
  head = new nn.Linear(32, 10);
  forward(images: torch.Tensor): torch.Tensor {
    const [, [h]] = this.lstm(images.reshape([-1, 8, 8]));
    return this.head(h.select(0, 0));
  }
}

export function trainDigitsRnn(epochs = 15, seed = 0, onEpoch?: (e: RnnEpoch) => void): { model: RowLSTM; history: RnnEpoch[] } {
  torch.manualSeed(seed);
  const digits = datasets.loadDigits();
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit(digits.data.div(16), digits.target, { testSize: 0.25, randomState: seed });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: 32, shuffle: true, generator: new torch.Generator(seed) });
  const model = new RowLSTM();
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  const history: RnnEpoch[] = [];
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
