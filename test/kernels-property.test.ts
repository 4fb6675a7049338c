// Property tests: the wasm SIMD kernels against the JS oracle loops (the same op with
// float32 routed through JS) on random shapes, strides, broadcasts and sizes that are not
// multiples of 4.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as torch from "../ts/index.js";
import type { Tensor } from "../ts/index.js";

function viaOracle<T>(fn: () => T): T {
  torch.testing.setWasmKernels(false);
  try {
    return fn();
  } finally {
    torch.testing.setWasmKernels(true);
  }
}

function expectAgree(wasm: Tensor, oracle: Tensor, rtol = 1e-5, atol = 1e-6): void {
  expect(wasm.shape).toEqual(oracle.shape);
  expect(wasm.dtype).toBe(oracle.dtype);
  const a = wasm.reshape(-1).tolist() as number[];
  const b = oracle.reshape(-1).tolist() as number[];
  a.forEach((v, i) => {
    const w = b[i];
    if (!(Number.isNaN(v) && Number.isNaN(w)) && v !== w && !(Math.abs(v - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`element ${i}: wasm ${v}, oracle ${w}`);
    }
  });
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 });
const seedArb = fc.integer({ min: 0, max: 2 ** 31 });
const randn = (shape: number[], seed: number, scale = 3): Tensor => torch.randn(shape, { generator: new torch.Generator(seed) }).mul(scale);

/** Sometimes a transposed (non-contiguous) view with the same shape. */
function maybeStrided(x: Tensor, strided: boolean): Tensor {
  if (!strided || x.dim() < 2) return x;
  return x.transpose(0, -1).contiguous().transpose(0, -1);
}

const UNARY: [string, (x: Tensor) => Tensor, number][] = [
  ["exp", (x) => x.exp(), 2e-6],
  ["log", (x) => x.abs().add(1e-3).log(), 2e-6],
  ["tanh", (x) => x.tanh(), 2e-6],
  ["sigmoid", (x) => x.sigmoid(), 2e-6],
  ["gelu", (x) => x.gelu(), 1e-5],
  ["silu", (x) => x.silu(), 2e-6],
  ["softplus", (x) => x.softplus(), 2e-6],
  ["erf", (x) => x.erf(), 1e-5],
  ["relu", (x) => x.relu(), 0],
  ["sqrt", (x) => x.abs().sqrt(), 1e-6],
  ["neg", (x) => x.neg(), 0],
];

describe("wasm kernels agree with the JS oracle", () => {
  it("the oracle is a separate code path (libm exp differs from the SIMD polynomial somewhere)", () => {
    const x = randn([4096], 1, 10);
    const a = x.exp().tolist() as number[];
    const b = viaOracle(() => x.exp()).tolist() as number[];
    expect(a.some((v, i) => v !== b[i])).toBe(true);
  });

  for (const [name, fn, rtol] of UNARY) {
    it(`unary ${name}`, () => {
      fc.assert(
        fc.property(shapeArb, seedArb, fc.boolean(), (shape, seed, strided) => {
          const x = maybeStrided(randn(shape, seed, 8), strided);
          expectAgree(fn(x), viaOracle(() => fn(x)), rtol, 1e-6);
        }),
        { numRuns: 30 },
      );
    });
  }

  const BINARY: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ["add", (a, b) => a.add(b)],
    ["sub", (a, b) => a.sub(b)],
    ["mul", (a, b) => a.mul(b)],
    ["div", (a, b) => a.div(b)],
    ["maximum", (a, b) => a.maximum(b)],
    ["pow", (a, b) => a.abs().pow(b)],
    ["lt", (a, b) => a.lt(b)],
    ["where", (a, b) => torch.where(a.gt(0), a, b)],
  ];
  for (const [name, fn] of BINARY) {
    it(`binary ${name} with random broadcasting and strides`, () => {
      fc.assert(
        fc.property(shapeArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), seedArb, fc.boolean(), (shape, ones, seed, strided) => {
          // b broadcasts along the dims where `ones` says so, and may have fewer dims
          const bShape = shape.map((s, d) => (ones[d] ? 1 : s)).slice(ones[3] ? 1 : 0);
          const a = maybeStrided(randn(shape, seed), strided);
          const b = randn(bShape.length ? bShape : [1], seed + 1);
          expectAgree(fn(a, b), viaOracle(() => fn(a, b)), 1e-6, 1e-6);
        }),
        { numRuns: 40 },
      );
    });
  }

  it("reductions over random dims, keepdim and strides", () => {
    fc.assert(
      fc.property(shapeArb, seedArb, fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 7 }), (shape, seed, strided, keepdim, pick) => {
        const x = maybeStrided(randn(shape, seed), strided);
        const dims = [...Array(shape.length).keys()].filter((d) => (pick >> d) & 1);
        const dim = dims.length ? dims : undefined;
        // float32 sums in a different order differ by rounding that grows with the count summed
        const summed = x.numel() / Math.max(1, x.sum(dim, keepdim).numel());
        expectAgree(x.sum(dim, keepdim), viaOracle(() => x.sum(dim, keepdim)), 1e-5, 1e-5 * Math.sqrt(summed));
        expectAgree(x.amax(dim, keepdim), viaOracle(() => x.amax(dim, keepdim)), 0, 0);
        expectAgree(x.amin(dim, keepdim), viaOracle(() => x.amin(dim, keepdim)), 0, 0);
        const d = dims[0] ?? 0;
        expectAgree(x.argmax(d, keepdim), viaOracle(() => x.argmax(d, keepdim)), 0, 0);
        expectAgree(x.softmax(d), viaOracle(() => x.softmax(d)), 1e-5, 1e-7);
        expectAgree(x.logSoftmax(d), viaOracle(() => x.logSoftmax(d)), 1e-5, 1e-5);
      }),
      { numRuns: 60 },
    );
  });

  it("matmul on odd sizes, transposed operands and broadcast batches", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }),
        fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 3 }), seedArb,
        (m, n, k, ta, tb, batch, seed) => {
          const a0 = ta ? randn([k, m], seed, 1).t() : randn([m, k], seed, 1);
          const b0 = tb ? randn([n, k], seed + 1, 1).t() : randn([k, n], seed + 1, 1);
          const a = batch ? a0.unsqueeze(0).expand(batch, m, k) : a0;
          const b = b0;
          expectAgree(a.matmul(b), viaOracle(() => a.matmul(b)), 1e-4, 1e-4 * Math.sqrt(k));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("im2col / col2im (unfold, fold) for random kernels, strides, padding and dilation, and max-pool padding", () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 4, max: 9 }), w: fc.integer({ min: 4, max: 9 }) }),
        fc.record({ k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), d: fc.integer({ min: 1, max: 2 }), p: fc.integer({ min: 0, max: 1 }) }),
        seedArb,
        (g, o, seed) => {
          const x = randn([g.n, g.c, g.h, g.w], seed);
          const opts = { stride: o.s, dilation: o.d, padding: o.p };
          const F = torch.nn.functional;
          const cols = F.unfold(x, o.k, opts);
          expectAgree(cols, viaOracle(() => F.unfold(x, o.k, opts)), 0, 0);
          expectAgree(F.fold(cols, [g.h, g.w], o.k, opts), viaOracle(() => F.fold(cols, [g.h, g.w], o.k, opts)), 1e-6, 1e-6);
          const pool = { stride: o.s, padding: Math.min(o.p, Math.floor(Math.min(...o.k) / 2)) };
          expectAgree(F.maxPool2d(x, o.k, pool), viaOracle(() => F.maxPool2d(x, o.k, pool)), 0, 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("sum of 4M elements keeps float64-level accuracy", () => {
    const x = torch.full([4 * 1024 * 1024], 0.1);
    expect(x.sum().item()).toBeCloseTo(419430.4, 0);
  });
});
