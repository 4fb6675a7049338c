// DataLoader workers (numWorkers > 0): Node worker_threads or Web Workers running the
// package's worker entry (../worker.ts), each rebuilding the dataset from its workerSpec()
// (a module URL, an export and structured-cloneable arguments, as PyTorch pickles the
// dataset), fetching and collating whole batches.
// Batches are handed out round-robin as in PyTorch, `prefetchFactor` per worker are kept in
// flight, and results are yielded in sampler order, so the batches equal numWorkers: 0's.
// Datasets may also offer getBatch(indices), a faster route to the default-collated batch.
import { Tensor } from "../tensor/tensor.js";
import { requireBuiltin, type NodeWorker } from "../node-builtins.js";
import { tensor } from "../tensor/create.js";
import type { DType } from "../tensor/dtype.js";

/**
 * How a worker rebuilds a dataset: `new (await import(module))[exportName path](...args)`;
 * `module` is LIBRARY for the library's own classes, which the worker takes from its own copy
 * of the library (in an app bundle the library has no URL of its own).
 */
export interface WorkerSpec {
  module: string;
  exportName: string;
  args: unknown[];
}

/** A dataset that can be rebuilt inside a worker. */
export interface WorkerCapable {
  workerSpec(): WorkerSpec;
}

export const LIBRARY = "taimatsu";

export const isWorkerCapable = (d: unknown): d is WorkerCapable => typeof (d as WorkerCapable)?.workerSpec === "function";

/** An image data set's transforms can go to a worker only as torch.vision transforms, not as plain functions. */
export function checkTransforms(dataset: string, transforms: { transform: unknown; targetTransform: unknown }): void {
  for (const [what, f] of Object.entries(transforms)) {
    if (f !== null && !isWorkerCapable(f)) {
      throw new Error(`${dataset}: its ${what} is a plain function, which a DataLoader worker cannot rebuild; use torch.vision.transforms (and Compose), or numWorkers: 0`);
    }
  }
}

type Packed = { __tensor: DType; shape: number[]; data: ArrayBufferView } | { __spec: WorkerSpec } | Packed[] | { [k: string]: Packed } | unknown;

/** Tensors (and nested specs) into structured-cloneable form; transferables collected. */
export function pack(v: unknown, transfer: ArrayBuffer[] = []): Packed {
  if (v instanceof Tensor) {
    const data = v.toTypedArray();
    transfer.push(data.buffer as ArrayBuffer);
    return { __tensor: v.dtype, shape: [...v.shape], data };
  }
  if (isWorkerCapable(v)) return { __spec: packSpec(v.workerSpec(), transfer) };
  if (Array.isArray(v)) return v.map((x) => pack(x, transfer));
  if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pack(x, transfer)]));
  }
  return v;
}

function packSpec(s: WorkerSpec, transfer: ArrayBuffer[]): WorkerSpec {
  return { ...s, args: s.args.map((a) => pack(a, transfer)) };
}

export function unpack(v: Packed): unknown {
  if (Array.isArray(v)) return v.map(unpack);
  if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.__tensor === "string") {
      const data = o.data as ArrayBufferView;
      const flat = o.__tensor === "bool" ? tensor(Array.from(data as Uint8Array, (b) => b !== 0)) : tensor(data as Float32Array);
      return flat.reshape(o.shape as number[]);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unpack(x as Packed)]));
  }
  return v;
}

interface Channel {
  send(m: unknown): void;
  onMessage(fn: (m: Record<string, unknown>) => void): void;
  /** Called once if the worker dies: an uncaught error (its message) or an exit (its code). */
  onDeath(fn: (why: { error?: string; code?: number }) => void): void;
  /** Whether the worker keeps a Node process alive: only while an epoch waits on it. */
  hold(busy: boolean): void;
  terminate(): Promise<unknown>;
}

/**
 * Starts one worker on the package's worker entry. The package entry (ts/main.ts) registers
 * it, because only there, next to worker.js, can the worker's URL be written in the form
 * bundlers find; the sources alone have no worker entry to start.
 */
let startWorker: (() => Worker) | null = null;

export function registerWorkerEntry(start: () => Worker): void {
  startWorker = start;
}

function webWorker(): Worker {
  if (startWorker === null) throw new Error("DataLoader's numWorkers needs the built package (dist/taimatsu.js), which ships the worker entry");
  return startWorker();
}

/**
 * Node has no Web Worker: the entry's `new Worker(url)` is given worker_threads' Worker for
 * that one synchronous call, so the same URL (resolved by the bundler, if any) serves both.
 */
function nodeWorker(): NodeWorker {
  const { Worker } = requireBuiltin("node:worker_threads", "DataLoader's numWorkers");
  const g = globalThis as { Worker?: unknown };
  // evaluated code that imports the file, not the file itself: the worker inherits the
  // parent's flags (a loader such as tsx's, for a dataset module in TypeScript), and Node
  // refuses some of them (--input-type) for a worker that runs a file
  g.Worker = function (url: URL) {
    return new Worker(`import(${JSON.stringify(String(url))});`, { eval: true });
  };
  try {
    return webWorker() as unknown as NodeWorker;
  } finally {
    delete g.Worker;
  }
}

/** A Web Worker where the runtime has them (browsers, Deno, Bun), else Node's worker_threads. */
function spawn(): Channel {
  if (typeof (globalThis as { Worker?: unknown }).Worker === "undefined") {
    const w = nodeWorker();
    return {
      send: (m) => w.postMessage(m),
      onMessage: (fn) => w.on("message", fn),
      // listening to "error" also keeps a worker's uncaught error from killing this process
      onDeath: (fn) => {
        w.on("error", (e: unknown) => fn({ error: e instanceof Error ? e.message : String(e) }));
        w.on("exit", (code: number) => fn({ code }));
      },
      hold: (busy) => (busy ? w.ref() : w.unref()),
      terminate: () => w.terminate(),
    };
  }
  const w = webWorker() as Worker & { ref?(): void; unref?(): void };
  return {
    send: (m) => w.postMessage(m),
    onMessage: (fn) => (w.onmessage = (e) => fn(e.data)),
    onDeath: (fn) => {
      w.onerror = (e) => {
        e.preventDefault?.();
        // a worker script that cannot load (a bundler that did not emit it) fails with no message
        fn({ error: e.message || "its script failed to load (see the bundler notes in taimatsu's README)" });
      };
    },
    // Bun's workers can be unref'd like Node's; browsers have no process to keep alive
    hold: (busy) => (busy ? w.ref?.() : w.unref?.()),
    terminate: async () => w.terminate(),
  };
}

export interface WorkerPoolOptions {
  numWorkers: number;
  prefetchFactor: number;
  /** Whether workers collate (default collate) or return raw samples for the main thread's collateFn. */
  collateInWorker: boolean;
  /** Seconds to wait for one batch (0: no limit), as PyTorch's DataLoader timeout. */
  timeout: number;
}

function describeDeath(why: { error?: string; code?: number }): string {
  return why.error !== undefined ? `failed with an uncaught error (${why.error})` : `exited unexpectedly with exit code ${why.code}`;
}

/**
 * Workers that hold a rebuilt copy of one dataset, for one epoch or, with
 * persistentWorkers, for all of them (rebuilding a dataset in a JS worker means copying it).
 */
export class WorkerPool {
  private workers: Promise<Channel[]> | null = null;
  private readonly results = new Map<number, { value?: unknown; error?: string }>();
  private wake: (() => void) | null = null;
  private nextId = 0;
  /** The first worker that died, and how; the pool is rebuilt on the next epoch. */
  private death: { worker: number; error?: string; code?: number } | null = null;
  /** Counts pool lifetimes: a worker of an earlier one (being terminated) no longer reports. */
  private generation = 0;

  constructor(private readonly dataset: WorkerCapable, private readonly o: WorkerPoolOptions) {}

  /** Starts the workers (once), seeding worker k with `seed + k` as PyTorch does. */
  private start(seed: bigint): Promise<Channel[]> {
    this.workers ??= (async () => {
      const workers = Array.from({ length: this.o.numWorkers }, spawn);
      this.death = null;
      const gen = ++this.generation;
      const ready = workers.map(
        (w, k) =>
          new Promise<void>((resolve, reject) => {
            w.onDeath((why) => {
              if (gen !== this.generation) return;
              this.death ??= { worker: k, ...why };
              reject(new Error(`DataLoader worker ${k} ${describeDeath(why)} while starting`));
              this.wake?.();
            });
            w.onMessage((m) => {
              if (m.ready) return resolve();
              if (m.id === -1) return reject(new Error(`DataLoader worker ${k} could not rebuild the dataset: ${m.error}`));
              this.results.set(m.id as number, m as { value?: unknown; error?: string });
              this.wake?.();
            });
          }),
      );
      const spec = packSpec(this.dataset.workerSpec(), []);
      workers.forEach((w, k) => w.send({ init: { spec, collate: this.o.collateInWorker, seed: seed + BigInt(k) } }));
      await Promise.all(ready);
      return workers;
    })();
    return this.workers;
  }

  /** Yields the fetched batches for `batches` (lists of indices), in order. */
  async *run(batches: number[][], batched: boolean, seed: bigint): AsyncGenerator<unknown> {
    const workers = await this.start(seed);
    workers.forEach((w) => w.hold(true));
    const base = this.nextId;
    this.nextId += batches.length;
    let sent = 0;
    const sendNext = (): void => {
      if (sent < batches.length) workers[sent % workers.length].send({ id: base + sent, indices: batches[sent], batched });
      sent++;
    };
    for (let k = 0; k < this.o.numWorkers * this.o.prefetchFactor; k++) sendNext();
    try {
      for (let k = 0; k < batches.length; k++) {
        const deadline = this.o.timeout > 0 ? Date.now() + this.o.timeout * 1000 : Infinity;
        while (!this.results.has(base + k)) {
          if (this.death !== null) {
            const d = this.death;
            // the first batch the dead worker had not delivered
            let lost = k;
            while (lost < sent && lost < batches.length && (lost % workers.length !== d.worker || this.results.has(base + lost))) lost++;
            await this.close();
            throw new Error(`DataLoader worker ${d.worker} ${describeDeath(d)} while loading batch ${lost} (dataset indices [${(batches[lost] ?? []).join(", ")}])`);
          }
          if (Date.now() >= deadline) {
            await this.close();
            throw new Error(`DataLoader timed out after ${this.o.timeout} seconds waiting for batch ${k} from worker ${k % workers.length}`);
          }
          await new Promise<void>((r) => {
            const timer = deadline === Infinity ? null : setTimeout(r, deadline - Date.now());
            this.wake = () => {
              if (timer !== null) clearTimeout(timer);
              r();
            };
          });
        }
        const r = this.results.get(base + k)!;
        this.results.delete(base + k);
        if (r.error !== undefined) {
          throw new Error(`DataLoader worker ${k % workers.length} failed on batch ${k} (dataset indices [${batches[k].join(", ")}]): ${r.error}`);
        }
        sendNext();
        yield unpack(r.value as Packed);
      }
    } finally {
      // an epoch left early: answers still in flight for it are dropped when they arrive
      for (const id of this.results.keys()) if (id < this.nextId) this.results.delete(id);
      workers.forEach((w) => w.hold(false));
    }
  }

  async close(): Promise<void> {
    const pending = this.workers;
    this.workers = null;
    this.generation++;
    const workers = await pending?.catch(() => null);
    await Promise.all((workers ?? []).map((w) => w.terminate()));
  }
}
