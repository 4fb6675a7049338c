// A DataLoader worker: the package's `worker.js` entry, which the main thread starts by a URL
// relative to the package entry (ts/main.ts), the form Vite and webpack turn into a worker
// bundle of its own. It rebuilds the dataset from its workerSpec (the library's own classes
// from this import of the library, a user's from their module URL), then answers
// {id, indices} with the collated (or, with a custom collateFn, raw) samples.
import * as torch from "./index.js";
import { nodeBuiltin } from "./node-builtins.js";
import { defaultCollate } from "./data/collate.js";
import { LIBRARY, pack, unpack, type WorkerSpec } from "./data/worker-loader.js";

interface Dataset {
  getItem(i: number): unknown;
  getBatch?(indices: number[]): unknown;
}
type Message = { init: { spec: WorkerSpec; collate: boolean; seed: bigint } } | { id: number; indices: number[]; batched: boolean };

// Node's worker_threads (which have no `self`) talk through parentPort; Web Workers (browsers, Deno, Bun) through self
const port = typeof self === "undefined" ? nodeBuiltin("node:worker_threads")?.parentPort ?? null : null;
const scope = globalThis as unknown as { postMessage(m: unknown, t: Transferable[]): void; onmessage: ((e: { data: Message }) => void) | null };
const post = (m: unknown, transfer: ArrayBuffer[] = []): void => (port ? port.postMessage(m, transfer) : scope.postMessage(m, transfer));

const byPath = (obj: unknown, path: string): unknown => path.split(".").reduce((o, k) => (o as Record<string, unknown>)[k], obj);

async function build(spec: WorkerSpec): Promise<unknown> {
  const mod = spec.module === LIBRARY ? torch : await import(/* @vite-ignore */ /* webpackIgnore: true */ spec.module);
  const args = await Promise.all(spec.args.map(revive));
  return new (byPath(mod, spec.exportName) as new (...a: unknown[]) => unknown)(...args);
}

async function revive(v: unknown): Promise<unknown> {
  if (isSpec(v)) return build(v.__spec);
  // lists of specs (a Compose's transforms) are rebuilt element by element
  if (Array.isArray(v) && v.some(isSpec)) return Promise.all(v.map(revive));
  return unpack(v);
}

const isSpec = (v: unknown): v is { __spec: WorkerSpec } => v !== null && typeof v === "object" && "__spec" in v;

let dataset: Dataset;
let collate = true;

async function onMessage(m: Message): Promise<void> {
  if ("init" in m) {
    try {
      torch.manualSeed(m.init.seed);
      dataset = (await build(m.init.spec)) as Dataset;
      collate = m.init.collate;
      post({ ready: true });
    } catch (e) {
      post({ id: -1, error: String((e as Error)?.stack ?? e) });
    }
    return;
  }
  try {
    let value: unknown;
    if (collate && m.batched && typeof dataset.getBatch === "function") {
      value = dataset.getBatch(m.indices);
    } else {
      const samples: unknown[] = [];
      for (const i of m.indices) samples.push(await dataset.getItem(i));
      value = collate ? (m.batched ? defaultCollate(samples, m.indices) : samples[0]) : samples;
    }
    const transfer: ArrayBuffer[] = [];
    post({ id: m.id, value: pack(value, transfer) }, transfer);
  } catch (e) {
    post({ id: m.id, error: String((e as Error)?.message ?? e) });
  }
}

if (port) port.on("message", (m) => void onMessage(m as Message));
else scope.onmessage = (e) => void onMessage(e.data);
