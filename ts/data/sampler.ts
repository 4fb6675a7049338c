// Samplers yield dataset indices (or, BatchSampler, lists of them), as torch.utils.data.sampler.
import { defaultGenerator, Generator } from "../tensor/random.js";
import { bindArgs, Rest } from "../signature.js";

export interface Sampler<T = number> extends Iterable<T> {
  readonly length: number;
}

export class SequentialSampler implements Sampler {
  constructor(private readonly source: { length: number }) {}
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.source.length; i++) yield i;
  }
  get length(): number {
    return this.source.length;
  }
}

/**
 * As PyTorch's: without a generator, each pass seeds a fresh one from the default generator,
 * so `manualSeed(s)` gives PyTorch's shuffles epoch after epoch.
 */
interface RandomSamplerOptions {
  replacement?: boolean;
  numSamples?: number | null;
  generator?: Generator | null;
}

export class RandomSampler implements Sampler {
  readonly replacement: boolean;
  private readonly numSamples?: number;
  readonly generator: Generator | null;

  constructor(private readonly source: { length: number }, ...args: Rest<[replacement: boolean, numSamples: number | null, generator: Generator | null], RandomSamplerOptions>) {
    const opts = bindArgs<RandomSamplerOptions>({ fn: "RandomSampler.__init__", positional: ["replacement", "numSamples", "generator"] }, args);
    this.replacement = opts.replacement ?? false;
    this.numSamples = opts.numSamples ?? undefined;
    this.generator = opts.generator ?? null;
    if (this.numSamples !== undefined && (!Number.isInteger(this.numSamples) || this.numSamples <= 0)) {
      throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${this.numSamples}`);
    }
  }
  get length(): number {
    return this.numSamples ?? this.source.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.source.length;
    const g = this.generator ?? new Generator(defaultGenerator.nextSeed());
    if (this.replacement) {
      for (let i = 0; i < this.length; i++) yield g.nextInt(n);
      return;
    }
    // PyTorch draws whole permutations, then one more for the remainder, sliced (even when
    // the remainder is empty: with a generator of the caller's, that draw shifts later epochs)
    for (let k = 0; k < Math.floor(this.length / n); k++) yield* g.permutation(n);
    yield* g.permutation(n).slice(0, this.length % n);
  }
}

export class SubsetRandomSampler implements Sampler {
  readonly generator: Generator;
  constructor(readonly indices: number[], ...args: Rest<[generator: Generator | null], { generator?: Generator | null }>) {
    this.generator = bindArgs<{ generator?: Generator | null }>({ fn: "SubsetRandomSampler.__init__", positional: ["generator"] }, args).generator ?? defaultGenerator;
  }
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of this.generator.permutation(this.indices.length)) yield this.indices[i];
  }
}

interface WeightedOptions {
  replacement?: boolean;
  generator?: Generator | null;
}

/** Draws indices with probability proportional to `weights`. */
export class WeightedRandomSampler implements Sampler {
  private readonly cumulative: number[];
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator;
  constructor(readonly weights: number[], ...args: [numSamples: number, ...Rest<[replacement: boolean, generator: Generator | null], WeightedOptions>] | [WeightedOptions & { numSamples: number }]) {
    const o = bindArgs<WeightedOptions & { numSamples: number }>({ fn: "WeightedRandomSampler.__init__", positional: ["numSamples", "replacement", "generator"], required: 1 }, args);
    const { numSamples, replacement = true } = o;
    if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${numSamples}`);
    if (typeof replacement !== "boolean") throw new TypeError(`replacement should be a boolean value, but got replacement=${String(replacement)}`);
    this.numSamples = numSamples;
    this.replacement = replacement;
    this.generator = o.generator ?? defaultGenerator;
    if (weights.some((w) => !(w >= 0) || w === Infinity)) throw new RangeError("WeightedRandomSampler: weights must be non-negative and finite");
    if (!weights.some((w) => w > 0)) throw new RangeError("invalid multinomial distribution (sum of probabilities <= 0)");
    if (!replacement && numSamples > weights.filter((w) => w > 0).length) {
      throw new RangeError("WeightedRandomSampler: cannot draw more samples than non-zero weights without replacement");
    }
    let acc = 0;
    this.cumulative = weights.map((w) => (acc += w));
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    const w = [...this.weights];
    for (let k = 0; k < this.numSamples; k++) {
      const cum = this.replacement ? this.cumulative : (() => { let a = 0; return w.map((x) => (a += x)); })();
      const total = cum[cum.length - 1];
      const r = this.generator.nextUniform() * total;
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] > r) hi = mid;
        else lo = mid + 1;
      }
      if (!this.replacement) w[lo] = 0;
      yield lo;
    }
  }
}

export class BatchSampler implements Sampler<number[]> {
  constructor(readonly sampler: Iterable<number> & { length: number }, readonly batchSize: number, readonly dropLast: boolean) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    }
  }
  get length(): number {
    return this.dropLast ? Math.floor(this.sampler.length / this.batchSize) : Math.ceil(this.sampler.length / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
