// Writes test/fixtures/pt/from-taimatsu.pt with taimatsu's torch.save: the state dict of a
// small CNN built after manualSeed(0) (so PyTorch builds the very same weights) and run once
// (BatchNorm statistics), plus tensors of the other dtypes. scripts/gen_pt_fixtures.py then
// checks in PyTorch that torch.load reads it and that it equals PyTorch's own state dict;
// test/torch-load.test.ts checks that torch.save still writes these exact bytes.
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

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("../test/fixtures/pt/from-taimatsu.pt", import.meta.url), torch.save(sampleStateDict(), "from-taimatsu"));
  console.log("wrote test/fixtures/pt/from-taimatsu.pt");
}
