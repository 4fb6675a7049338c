// Writes test/fixtures/pt/from-taimatsu.pt with taimatsu's torch.save: the state dict of a
// small CNN built after manualSeed(0) (so PyTorch builds the very same weights) and run once
// (BatchNorm statistics), plus tensors of the other dtypes; and checkpoint-from-taimatsu.pt,
// a checkpoint after one Adam step. scripts/gen_pt_fixtures.py then checks in PyTorch that
// torch.load reads both and that they equal PyTorch's own state; test/torch-load.test.ts
// checks that torch.save still writes these exact bytes.
import { writeFileSync } from "node:fs";
import * as torch from "../ts/index.js";

export function sampleStateDict(): Record<string, torch.Tensor> {
  torch.manualSeed(0);
  const { nn } = torch;
  const cnn = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(18, 3));
  cnn(torch.randn(2, 1, 5, 5));
  return {
    ...cnn.stateDict(),
    f64: torch.tensor([1.5, -2.25], { dtype: "float64" }),
    i32: torch.tensor([7, -8], { dtype: "int32" }),
    b: torch.tensor([true, false, true]),
    transposed: torch.arange(6, { dtype: "float32" }).reshape([2, 3]).t(),
  };
}

/** A checkpoint after one Adam step on an MLP built from seed 0: model, optimizer, epoch, a note. */
export function sampleCheckpoint(): Record<string, unknown> {
  torch.manualSeed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.ReLU(), new torch.nn.Linear(4, 2));
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.005 });
  const x = torch.randn(5, 3);
  new torch.nn.CrossEntropyLoss()(model(x), torch.tensor([0, 1, 1, 0, 1])).backward();
  optimizer.step();
  return { model: model.stateDict(), optimizer: optimizer.stateDict(), epoch: 3, note: "after one step" };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("../test/fixtures/pt/from-taimatsu.pt", import.meta.url), torch.save(sampleStateDict(), { archiveName: "from-taimatsu" }));
  writeFileSync(new URL("../test/fixtures/pt/checkpoint-from-taimatsu.pt", import.meta.url), torch.save(sampleCheckpoint(), { archiveName: "checkpoint-from-taimatsu" }));
  console.log("wrote test/fixtures/pt/from-taimatsu.pt and checkpoint-from-taimatsu.pt");
}
