// Shape arithmetic shared by every op: strides, broadcasting and dimension checks, with
// PyTorch's error messages.
export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  // literal arrays for the common ranks: every new tensor needs its strides
  switch (shape.length) {
    case 0:
      return [];
    case 1:
      return [1];
    case 2:
      return [shape[1], 1];
    case 3:
      return [shape[1] * shape[2], shape[2], 1];
  }
  const st: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st.push(acc);
    acc *= shape[d];
  }
  return st.reverse();
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const fmtShape = (s: Shape): string => `[${s.join(", ")}]`;

/** PyTorch's broadcast rule and its error text. */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  // shapes are never mutated, so equal ones are shared: most binary ops need no new array
  if (sameShape(a, b)) return a;
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    const db = b[b.length - nd + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Wraps a possibly negative dim into [0, ndim), with PyTorch's message when out of range. */
export function normDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

export function normDims(dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return [...Array(ndim).keys()];
  const list = typeof dims === "number" ? [dims] : [...dims];
  const out = list.map((d) => normDim(d, ndim)).filter((d) => d < ndim || ndim > 0);
  if (new Set(out).size !== out.length) throw new Error(`dim ${out.find((d, i) => out.indexOf(d) !== i)} appears multiple times in the list of dims`);
  return out.sort((x, y) => x - y);
}

export function checkShape(shape: Shape, op: string): void {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) {
      throw new Error(`${op}(): shape ${fmtShape(shape)} has an invalid size ${s}; sizes must be non-negative integers`);
    }
  }
}
