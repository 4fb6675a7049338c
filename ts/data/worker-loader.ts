// DataLoader workers (numWorkers > 0): Node worker_threads or Web Workers, each rebuilding
// the dataset from its workerSpec() (a module URL, an export and structured-cloneable
// arguments, as PyTorch pickles the dataset), fetching and collating whole batches.
// Batches are handed out round-robin as in PyTorch, `prefetchFactor` per worker are kept in
// flight, and results are yielded in sampler order, so the batches equal numWorkers: 0's.
// Datasets may also offer getBatch(indices), a faster route to the default-collated batch.
import { Tensor } from "../tensor/tensor.js";
import { requireBuiltin } from "../node-builtins.js";
import { tensor } from "../tensor/create.js";
import type { DType } from "../tensor/dtype.js";

/** How a worker rebuilds a dataset: `new (await import(module))[exportName path](...args)`. */
export interface WorkerSpec {
  module: string;
  exportName: string;
  args: unknown[];
}

/** A dataset that can be rebuilt inside a worker. */
export interface WorkerCapable {
  workerSpec(): WorkerSpec;
}

export const isWorkerCapable = (d: unknown): d is WorkerCapable => typeof (d as WorkerCapable)?.workerSpec === "function";

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

// The worker: imports the library and the dataset's module, rebuilds the dataset, then
// answers {id, indices} with the collated (or, with a custom collateFn, raw) samples.
const WORKER_SOURCE = `
(async () => {
  const node = typeof process !== "undefined" && !!(process.versions && process.versions.node) && typeof self === "undefined";
  const port = node ? (await import("node:worker_threads")).parentPort : null;
  const post = (m, t) => (node ? port.postMessage(m, t) : self.postMessage(m, t));
  let torch, dataset, collate;
  const get = (obj, path) => path.split(".").reduce((o, k) => o[k], obj);
  const build = async (spec) => {
    const mod = await import(spec.module);
    const args = await Promise.all(spec.args.map(revive));
    return new (get(mod, spec.exportName))(...args);
  };
  const revive = async (v) => {
    if (v && typeof v === "object" && v.__spec) return build(v.__spec);
    // lists of specs (a Compose's transforms) are rebuilt element by element
    if (Array.isArray(v) && v.some((x) => x && typeof x === "object" && x.__spec)) return Promise.all(v.map(revive));
    return torch.utils.data.unpackForWorker(v);
  };
  const onMessage = async (m) => {
    if (m.init) {
      try {
        torch = await import(m.init.libraryUrl);
        torch.manualSeed(m.init.seed);
        dataset = await build(m.init.spec);
        collate = m.init.collate;
        post({ ready: true });
      } catch (e) {
        post({ id: -1, error: String((e && e.stack) || e) });
      }
      return;
    }
    try {
      let value;
      if (collate && m.batched && typeof dataset.getBatch === "function") {
        value = dataset.getBatch(m.indices);
      } else {
        const samples = [];
        for (const i of m.indices) samples.push(await dataset.getItem(i));
        value = collate ? (m.batched ? torch.utils.data.defaultCollate(samples, m.indices) : samples[0]) : samples;
      }
      const transfer = [];
      post({ id: m.id, value: torch.utils.data.packForWorker(value, transfer) }, transfer);
    } catch (e) {
      post({ id: m.id, error: String((e && e.message) || e) });
    }
  };
  if (node) port.on("message", onMessage);
  else self.onmessage = (e) => onMessage(e.data);
})();
`;

interface Channel {
  send(m: unknown): void;
  onMessage(fn: (m: Record<string, unknown>) => void): void;
  /** Called once if the worker dies: an uncaught error (its message) or an exit (its code). */
  onDeath(fn: (why: { error?: string; code?: number }) => void): void;
  /** Whether the worker keeps a Node process alive: only while an epoch waits on it. */
  hold(busy: boolean): void;
  terminate(): Promise<unknown>;
}

/** A Web Worker where the runtime has them (browsers, Deno, Bun), else Node's worker_threads. */
async function spawn(): Promise<Channel> {
  if (typeof (globalThis as { Worker?: unknown }).Worker === "undefined") {
    const { Worker } = requireBuiltin("node:worker_threads", "DataLoader's numWorkers");
    const w = new Worker(WORKER_SOURCE, { eval: true });
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
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const w = new Worker(url, { type: "module" }) as Worker & { ref?(): void; unref?(): void };
  return {
    send: (m) => w.postMessage(m),
    onMessage: (fn) => (w.onmessage = (e) => fn(e.data)),
    onDeath: (fn) => {
      w.onerror = (e) => {
        e.preventDefault?.();
        fn({ error: e.message || "an uncaught error" });
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
  libraryUrl: string;
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
      const workers = await Promise.all(Array.from({ length: this.o.numWorkers }, spawn));
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
      workers.forEach((w, k) => w.send({ init: { libraryUrl: this.o.libraryUrl, spec, collate: this.o.collateInWorker, seed: seed + BigInt(k) } }));
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
