// torch.memoryStats(): what the memory model holds right now, and what it has moved.
import { memoryBytes } from "../backend/wasm.js";
import { residencyStats, resetPeak } from "./residency.js";

export interface MemoryStats {
  /** Tensor storages in WebAssembly memory (views share one), and how many are long-lived (parameters, buffers, optimizer state). */
  storages: number;
  longLivedStorages: number;
  /** Bytes of tensor storage in WebAssembly memory, and the most there has been since the last reset. */
  bytesInUse: number;
  peakBytes: number;
  /** Size of the WebAssembly linear memory (it grows, never shrinks). */
  wasmMemoryBytes: number;
  /** Storages moved out of WebAssembly memory into JS-owned copies (unused for a while), and their bytes, since the start. */
  evictions: number;
  evictedBytes: number;
  /** Evicted storages used again and copied back in, and their bytes, since the start. */
  reloads: number;
  reloadedBytes: number;
  /** Storages freed because the garbage collector found their tensors unreachable. */
  freedByGC: number;
}

export function memoryStats(opts: { resetPeak?: boolean } = {}): MemoryStats {
  const stats = { ...residencyStats(), wasmMemoryBytes: memoryBytes() };
  if (opts.resetPeak) resetPeak();
  return stats;
}
