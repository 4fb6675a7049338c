// torch.vision.transforms against torchvision 0.14 (test/fixtures/vision.json from
// scripts/gen_vision_fixtures.py): outputs equal, and the random transforms, after the same
// seed, make torchvision's choices.
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import { sampleComposed } from "../ts/ops/grid-sample.js";
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

  for (const [name, c] of Object.entries(fixtures.grid_sample.cases as Record<string, { kwargs: { mode: "bilinear" | "nearest"; align_corners: boolean }; y: Encoded; gy: Encoded; gx: Encoded; ggrid: Encoded; y32: Encoded }>)) {
    it(`F.gridSample ${name}: output, the gradients of input and grid, and float32`, () => {
      const opts = { mode: c.kwargs.mode, alignCorners: c.kwargs.align_corners };
      const x = decode(fixtures.grid_sample.input as Encoded, true);
      const grid = decode(fixtures.grid_sample.grid as Encoded, true);
      const y = torch.nn.functional.gridSample(x, grid, opts);
      expectClose(y, c.y, { what: "y", rtol: 1e-12, atol: 1e-12 });
      y.backward(decode(c.gy));
      expectClose(x.grad!, c.gx, { what: "input.grad", rtol: 1e-10, atol: 1e-12 });
      expectClose(grid.grad!, c.ggrid, { what: "grid.grad", rtol: 1e-10, atol: 1e-12 });
      const y32 = torch.nn.functional.gridSample(decode(fixtures.grid_sample.input as Encoded).float(), decode(fixtures.grid_sample.grid as Encoded).float(), opts);
      expectClose(y32, c.y32, { what: "float32", rtol: 1e-6, atol: 1e-6 });
    });
  }

  it("gridSample without gradients (one loop) gives the composed ops' result bit for bit", () => {
    torch.manualSeed(4);
    for (const dtype of ["float32", "float64"] as const) {
      const x = torch.rand([2, 3, 5, 7], { dtype });
      const grid = torch.rand([2, 6, 4, 2], { dtype }).mul(2.6).sub(1.3);
      for (const mode of ["bilinear", "nearest"] as const) {
        for (const paddingMode of ["zeros", "border"] as const) {
          for (const alignCorners of [false, true]) {
            const fast = torch.nn.functional.gridSample(x, grid, { mode, paddingMode, alignCorners });
            const composed = sampleComposed(x, grid, mode, paddingMode, alignCorners);
            expect(Array.from(fast.toTypedArray() as Float32Array), `${dtype} ${mode} ${paddingMode} ${alignCorners}`).toEqual(Array.from(composed.toTypedArray() as Float32Array));
          }
        }
      }
    }
  });

  it("gridSample's second derivative agrees with finite differences (bilinear is not piecewise constant in the grid)", () => {
    torch.manualSeed(1);
    const x = torch.rand([1, 2, 4, 5], { dtype: "float64" }).requiresGrad_();
    const grid = torch.rand([1, 3, 2, 2], { dtype: "float64" }).mul(1.6).sub(0.8).requiresGrad_();
    expect(torch.autograd.gradcheck((a: torch.Tensor, g: torch.Tensor) => torch.nn.functional.gridSample(a, g), [x, grid])).toBe(true);
    const w = torch.rand([1, 2, 3, 2], { dtype: "float64" });
    // the gradient itself, as a function of input and grid, checked in turn
    const gradients = (a: torch.Tensor, g: torch.Tensor) =>
      torch.enableGrad(() => {
        const [ga, gg] = torch.autograd.grad(torch.nn.functional.gridSample(a, g).mul(w).sum(), [a, g], { createGraph: true });
        return ga!.mul(ga!).sum().add(gg!.mul(gg!).sum());
      });
    expect(torch.autograd.gradcheck(gradients, [x, grid])).toBe(true);
  });

  it("positional arguments are torchvision's order, and give what the options object gives", () => {
    const img = decode(inputs.u8);
    const run = (t: (x: torch.Tensor) => torch.Tensor) => {
      torch.manualSeed(7);
      return t(img).tolist();
    };
    expect(run(new T.ColorJitter(0.4, 0.4, 0.4, 0.1))).toEqual(run(new T.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 })));
    expect(run(new T.RandomAffine(20, [0.1, 0.2], [0.8, 1.2], 10))).toEqual(run(new T.RandomAffine(20, { translate: [0.1, 0.2], scale: [0.8, 1.2], shear: 10 })));
    expect(run(new T.RandomRotation(30, "bilinear"))).toEqual(run(new T.RandomRotation(30, { interpolation: "bilinear" })));
    expect(run(new T.RandomErasing(1, [0.1, 0.3]))).toEqual(run(new T.RandomErasing({ p: 1, scale: [0.1, 0.3] })));
    expect(() => new T.RandomAffine(10, { translat: [0.1, 0.1] } as never)).toThrow("RandomAffine.__init__() got an unexpected keyword argument 'translat'");
  });

  it("grid_sample and the new transforms' errors are PyTorch's and torchvision's", () => {
    const E = fixtures.errors;
    const F = torch.nn.functional;
    const img = torch.ones([1, 1, 2, 2]);
    expect(() => F.gridSample(img, torch.zeros([1, 2, 2, 3]))).toThrow(E.grid_sample_grid_shape);
    expect(() => F.gridSample(img, torch.zeros([2, 2, 2, 2]))).toThrow(E.grid_sample_batch);
    expect(() => new T.RandomRotation(-3)).toThrow(E.rotation_degrees_negative);
    expect(() => new T.RandomAffine(0, { translate: [0.5, 1.5] })).toThrow(E.affine_translate_range);
    expect(() => new T.ColorJitter({ hue: [-0.7, 0.2] })).toThrow(E.color_jitter_hue_range);
    expect(() => new T.RandomErasing({ scale: [0.1, 1.5] })).toThrow(E.erasing_scale_range);
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
