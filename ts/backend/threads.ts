// torch.setNumThreads / getNumThreads, and the worker threads that share the big kernels'
// work. With the threads build (./wasm.ts), each worker instantiates the same module over the
// same shared memory, with its own stack and thread-local block, then waits on a control
// block: the calling thread writes a job (kernel, arguments, number of parts), wakes the
// workers, computes part 0 itself and waits until every other part is done. A kernel's parts
// write disjoint outputs, and each element is computed as by one thread, so results are the
// same for any thread count. Workers start on the first job big enough to share (that job runs
// on one thread) and never keep a process alive. Pages without cross-origin isolation, which
// cannot share memory, run on one thread; setNumThreads says why.
import { kernel, kernelsModule, malloc, memory, threadsBuild, tlsBytes } from "./wasm.js";
import { nodeBuiltin, requireBuiltin } from "../node-builtins.js";

/** Kernels that take (…arguments, part, parts) and compute part `part` of `parts`. */
const PARALLEL = ["matmul_f32", "conv2d_f32", "conv2d_weight_f32", "im2col_f32", "col2im_f32", "max_pool2d_f32", "avg_pool2d_f32", "avg_pool2d_backward_f32"] as const;
type ParallelKernel = (typeof PARALLEL)[number];

// the control block: job sequence number, parts finished by workers, error flag, kernel,
// argument count, parts; then the arguments as float64
const SEQ = 0, DONE = 1, ERROR = 2, KERNEL = 3, NARGS = 4, PARTS = 5;
const MAX_ARGS = 32;
const WORKER_STACK = 1 << 20;
/**
 * How long a worker spins on the control block before it sleeps, and the caller before it
 * blocks: waking a sleeping thread takes 50–100 µs, as long as a whole layer's product, so
 * in a training loop (a job every few hundred µs) the workers stay awake, as OpenMP's do.
 */
const SPIN_MS = 2;

const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string" && !("Deno" in globalThis) && !("Bun" in globalThis);
// Deno's Web Workers keep the process alive for good; its node:worker_threads can be unref'd
const nodeWorkers = isNode || "Deno" in globalThis;

/** The machine's cores: PyTorch's default thread count. */
const cores: number = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency
  ?? nodeBuiltin("node:os")?.availableParallelism() ?? 1;

let numThreads = threadsBuild ? Math.max(1, cores) : 1;

/** torch.setNumThreads: the threads the big kernels use (1 = the calling thread alone). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`set_num_threads expects a positive integer, but got ${n}`);
  if (n > 1 && !threadsBuild) {
    warnOnce("torch.setNumThreads: this page is not cross-origin isolated, so WebAssembly memory cannot be shared between threads; taimatsu runs on one thread (serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)");
    return;
  }
  numThreads = n;
}

/** torch.getNumThreads. */
export function getNumThreads(): number {
  return numThreads;
}

/** A worker that cannot start (or be given a stack) leaves the pool short: work stays on the calling thread. */
function workerFailed(e: unknown): void {
  warnOnce(`taimatsu: a worker thread failed to start (${e instanceof Error ? e.message : String((e as { message?: string }).message ?? e)}); running on one thread`);
}

let warned = false;
function warnOnce(msg: string): void {
  if (!warned) console.warn(msg);
  warned = true;
}

interface Pool {
  size: number;
  workers: { terminate(): unknown }[];
  ready: number;
  ctrl: Int32Array;
  args: Float64Array;
  /** Jobs shared with workers so far (for tests and benchmarks). */
  jobs: number;
  started: Promise<void>;
}

let pool: Pool | null = null;

/** The code each worker runs: instantiate, then wait for jobs forever. */
const workerMain = `
const start = (onInit, post) => onInit(async ({ module, memory, ctrl, args, names, stack, tls, part }) => {
  const { exports: ex } = await WebAssembly.instantiate(module, { env: { memory } });
  ex.__stack_pointer.value = stack;
  ex.__wasm_init_tls(tls);
  const fns = names.map((n) => ex[n]);
  // read before saying ready: a job posted right after must look new
  let seen = Atomics.load(ctrl, ${SEQ});
  post("ready");
  for (;;) {
    const since = performance.now();
    while (Atomics.load(ctrl, ${SEQ}) === seen && performance.now() - since < ${SPIN_MS}) {}
    Atomics.wait(ctrl, ${SEQ}, seen);
    seen = Atomics.load(ctrl, ${SEQ});
    const parts = ctrl[${PARTS}];
    if (part >= parts) continue;
    try {
      fns[ctrl[${KERNEL}]](...Array.from(args.subarray(0, ctrl[${NARGS}])), part, parts);
    } catch {
      ex.__stack_pointer.value = stack;
      Atomics.store(ctrl, ${ERROR}, 1);
    }
    Atomics.add(ctrl, ${DONE}, 1);
    Atomics.notify(ctrl, ${DONE});
  }
});`;

async function spawn(): Promise<{ send(m: unknown): void; onReady(f: () => void): void; terminate(): unknown }> {
  if (nodeWorkers) {
    const { Worker } = requireBuiltin("node:worker_threads", "torch.setNumThreads");
    // import() rather than require: it works whether the eval'd code runs as a script or a module
    const code = `${workerMain}\nimport("node:worker_threads").then(({ parentPort }) => start((f) => parentPort.once("message", f), (m) => parentPort.postMessage(m)));`;
    const w = new Worker(code, { eval: true, execArgv: [] });
    w.unref();
    w.on("error", workerFailed);
    return { send: (m) => w.postMessage(m), onReady: (f) => w.once("message", () => f()), terminate: () => w.terminate() };
  }
  const code = `${workerMain}\nstart((f) => { self.onmessage = (e) => f(e.data); }, (m) => self.postMessage(m));`;
  const w = new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })), { type: "module" });
  (w as unknown as { unref?: () => void }).unref?.();
  w.addEventListener("error", workerFailed);
  return { send: (m) => w.postMessage(m), onReady: (f) => w.addEventListener("message", () => f(), { once: true }), terminate: () => w.terminate() };
}

function startPool(size: number): Pool {
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * 8));
  const args = new Float64Array(new SharedArrayBuffer(8 * MAX_ARGS));
  const p: Pool = { size, workers: [], ready: 0, ctrl, args, jobs: 0, started: Promise.resolve() };
  p.started = Promise.all(
    Array.from({ length: size }, async (_, k) => {
      const w = await spawn();
      p.workers.push(w);
      // a stack and a thread-local block of its own in the shared memory, never freed (workers live as long as the program)
      const stack = malloc(WORKER_STACK);
      const tls = malloc(Math.max(tlsBytes, 16));
      if (stack === 0 || tls === 0) throw new RangeError("taimatsu: cannot allocate a worker thread's stack");
      await new Promise<void>((resolve) => {
        w.onReady(resolve);
        w.send({ module: kernelsModule, memory, ctrl, args, names: PARALLEL, stack: stack + WORKER_STACK, tls, part: k + 1 });
      });
      p.ready++;
    }),
  ).then(() => undefined, workerFailed);
  return p;
}

/** A pool with workers for `threads` threads, started (or restarted larger) if need be. */
function poolFor(threads: number): Pool {
  if (pool === null || pool.size < threads - 1) {
    pool?.workers.forEach((w) => w.terminate());
    pool = startPool(threads - 1);
  }
  return pool;
}

/** Worth sharing with workers: about 20 µs of one thread's work. */
const MIN_WORK = 1 << 18;

/**
 * Runs a parallel kernel on `args`, split over the threads when `work` (multiply-adds, or
 * elements moved) is big enough and the workers are up; otherwise on the calling thread.
 */
export function runParallel(name: ParallelKernel, work: number, ...args: number[]): void {
  const parts = numThreads;
  if (parts <= 1 || work < MIN_WORK) {
    kernel(name)(...args, 0, 1);
    return;
  }
  const p = poolFor(parts);
  if (p.ready < parts - 1) {
    kernel(name)(...args, 0, 1);
    return;
  }
  const { ctrl } = p;
  p.args.set(args);
  ctrl[KERNEL] = PARALLEL.indexOf(name);
  ctrl[NARGS] = args.length;
  ctrl[PARTS] = parts;
  Atomics.store(ctrl, DONE, 0);
  Atomics.store(ctrl, ERROR, 0);
  Atomics.add(ctrl, SEQ, 1);
  Atomics.notify(ctrl, SEQ);
  p.jobs++;
  let error: unknown = null;
  try {
    kernel(name)(...args, 0, parts);
  } catch (e) {
    error = e;
  }
  // the other parts write into memory this thread reads next, so it waits for them even after an error
  const since = performance.now();
  for (let done = Atomics.load(ctrl, DONE); done < parts - 1; done = Atomics.load(ctrl, DONE)) {
    if (canBlock && performance.now() - since > SPIN_MS) Atomics.wait(ctrl, DONE, done, 100);
  }
  if (error !== null) throw error;
  if (ctrl[ERROR]) throw new Error(`taimatsu: the ${name} kernel trapped in a worker thread; this is a bug in taimatsu, please report it with the call that caused it`);
}

/** Browsers' main threads may not block in Atomics.wait: they spin instead. */
const canBlock = isNode || "Deno" in globalThis || "Bun" in globalThis || typeof (globalThis as { document?: unknown }).document === "undefined";

/** For tests and benchmarks: the worker threads started and ready, and the jobs shared with them. */
export function threadPoolStats(): { workers: number; ready: number; jobs: number } {
  return { workers: pool?.workers.length ?? 0, ready: pool?.ready ?? 0, jobs: pool?.jobs ?? 0 };
}

/** For tests and benchmarks: resolves once the workers for getNumThreads() threads are up. */
export async function threadsReady(): Promise<void> {
  if (numThreads > 1) await poolFor(numThreads).started;
}
