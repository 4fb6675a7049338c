// torch.vision.transforms against torchvision 0.14 (test/fixtures/vision.json from
// scripts/gen_vision_fixtures.py): outputs equal, and the random transforms, after the same
// seed, make torchvision's choices.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import fixtures from "./fixtures/vision.json";
import { decode, Encoded, expectClose } from "./helpers.js";

const { transforms: T } = torch.vision;
const inputs = fixtures.inputs as Record<string, Encoded>;
type Case = { transform: string; args: unknown[]; input: string; runs: { seed: number | null; output: Encoded }[] };

/** The transform by torchvision's class name and arguments (an options object stays one). */
function make(name: string, args: unknown[]): (img: torch.Tensor) => torch.Tensor {
  const Ctor = (T as unknown as Record<string, new (...a: unknown[]) => (img: torch.Tensor) => torch.Tensor>)[name];
  return new Ctor(...args);
}

describe("torch.vision.transforms against torchvision", () => {
  for (const [name, c] of Object.entries(fixtures.cases as Record<string, Case>)) {
    it(`${name}${c.runs.length > 1 ? ` (seeds ${c.runs.map((r) => r.seed).join(", ")})` : ""}`, () => {
      const transform = make(c.transform, c.args);
      for (const run of c.runs) {
        if (run.seed !== null) torch.manualSeed(run.seed);
        const y = transform(decode(inputs[c.input]));
        expectClose(y, run.output, { what: `${name} seed ${run.seed}`, rtol: 1e-6, atol: 1e-6 });
      }
    });
  }

  it("a Compose pipeline (RandomCrop with padding, flip, ConvertImageDtype, Normalize)", () => {
    const pipeline = new T.Compose([new T.RandomCrop(6, { padding: 1 }), new T.RandomHorizontalFlip(), new T.ConvertImageDtype("float32"), new T.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]);
    for (const run of fixtures.compose.runs) {
      torch.manualSeed(run.seed);
      expectClose(pipeline(decode(inputs.u8)), run.output as Encoded, { what: `seed ${run.seed}` });
    }
  });

  for (const [name, c] of Object.entries(fixtures.interpolate as Record<string, { kwargs: Record<string, unknown>; x: Encoded; y: Encoded; gy: Encoded; gx: Encoded }>)) {
    it(`F.interpolate ${name}: output and gradient`, () => {
      const { size, scale_factor: scaleFactor, mode, align_corners: alignCorners } = c.kwargs as { size?: number | number[]; scale_factor?: number; mode: "nearest" | "linear" | "bilinear"; align_corners?: boolean };
      const x = decode(c.x, true);
      const y = torch.nn.functional.interpolate(x, { size, scaleFactor, mode, alignCorners });
      expectClose(y, c.y, { what: "y", rtol: 1e-12, atol: 1e-12 });
      y.backward(decode(c.gy));
      expectClose(x.grad!, c.gx, { what: "x.grad", rtol: 1e-12, atol: 1e-12 });
    });
  }

  for (const [name, c] of Object.entries(fixtures.make_grid as Record<string, { kwargs: Record<string, unknown>; input: Encoded; output: Encoded }>)) {
    it(`utils.makeGrid ${name}`, () => {
      const k = c.kwargs as { nrow?: number; padding?: number; pad_value?: number; normalize?: boolean; value_range?: [number, number]; scale_each?: boolean };
      const grid = torch.vision.utils.makeGrid(decode(c.input), { nrow: k.nrow, padding: k.padding, padValue: k.pad_value, normalize: k.normalize, valueRange: k.value_range, scaleEach: k.scale_each });
      expectClose(grid, c.output, { what: name, rtol: 1e-6, atol: 1e-6 });
    });
  }

  it("errors name the transform and what was expected, as torchvision's", () => {
    const img = decode(inputs.u8);
    expect(() => new T.RandomCrop(20)(img)).toThrow("Required crop size (20, 20) is larger than input image size (7, 9)");
    expect(() => new T.Normalize([0.5], [0])(img.float())).toThrow("std evaluated to zero after conversion to float32, leading to division by zero.");
    expect(() => new T.Normalize([0.5], [0.5])(img)).toThrow("Input tensor should be a float tensor. Got uint8.");
    expect(() => new T.Grayscale(2 as 1)).toThrow("num_output_channels should be either 1 or 3");
    expect(() => new T.Pad([1, 2, 3])).toThrow("Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple");
    expect(() => new T.Pad(1, 0, "reflect")(img)).toThrow("padding mode 'reflect' is not supported by taimatsu (constant is)");
  });

  it("flip and interpolate errors are PyTorch's", () => {
    const E = fixtures.errors;
    const F = torch.nn.functional;
    const img = torch.ones([1, 1, 2, 2]);
    expect(() => torch.ones([2, 3]).flip([1, 1])).toThrow(E.flip_repeated_dim);
    expect(() => F.interpolate(img, { size: 3, scaleFactor: 2 })).toThrow(E.interpolate_size_and_scale);
    expect(() => F.interpolate(img, { size: 3, mode: "nearest", alignCorners: true })).toThrow(E.interpolate_nearest_align);
    expect(() => F.interpolate(torch.ones([1, 1, 2]), { size: 3, mode: "bilinear" })).toThrow(E.interpolate_bilinear_3d);
  });

  it("flips carry gradients (FlipBackward0), so augmentation inside a model trains", () => {
    const x = torch.arange(0, 6, { dtype: "float32" }).reshape([1, 2, 3]).requiresGrad_();
    const y = x.flip(-1);
    expect(String(y.gradFn)).toBe("<FlipBackward0 object>");
    y.mul(torch.tensor([[[1, 2, 3], [4, 5, 6]]], { dtype: "float32" })).sum().backward();
    expect(x.grad!.tolist()).toEqual([[[3, 2, 1], [6, 5, 4]]]);
  });
});
