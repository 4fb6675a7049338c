// torch.memoryStats(): what the memory model holds right now.
import { memoryBytes } from "../backend/wasm.js";
import { lifetimeStats } from "./lifetime.js";
import { resetPeak, storageStats } from "./storage.js";

export interface MemoryStats {
  /** Tensors not yet released (views count separately from their base). */
  liveTensors: number;
  /** Of those, tensors the next boundaries may release (not kept, not parameters or grads). */
  temporaryTensors: number;
  /** Distinct storage blocks allocated. */
  storages: number;
  /** Bytes of tensor storage in use, and the most there has been since the last reset. */
  bytesInUse: number;
  peakBytes: number;
  /** Size of the WebAssembly linear memory (it grows, never shrinks). */
  wasmMemoryBytes: number;
}

export function memoryStats(opts: { resetPeak?: boolean } = {}): MemoryStats {
  const { liveTensors, unkeptTensors } = lifetimeStats();
  const s = storageStats();
  const stats = {
    liveTensors,
    temporaryTensors: unkeptTensors,
    storages: s.storages,
    bytesInUse: s.bytesInUse,
    peakBytes: s.peakBytes,
    wasmMemoryBytes: memoryBytes(),
  };
  if (opts.resetPeak) resetPeak();
  return stats;
}
