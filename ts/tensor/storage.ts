// The bytes behind a tensor and its views. They live in WebAssembly memory or, evicted, in a
// JS-owned copy (residency.ts); reading `ptr` brings them back and marks them used, so every
// kernel call sees resident memory. The version counter is shared by all views, as PyTorch's
// is, so an in-place write through any view is seen by autograd's saved-tensor checks.
import { MAX_BLOCK_BYTES } from "../backend/wasm.js";
import { DType, DTYPES, itemSize } from "./dtype.js";
import { allocate, Block, clock, release, reload, setLongLived } from "./residency.js";

/** The op being run, for allocation errors (set at op entry by raw.use and the factories). */
let currentOp = "taimatsu";
export function setCurrentOp(op: string): void {
  currentOp = op;
}

/** PyTorch's check of a new tensor's sizes, naming the op that makes it. */
export function checkShape(shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d)) throw new TypeError(`${currentOp}: sizes must be integers, got ${String(d)} in [${shape.join(", ")}]`);
    if (d < 0) throw new RangeError(`${currentOp}: Trying to create tensor with negative dimension ${d}: [${shape.join(", ")}]`);
  }
}

export class Storage {
  /** @internal */
  readonly nbytes: number;
  /** @internal */
  readonly block: Block;
  /** @internal */
  evicted: Uint8Array | null = null;
  /** @internal */
  version = 0;

  constructor(readonly dtype: DType, readonly length: number, zeroed: boolean) {
    if (itemSize[dtype] === undefined) throw new TypeError(`${currentOp}: invalid dtype '${String(dtype)}'; expected one of ${DTYPES.join(", ")}`);
    const nbytes = length * itemSize[dtype];
    if (!Number.isSafeInteger(length) || length < 0 || nbytes > MAX_BLOCK_BYTES) {
      throw new RangeError(
        `${currentOp}: cannot allocate a tensor of ${length} elements of ${dtype} (${nbytes} bytes): ` +
          (Number.isSafeInteger(length) && length >= 0
            ? `one tensor can hold at most 2 GiB in WebAssembly memory (wasm32; 4 GiB in all)`
            : `the number of elements must be a non-negative integer`),
      );
    }
    this.nbytes = nbytes;
    const op = currentOp;
    this.block = allocate(this, nbytes, zeroed, () => op);
  }

  /** The address of the bytes in WebAssembly memory, copied back in first if evicted. @internal */
  get ptr(): number {
    const b = this.block;
    if (b.ptr === 0) {
      if (b.freed) throw new Error(`${currentOp}: the memory of this tensor was freed`);
      reload(b, this, () => currentOp);
    }
    b.lastUse = clock;
    return b.ptr;
  }

  /** Brings the bytes into WebAssembly memory if evicted, and marks them used now. @internal */
  touch(): void {
    const b = this.block;
    if (b.ptr === 0) void this.ptr;
    else b.lastUse = clock;
  }

  /** Undisposed tensors over this storage. @internal */
  get refs(): number {
    return this.block.refs;
  }

  /** @internal */
  retain(): void {
    if (this.block.freed) throw new Error(`${currentOp}: the memory of this tensor was freed`);
    this.block.refs++;
  }

  /** A tensor over it was disposed; the last one frees the bytes. @internal */
  drop(): void {
    if (--this.block.refs === 0) release(this.block, this);
  }

  /** @internal */
  setLongLived(on: boolean): void {
    setLongLived(this.block, on);
  }
}
