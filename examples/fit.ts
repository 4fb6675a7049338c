// The epoch loop of the CNN and RNN examples: Adam over the loader's batches, then the loss
// and accuracy on the test split, as their PyTorch twins run it (scripts/twin_fit.py).
import * as torch from "taimatsu";

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
}

export async function fitClassifier(
  model: torch.nn.Module,
  loader: Iterable<torch.Tensor[]> | AsyncIterable<torch.Tensor[]>,
  test: [torch.Tensor, torch.Tensor],
  opts: { epochs: number; lr: number },
  onEpoch?: (e: EpochReport) => void,
): Promise<EpochReport[]> {
  const lossFn = new torch.nn.CrossEntropyLoss();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: opts.lr });
  const history: EpochReport[] = [];
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    model.train();
    let lossSum = 0;
    let seen = 0;
    // for await: a loader with workers delivers its batches asynchronously
    for await (const [x, y] of loader) {
      optimizer.zeroGrad();
      const loss = lossFn(model(x), y);
      loss.backward();
      optimizer.step();
      lossSum += loss.item() * y.shape[0];
      seen += y.shape[0];
    }
    model.eval();
    const [testLoss, testAccuracy] = torch.noGrad(() => {
      const logits = model(test[0]);
      return [lossFn(logits, test[1]).item(), logits.argmax(1).eq(test[1]).float().mean().item()];
    });
    const report = { epoch, trainLoss: lossSum / seen, testLoss, testAccuracy };
    history.push(report);
    onEpoch?.(report);
  }
  return history;
}
