// torch.testing: switches the tests use to hold the wasm kernels to the JS oracle loops, and
// to hold the memory model to a run that frees nothing, and to see the worker threads.
import { setInternalFreeing } from "./tensor/lifetime.js";
import { setEviction } from "./tensor/residency.js";

export { setWasmKernels } from "./ops/raw.js";
export { evictAll } from "./tensor/residency.js";
export { threadPoolStats, threadsReady } from "./backend/threads.js";

/**
 * With `false`, nothing is evicted and only dispose() frees: the reference the memory model's
 * tests compare against. Leaks by design; tests only.
 */
export function setMemoryManagement(on: boolean): void {
  setInternalFreeing(on);
  setEviction(on);
}
