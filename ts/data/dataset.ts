// torch.utils.data datasets: random-access (Dataset) and streaming (IterableDataset), plus
// TensorDataset, ConcatDataset, Subset and randomSplit.
import { Generator, defaultGenerator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { randperm, tensor } from "../tensor/create.js";
import { isWorkerCapable, LIBRARY, WorkerSpec } from "./worker-loader.js";

/** The worker spec of a dataset built from the library's own exports. */
const ownSpec = (exportName: string, args: unknown[]): WorkerSpec => ({ module: LIBRARY, exportName: `utils.data.${exportName}`, args });

function childSpec(d: unknown, what: string): unknown {
  if (!isWorkerCapable(d)) throw new Error(`${what}: its dataset has no workerSpec(), so workers cannot rebuild it`);
  return d;
}

/** A map-style dataset: `getItem(i)` for 0 <= i < length. */
export abstract class Dataset<T = unknown> {
  abstract getItem(index: number): T;
  abstract get length(): number;
}

/** A streaming dataset: implement [Symbol.iterator] or [Symbol.asyncIterator] (or both). */
export abstract class IterableDataset<T = unknown> {
  [Symbol.iterator]?(): Iterator<T>;
  [Symbol.asyncIterator]?(): AsyncIterator<T>;
}

export function checkIndex(index: number, length: number, what: string): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new RangeError(`${what}: index ${index} out of range for dataset of length ${length}`);
  }
  return index < 0 ? index + length : index;
}

/** Samples are the i-th rows of each tensor (which must agree in their first dimension). */
/** Rows of tensors that share their first dim; `T` is their tuple, so batches destructure typed. */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: T;
  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset needs at least one tensor");
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.dim() === 0 || t.shape[0] !== n) throw new Error(`Size mismatch between tensors: tensor 0 has ${n} rows, tensor ${i} has ${t.dim() ? t.shape[0] : "no"} rows`);
    });
    this.tensors = tensors.map((t) => t.keep()) as T;
  }
  workerSpec(): WorkerSpec {
    return ownSpec("TensorDataset", this.tensors);
  }
  /** Row `index` of each tensor; a slice ("0:4", "::2") or a list of rows gives those rows, as ds[0:4] in PyTorch. */
  getItem(index: number | string | number[] | Tensor): T {
    if (typeof index !== "number") return this.tensors.map((t) => t.index([index])) as T;
    const i = checkIndex(index, this.length, "TensorDataset");
    return this.tensors.map((t) => t.select(0, i)) as T;
  }
  /** What default collate makes of these rows, by one gather per tensor instead of a stack of rows. */
  getBatch(indices: number[]): T {
    indices.forEach((i) => checkIndex(i, this.length, "TensorDataset"));
    const idx = tensor(indices, { dtype: "int64" });
    return this.tensors.map((t) => t.indexSelect(0, idx)) as T;
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
}

export class ConcatDataset<T> extends Dataset<T> {
  private readonly offsets: number[] = [];
  constructor(readonly datasets: Dataset<T>[]) {
    super();
    if (datasets.length === 0) throw new Error("datasets should not be an empty iterable");
    let acc = 0;
    for (const d of datasets) this.offsets.push((acc += d.length));
  }
  workerSpec(): WorkerSpec {
    return ownSpec("ConcatDataset", [this.datasets.map((d) => childSpec(d, "ConcatDataset"))]);
  }
  getItem(index: number): T {
    const i = checkIndex(index, this.length, "ConcatDataset");
    const k = this.offsets.findIndex((end) => i < end);
    return this.datasets[k].getItem(i - (k === 0 ? 0 : this.offsets[k - 1]));
  }
  get length(): number {
    return this.offsets[this.offsets.length - 1];
  }
}

export class Subset<T> extends Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: number[]) {
    super();
  }
  workerSpec(): WorkerSpec {
    return ownSpec("Subset", [childSpec(this.dataset, "Subset"), this.indices]);
  }
  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex(index, this.length, "Subset")]);
  }
  get length(): number {
    return this.indices.length;
  }
}

/**
 * Splits a dataset into non-overlapping random subsets, by counts or by fractions (the
 * remainder of flooring fractions is dealt round-robin, as PyTorch does).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const n = dataset.length;
  for (const l of lengths) {
    if (typeof l !== "number" || !(l >= 0)) throw new RangeError(`randomSplit: lengths must be non-negative counts or fractions, got ${String(l)}`);
  }
  let counts = lengths;
  const fractional = lengths.reduce((a, b) => a + b, 0) <= 1 + 1e-9 && lengths.some((l) => !Number.isInteger(l) || l < 1);
  if (fractional) {
    counts = lengths.map((f) => {
      if (f < 0 || f > 1) throw new RangeError(`Fraction at index ${lengths.indexOf(f)} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  }
  if (counts.reduce((a, b) => a + b, 0) !== n) {
    throw new Error("Sum of input lengths does not equal the length of the input dataset!");
  }
  const perm = randperm(n, { generator }).tolist() as number[];
  let at = 0;
  return counts.map((c) => new Subset(dataset, perm.slice(at, (at += c))));
}
