// DataLoader: wires a dataset, a sampler (or batch sampler) and a collate function, as
// PyTorch's. `for (const batch of loader)` over map-style datasets; `for await` over async
// sources. Each batch it hands out is a memory boundary (see tensor/lifetime.ts), so a
// training loop over a loader stays flat. numWorkers > 0 loads in workers (worker-loader.ts).
import { Boundary } from "../tensor/lifetime.js";
import type { Tensor } from "../tensor/tensor.js";
import { defaultGenerator, type Generator as RandomGenerator } from "../tensor/random.js";
import { defaultCollate } from "./collate.js";
import { Dataset, IterableDataset } from "./dataset.js";
import { BatchSampler, RandomSampler, Sampler, SequentialSampler } from "./sampler.js";
import { isWorkerCapable, WorkerPool } from "./worker-loader.js";
import { bindArgs, Rest } from "../signature.js";

export interface DataLoaderOptions<T> {
  batchSize?: number | null;
  shuffle?: boolean;
  sampler?: Sampler;
  batchSampler?: Sampler<number[]>;
  dropLast?: boolean;
  collateFn?: (samples: T[], indices?: number[]) => unknown;
  generator?: RandomGenerator;
  /** Worker threads that load and collate batches (iterate with for await). */
  numWorkers?: number;
  /** Batches each worker keeps in flight (default 2). */
  prefetchFactor?: number;
  /** Keep the workers (and their copy of the dataset) between epochs; default false, as PyTorch. */
  persistentWorkers?: boolean;
  /** Accepted as PyTorch's: pinned memory only matters for GPU copies. */
  pinMemory?: boolean;
  pinMemoryDevice?: string;
  /** Seconds to wait for each batch from the workers; 0 (the default) waits without a limit. */
  timeout?: number;
  /** Only null: workers are threads and need no process start method. */
  multiprocessingContext?: null;
}

const LOADER_ARGS = ["dataset", "batchSize", "shuffle", "sampler", "batchSampler", "numWorkers", "collateFn", "pinMemory", "dropLast", "timeout", "workerInitFn", "multiprocessingContext", "generator"];

type LoaderRest<T> = Rest<
  [batchSize: number | null, shuffle: boolean, sampler: Sampler | null, batchSampler: Sampler<number[]> | null, numWorkers: number, collateFn: DataLoaderOptions<T>["collateFn"] | null, pinMemory: boolean, dropLast: boolean, timeout: number, workerInitFn: null, multiprocessingContext: null, generator: RandomGenerator | null],
  DataLoaderOptions<T>
>;

type Source<T> = Dataset<T> | IterableDataset<T>;

/** The type default collation gives a batch of samples of type T. */
export type Collated<T> = T extends Tensor | number | boolean | ArrayBufferView
  ? Tensor
  : T extends string
    ? string[]
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Collated<T[K]> }
        : unknown;

/** `D` keeps the dataset's own type, so `loader.dataset.length` and its other members are typed. */
export class DataLoader<T = unknown, B = Collated<Awaited<T>>, D extends Source<T> = Source<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Sampler | null;
  readonly batchSampler: Sampler<number[]> | null;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly timeout: number;
  readonly persistentWorkers: boolean;
  private readonly customCollate: boolean;
  private pool: WorkerPool | null = null;
  private readonly collate: (samples: T[], indices?: number[]) => unknown;
  private readonly batches: Boundary;
  private readonly generator: RandomGenerator | null;

  readonly dataset: D;

  constructor(dataset: D & Source<T>, ...args: LoaderRest<T>) {
    const bound = bindArgs<DataLoaderOptions<T> & { dataset: Source<T>; workerInitFn?: null }>(
      { fn: "DataLoader.__init__", positional: LOADER_ARGS, required: 1, keywords: ["prefetchFactor", "persistentWorkers", "pinMemoryDevice"] },
      [dataset, ...args],
    );
    const opts = Object.fromEntries(Object.entries(bound).filter(([, v]) => v !== null)) as DataLoaderOptions<T>;
    if (bound.batchSize === null) opts.batchSize = null;
    this.dataset = bound.dataset as D;
    if ((opts.timeout ?? 0) < 0) throw new RangeError("timeout option should be non-negative");
    if (typeof (opts.timeout ?? 0) !== "number" || Number.isNaN(opts.timeout)) throw new TypeError(`timeout option should be a number of seconds, got ${String(opts.timeout)}`);
    this.timeout = opts.timeout ?? 0;
    if (bound.workerInitFn != null) throw new Error("DataLoader: workerInitFn is not supported by taimatsu (workers are threads that load the dataset module themselves)");
    if (bound.multiprocessingContext != null) throw new Error("DataLoader: multiprocessingContext is not supported (workers are threads, not processes)");
    const batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize <= 0)) {
      throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${batchSize}`);
    }
    if (opts.sampler && opts.shuffle) throw new Error("sampler option is mutually exclusive with shuffle");
    if (opts.batchSampler && (opts.batchSize !== undefined || opts.shuffle || opts.sampler || opts.dropLast)) {
      throw new Error("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
    }
    const numWorkers = opts.numWorkers ?? 0;
    if (!Number.isInteger(numWorkers) || numWorkers < 0) {
      throw new RangeError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.");
    }
    this.numWorkers = numWorkers;
    if (numWorkers === 0 && opts.prefetchFactor !== undefined) {
      throw new Error("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing.");
    }
    this.prefetchFactor = opts.prefetchFactor ?? 2;
    if (numWorkers === 0 && this.timeout > 0) throw new Error("timeout option needs numWorkers > 0: it limits the wait for a worker's batch");
    if (numWorkers === 0 && opts.persistentWorkers) throw new Error("persistent_workers option needs num_workers > 0");
    this.persistentWorkers = opts.persistentWorkers ?? false;
    this.customCollate = opts.collateFn !== undefined;
    this.batchSize = opts.batchSampler ? null : batchSize;
    this.dropLast = opts.dropLast ?? false;
    this.collate = opts.collateFn ?? (defaultCollate as (samples: T[], indices?: number[]) => unknown);
    this.batches = new Boundary();
    this.generator = opts.generator ?? null;
    if (dataset instanceof Dataset) {
      this.sampler = opts.sampler ?? (opts.shuffle ? new RandomSampler(dataset, { generator: opts.generator }) : new SequentialSampler(dataset));
      this.batchSampler = opts.batchSampler ?? (this.batchSize !== null ? new BatchSampler(this.sampler, this.batchSize, this.dropLast) : null);
    } else {
      if (opts.shuffle || opts.sampler || opts.batchSampler) {
        throw new Error("DataLoader with IterableDataset: expected unspecified shuffle, sampler and batch_sampler options");
      }
      this.sampler = null;
      this.batchSampler = null;
    }
  }

  /**
   * Each pass draws a base seed first, as PyTorch's iterator does: workers are seeded with it
   * (base + worker id), and the default generator's stream stays PyTorch's epoch after epoch.
   * Persistent workers keep PyTorch's one iterator, reset each epoch: one seed, drawn on the
   * first pass (again after shutdownWorkers).
   */
  private drawBaseSeed(): bigint {
    if (this.persistentWorkers && this.numWorkers > 0) return (this.persistentSeed ??= (this.generator ?? defaultGenerator).nextSeed());
    return (this.generator ?? defaultGenerator).nextSeed();
  }
  private persistentSeed: bigint | null = null;

  /** The number of batches per epoch. */
  get length(): number {
    if (this.batchSampler) return this.batchSampler.length;
    if (this.dataset instanceof Dataset) return this.dataset.length;
    const n = (this.dataset as { length?: number }).length;
    if (n === undefined) throw new TypeError("length of DataLoader over an IterableDataset without a length is unknown");
    return this.batchSize === null ? n : this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Index lists of this epoch (one per batch; single indices when batchSize is null). */
  private *indexBatches(): Generator<number[]> {
    if (this.batchSampler) yield* this.batchSampler;
    else for (const i of this.sampler!) yield [i];
  }

  /** Fetches and collates one batch on this thread. */
  fetch(indices: number[]): B {
    const ds = this.dataset as Dataset<T> & { getBatch?(indices: number[]): unknown };
    if (this.batchSampler && !this.customCollate && ds.getBatch) return ds.getBatch(indices) as B;
    const samples = indices.map((i) => {
      const s = ds.getItem(i);
      if (s instanceof Promise) throw new TypeError(`dataset.getItem(${i}) returned a Promise: iterate the DataLoader with for await`);
      return s;
    });
    return (this.batchSampler ? this.collate(samples, indices) : samples[0]) as B;
  }

  *[Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) throw new Error("DataLoader with numWorkers > 0 loads in workers: iterate it with for await");
    this.drawBaseSeed();
    if (this.dataset instanceof Dataset) {
      for (const indices of this.indexBatches()) {
        this.batches.cross();
        yield this.fetch(indices);
      }
      return;
    }
    const it = (this.dataset as IterableDataset<T>)[Symbol.iterator];
    if (!it) throw new TypeError("this IterableDataset is only async-iterable: iterate the DataLoader with for await");
    yield* this.streamBatches(it.call(this.dataset));
  }

  private *streamBatches(it: Iterator<T>): Generator<B> {
    const batcher = new Batcher<T, B>(this.batchSize, this.dropLast, this.collate);
    for (let r = it.next(); !r.done; r = it.next()) yield* this.handOut(batcher.add(r.value));
    yield* this.handOut(batcher.finish());
  }

  /** Yields batches, each one a memory boundary. */
  private *handOut(batches: B[]): Generator<B> {
    for (const b of batches) {
      this.batches.cross();
      yield b;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const baseSeed = this.drawBaseSeed();
    if (this.dataset instanceof Dataset) {
      if (this.numWorkers > 0) {
        yield* this.fromWorkers(baseSeed);
        return;
      }
      for (const indices of this.indexBatches()) {
        const samples = await Promise.all(indices.map((i) => (this.dataset as Dataset<T>).getItem(i)));
        this.batches.cross();
        yield (this.batchSampler ? this.collate(samples as T[], indices) : samples[0]) as B;
      }
      return;
    }
    const ds = this.dataset as IterableDataset<T>;
    if (!ds[Symbol.asyncIterator]) {
      yield* this.streamBatches(ds[Symbol.iterator]!());
      return;
    }
    const batcher = new Batcher<T, B>(this.batchSize, this.dropLast, this.collate);
    const it = ds[Symbol.asyncIterator]!();
    for (let r = await it.next(); !r.done; r = await it.next()) yield* this.handOut(batcher.add(r.value));
    yield* this.handOut(batcher.finish());
  }

  /** Stops this loader's workers (with persistentWorkers they otherwise serve every epoch). */
  async shutdownWorkers(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
    this.persistentSeed = null;
  }

  private async *fromWorkers(baseSeed: bigint): AsyncGenerator<B> {
    if (!isWorkerCapable(this.dataset)) {
      throw new Error(
        `numWorkers > 0 needs a dataset a worker can rebuild: ${this.dataset.constructor.name} has no workerSpec() ` +
          "(module URL, export name and arguments, as TensorDataset provides)",
      );
    }
    const batches = [...this.indexBatches()];
    const batched = this.batchSampler !== null;
    this.pool ??= new WorkerPool(this.dataset, {
      numWorkers: this.numWorkers,
      prefetchFactor: this.prefetchFactor,
      collateInWorker: !this.customCollate,
      timeout: this.timeout,
    });
    const fetched = this.pool.run(batches, batched, baseSeed);
    let k = 0;
    try {
      for await (const value of fetched) {
        const indices = batches[k++];
        const batch = this.customCollate ? (batched ? this.collate(value as T[], indices) : (value as T[])[0]) : value;
        this.batches.cross();
        yield batch as B;
      }
    } finally {
      if (!this.persistentWorkers) await this.shutdownWorkers();
    }
  }
}

/** Groups streamed samples into collated batches (or passes them through with batchSize null). */
class Batcher<T, B> {
  private chunk: T[] = [];
  constructor(private readonly size: number | null, private readonly dropLast: boolean, private readonly collate: (s: T[]) => unknown) {}
  /** The batches this sample completes: none or one. */
  add(item: T): B[] {
    if (this.size === null) return [item as unknown as B];
    this.chunk.push(item);
    if (this.chunk.length < this.size) return [];
    const batch = this.collate(this.chunk) as B;
    this.chunk = [];
    return [batch];
  }
  /** The last, partial batch unless dropLast. */
  finish(): B[] {
    if (this.chunk.length === 0 || this.dropLast || this.size === null) return [];
    return [this.collate(this.chunk) as B];
  }
}
