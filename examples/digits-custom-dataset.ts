// A custom Dataset (PyTorch's __getitem__/__len__ as getItem/length) feeding the wider
// 64-128-64-10 MLP trained with Adam, with a validation split made by randomSplit.
import * as torch from "taimatsu";
import { loadDigits } from "taimatsu/digits";

const { nn } = torch;
const { Dataset, DataLoader, randomSplit } = torch.utils.data;

/** Digits as (image 64-vector scaled to [0, 1], label) pairs, with optional pixel noise. */
class DigitsDataset extends Dataset<[torch.Tensor, number]> {
  private readonly x: torch.Tensor;
  private readonly y: number[];

  constructor(private readonly noise = 0) {
    super();
    const d = loadDigits();
    this.x = d.data.div(16);
    this.y = d.target.tolist() as number[];
  }

  getItem(i: number): [torch.Tensor, number] {
    const image = this.x.select(0, i);
    return [this.noise > 0 ? image.add(torch.randn(64).mul(this.noise)) : image, this.y[i]];
  }

  get length(): number {
    return this.y.length;
  }
}

torch.manualSeed(0);
const [train, test] = randomSplit(new DigitsDataset(), [0.75, 0.25], new torch.Generator(0));
const trainLoader = new DataLoader(train, { batchSize: 64, shuffle: true });
const testLoader = new DataLoader(test, { batchSize: 256 });

const model = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
console.log(model.toString(), `\n${nn.utils.countParameters(model)} parameters`);
const optimizer = new torch.optim.Adam(model.parameters(), { lr: 3e-3 });
const lossFn = new nn.CrossEntropyLoss();

for (let epoch = 1; epoch <= 30; epoch++) {
  model.train();
  let total = 0;
  for (const [x, y] of trainLoader) {
    optimizer.zeroGrad();
    const loss = lossFn(model(x), y);
    loss.backward();
    optimizer.step();
    total += loss.item() * y.shape[0];
  }
  model.eval();
  let correct = 0;
  torch.noGrad(() => {
    for (const [x, y] of testLoader) correct += model(x).argmax(1).eq(y).sum().item();
  });
  if (epoch % 5 === 0) console.log(`epoch ${epoch}: train loss ${(total / train.length).toFixed(4)}, test accuracy ${(100 * correct / test.length).toFixed(2)}%`);
}
