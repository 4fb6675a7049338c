// uint8, int8, int16, float16 and bfloat16 against PyTorch 1.13 (test/fixtures/dtypes.json and
// the files in test/fixtures/pt from scripts/gen_dtype_fixtures.py): casts round and wrap as
// PyTorch's, arithmetic promotes as PyTorch's, x.type(...) converts, and .pt / safetensors
// files carrying every dtype load with their dtype and values and save back.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as torch from "../ts/index.js";
import type { DType, Tensor } from "../ts/index.js";
import fx from "./fixtures/dtypes.json";

const FLOATS = [0.1, -1.7, 1e-5, 3e-8, 65504.0, 70000.0, 1 / 3, 2.5, -0, 123456.789];
const INTS = [-1, 0, 127, 128, 255, 256, 300, -129, 40000, -40000];
/** Values as the fixtures write them: infinities as "inf" / "-inf" (JSON has none). */
const values = (t: Tensor): (number | string | boolean)[] =>
  (t.reshape(-1).tolist() as (number | boolean)[]).map((v) => (typeof v === "boolean" ? v : Number.isFinite(v) ? v : String(v).replace("Infinity", "inf")));
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/pt/${name}`, import.meta.url)));

describe("casts round and wrap as PyTorch's", () => {
  for (const d of ["float16", "bfloat16"] as const) {
    it(`float32 → ${d}: round to nearest even, overflow to inf, subnormals`, () => {
      expect(values(torch.tensor(FLOATS, { dtype: "float32" }).to(d))).toEqual(fx.casts[`floats->${d}`]);
    });
  }
  for (const d of ["uint8", "int8", "int16"] as const) {
    it(`int64 → ${d} wraps; ${d} → float32`, () => {
      const t = torch.tensor(INTS).to(d);
      expect(t.dtype).toBe(d);
      expect(values(t)).toEqual(fx.casts[`ints->${d}`]);
      expect(values(t.float())).toEqual(fx.casts[`${d}->float32`]);
    });
  }
  it("typed arrays keep their dtype: Uint8Array and ImageData's Uint8ClampedArray are uint8", () => {
    expect(torch.tensor(new Uint8Array([0, 128, 255])).dtype).toBe("uint8");
    expect(values(torch.tensor(new Uint8ClampedArray([0, 128, 255])))).toEqual([0, 128, 255]);
    expect(torch.tensor(new Int8Array([-3])).dtype).toBe("int8");
    expect(torch.tensor(new Int16Array([-3])).dtype).toBe("int16");
    expect(() => torch.tensor(new Uint16Array([1]))).toThrow("unsupported typed array Uint16Array");
  });
});

describe("arithmetic promotes as PyTorch's", () => {
  const a8 = (): Tensor => torch.tensor(new Uint8Array([200, 10, 0, 255]));
  const b8 = (): Tensor => torch.tensor(new Uint8Array([100, 20, 1, 255]));
  const i8 = (): Tensor => torch.tensor(new Int8Array([-5, 7, -128, 127]));
  const h = (): Tensor => torch.tensor([0.1, 1000, -3.3, 1e-4], { dtype: "float16" });
  const bf = (): Tensor => torch.tensor([0.1, 1000, -3.3, 1e-4], { dtype: "bfloat16" });
  const cases: Record<string, () => Tensor> = {
    "u8+u8": () => a8().add(b8()),
    "u8-1": () => a8().sub(1),
    "u8*2": () => a8().mul(2),
    "u8/2": () => a8().div(2),
    "u8/255": () => a8().float().div(255),
    "u8+i8": () => a8().add(i8()),
    "u8+1.5": () => a8().add(1.5),
    "u8+i64": () => a8().add(torch.tensor([1, 2, 3, 4])),
    "u8.sum": () => a8().sum(),
    "u8.max": () => a8().max(),
    "i8*i8": () => i8().mul(i8()),
    "h*3": () => h().mul(3),
    "h+h": () => h().add(h()),
    "h.sum": () => h().sum(),
    "h+f32": () => h().add(torch.tensor([1, 2, 3, 4], { dtype: "float32" })),
    "h+bf": () => h().add(bf()),
    "bf*3": () => bf().mul(3),
    "bf.exp": () => bf().exp(),
  };
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => {
      const want = fx.arith[name as keyof typeof fx.arith];
      const got = f();
      expect(got.dtype).toBe(want.dtype);
      expect(values(got)).toEqual(want.values);
    });
  }
  it("torch.promoteTypes over every pair of dtypes", () => {
    for (const [pair, want] of Object.entries(fx.promote)) {
      const [a, b] = pair.split(",") as [DType, DType];
      expect([pair, torch.promoteTypes(a, b)]).toEqual([pair, want]);
    }
  });
});

describe("x.type(...)", () => {
  const x = (): Tensor => torch.tensor([1.5, -2.25, 300], { dtype: "float32" });
  it("names the type without an argument, converts with a dtype or a type name", () => {
    expect(x().type()).toBe(fx.type.name);
    for (const [arg, key] of [[torch.float64, "float64"], ["torch.ByteTensor", "ByteTensor"], ["torch.HalfTensor", "HalfTensor"], ["torch.ShortTensor", "ShortTensor"]] as const) {
      const t = x().type(arg);
      expect([t.type(), values(t)]).toEqual(fx.type[key]);
    }
    expect(() => x().type("torch.CudaTensor")).toThrow("invalid type: 'torch.CudaTensor'");
  });
  it("byte(), char(), short(), half(), bfloat16() convert", () => {
    expect([x().byte().dtype, x().char().dtype, x().short().dtype, x().half().dtype, x().bfloat16().dtype]).toEqual(["uint8", "int8", "int16", "float16", "bfloat16"]);
  });
});

describe("files carry every dtype", () => {
  const check = (sd: Record<string, Tensor>): void => {
    for (const [name, want] of Object.entries(fx.files)) {
      expect([name, sd[name].dtype, [...sd[name].shape]]).toEqual([name, name, want.shape]);
      expect([name, values(sd[name])]).toEqual([name, want.values]);
    }
  };
  it("torch.load of a PyTorch file with uint8, int8, int16, float16 and bfloat16 tensors", () => {
    check(torch.load(file("dtypes.pt")) as Record<string, Tensor>);
  });
  it("loadSafetensors of a file with U8, I8, I16, F16 and BF16 tensors", () => {
    check(torch.io.loadSafetensors(file("dtypes.safetensors")));
  });
  it("torch.save and saveSafetensors write them back bit for bit", () => {
    const sd = torch.load(file("dtypes.pt")) as Record<string, Tensor>;
    check(torch.load(torch.save(sd)) as Record<string, Tensor>);
    check(torch.io.loadSafetensors(torch.io.saveSafetensors(sd)));
  });
  it("16-bit floats keep their bits through eviction", () => {
    const t = torch.tensor(FLOATS, { dtype: "float32" }).half();
    torch.testing.evictAll();
    expect(values(t)).toEqual(fx.casts["floats->float16"]);
  });
});
