// Shared test helpers: building tensors from fixture records and comparing with tolerances.
import { expect } from "vitest";
import * as torch from "../ts/index.js";
import type { DType, Tensor } from "../ts/index.js";

export interface Encoded {
  data: (number | boolean)[];
  shape: number[];
  dtype: DType;
  view?: "t";
}

export function decode(e: Encoded, requiresGrad = false): Tensor {
  const base = torch.tensor(e.data.map(Number), { dtype: e.dtype }).reshape(e.shape);
  const t = e.view === "t" ? base.t() : base;
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

/** PyTorch's allclose: |a - b| <= atol + rtol * |b|, NaNs equal, shapes and dtypes exact. */
export function expectClose(actual: Tensor, expected: Encoded, opts: { rtol?: number; atol?: number; what?: string } = {}): void {
  const { rtol = 1e-4, atol = 1e-5, what = "" } = opts;
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.dtype);
  const got = (actual.numel() ? (actual.reshape(-1).tolist() as (number | boolean)[]) : []).map(Number);
  const want = expected.data.map(Number);
  got.forEach((g, i) => {
    const w = want[i];
    const ok = (Number.isNaN(g) && Number.isNaN(w)) || g === w || Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) throw new Error(`${what} element ${i}: got ${g}, expected ${w} (rtol ${rtol}, atol ${atol})`);
  });
}

/** Plain number lists equal within `tol · (1 + |expected|)` element by element. */
export function expectValuesNear(got: readonly number[], want: readonly number[], what: string, tol = 1e-5): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => {
    if (!(Math.abs(g - want[i]) <= tol * (1 + Math.abs(want[i])))) throw new Error(`${what}[${i}]: got ${g}, expected ${want[i]}`);
  });
}

export function expectThrowsMessage(fn: () => unknown, message: string | RegExp): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected an error matching ${message}`).toBeInstanceOf(Error);
  const text = (thrown as Error).message;
  if (typeof message === "string") expect(text).toContain(message);
  else expect(text).toMatch(message);
}
