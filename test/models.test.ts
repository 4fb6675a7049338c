// torch.vision.models against torchvision 0.14 (test/fixtures/models.json from
// scripts/gen_model_fixtures.py): after the same seed each model has torchvision's state-dict
// keys, shapes and weights (checksums of every tensor), so a torchvision state_dict loads
// with loadStateDict, and in eval mode it computes torchvision's outputs.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import fixtures from "./fixtures/models.json";
import { expectClose, type Encoded } from "./helpers.js";

const M = torch.vision.models;
type Param = { shape: number[]; dtype: string; sum: number; sumsq: number; head: number[] };
type Fixture = { kwargs: { numClasses?: number }; input_shape: number[]; state: Record<string, Param>; output: { shape: number[]; data: number[] } };

const build: Record<string, (kwargs: { numClasses?: number }) => torch.nn.Module> = {
  lenet: () => new M.LeNet(),
  resnet18: (k) => M.resnet18(k),
  resnet18_10: (k) => M.resnet18(k),
  alexnet: (k) => M.alexnet(k),
};

describe("torch.vision.models against torchvision", () => {
  for (const [name, f] of Object.entries(fixtures.models as Record<string, Fixture>)) {
    it(`${name}: torchvision's state-dict keys, shapes and seeded weights, and its eval-mode output`, () => {
      torch.manualSeed(0);
      const model = build[name]!(f.kwargs);
      const state = model.stateDict();
      expect(Object.keys(state)).toEqual(Object.keys(f.state));
      for (const [key, want] of Object.entries(f.state)) {
        const t = state[key]!;
        expect([...t.shape], key).toEqual(want.shape);
        expect(t.dtype, key).toBe(want.dtype);
        const v = t.double();
        expect(Math.abs(v.sum().item() - want.sum), `${key} sum`).toBeLessThanOrEqual(1e-6 * Math.sqrt(want.sumsq * t.numel()) + 1e-9);
        expect(Math.abs(v.mul(v).sum().item() - want.sumsq), `${key} sum of squares`).toBeLessThanOrEqual(1e-6 * want.sumsq + 1e-9);
        // the normal draws agree to float32 round-off (PyTorch computes Box–Muller in float32, taimatsu
        // in double then rounds: ~1e-6 relative where log(u) is small)
        (v.flatten().narrow(0, 0, want.head.length).tolist() as number[]).forEach((h, k) => expect(Math.abs(h - want.head[k]!), `${key}[${k}]`).toBeLessThanOrEqual(1e-5 * Math.abs(want.head[k]!)));
      }
      torch.manualSeed(1);
      const x = torch.rand(f.input_shape);
      model.eval();
      const y = torch.noGrad(() => model(x)) as torch.Tensor;
      expectClose(y, { ...f.output, dtype: "float32" } as Encoded, { what: `${name} output`, rtol: 1e-4, atol: 1e-5 });
    }, 120_000);
  }

  it("a state dict moves between two models (what loading a torchvision file does), and the copy computes the same", () => {
    torch.manualSeed(0);
    const a = M.resnet18({ numClasses: 10 });
    torch.manualSeed(5);
    const b = M.resnet18({ numClasses: 10 });
    const result = b.loadStateDict(a.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const x = torch.rand([1, 3, 32, 32]);
    a.eval();
    b.eval();
    expect(torch.noGrad(() => b(x).tolist())).toEqual(torch.noGrad(() => a(x).tolist()));
  });

  it("a ResNet trains: every parameter gets a gradient, and Adam fits a small batch", () => {
    torch.manualSeed(0);
    const model = M.resnet18({ numClasses: 4 });
    const x = torch.rand([8, 3, 32, 32]);
    const y = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3]);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new torch.nn.CrossEntropyLoss();
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      opt.zeroGrad();
      const loss = lossFn(model(x), y);
      loss.backward();
      if (step === 0) for (const [name, p] of model.namedParameters()) expect(Number.isFinite(p.grad!.abs().sum().item()), name).toBe(true);
      opt.step();
      losses.push(loss.item());
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
  });

  it("pretrained weights are an error that says how to load a torchvision state_dict instead", () => {
    expect(() => M.resnet18({ weights: "IMAGENET1K_V1" as unknown as null })).toThrow(
      "resnet18: taimatsu does not download pretrained weights; build the model with weights: null and load a torchvision state_dict saved with torch.save(model.state_dict(), path) through model.loadStateDict(torch.load(path))",
    );
  });
});
