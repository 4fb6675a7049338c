// A block of WebAssembly memory shared by a tensor and its views. It counts the tensors
// that use it and frees the block when the last one is released. The version counter is
// shared by all views, as PyTorch's is, so an in-place write through any view is seen by
// autograd's saved-tensor checks.
import { free, malloc } from "../backend/wasm.js";
import { DType, itemSize } from "./dtype.js";

let bytesInUse = 0;
let peakBytes = 0;
let storageCount = 0;

export class Storage {
  readonly ptr: number;
  readonly nbytes: number;
  refs = 0;
  version = 0;

  constructor(readonly dtype: DType, readonly length: number, zeroed: boolean) {
    this.nbytes = length * itemSize[dtype];
    this.ptr = malloc(this.nbytes, zeroed);
    bytesInUse += this.nbytes;
    peakBytes = Math.max(peakBytes, bytesInUse);
    storageCount++;
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs === 0) {
      free(this.ptr, this.nbytes);
      bytesInUse -= this.nbytes;
      storageCount--;
    }
  }
}

export function storageStats(): { bytesInUse: number; peakBytes: number; storages: number } {
  return { bytesInUse, peakBytes, storages: storageCount };
}

export function resetPeak(): void {
  peakBytes = bytesInUse;
}
