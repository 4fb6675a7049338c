// Instantiates the Rust kernels once, when the module is first imported, and exposes their
// exports plus typed views of linear memory. Memory growth replaces the buffer, so views are
// re-created lazily whenever it has changed. Where memory can be shared between threads
// (Node, Bun, Deno, cross-origin-isolated pages) the threads build runs over a shared memory
// that worker threads instantiate the same module on (./threads.ts); elsewhere the one-thread
// build does. Compiling synchronously (the module is ~150 KB, far below the
// size browsers allow on a main thread) keeps top-level await out of the package, so it also
// works as CommonJS, in IIFE bundles and in bundlers' classic workers.
import { kernelsWasmBase64 } from "./kernels-wasm.js";
import { kernelsThreadsWasmBase64 } from "./kernels-wasm-threads.js";

type Ptr = number;
type KernelFn = (...args: number[]) => number;

interface KernelExports {
  memory?: WebAssembly.Memory;
  __stack_pointer: WebAssembly.Global;
  __tls_size?: WebAssembly.Global;
  tm_alloc(bytes: number): Ptr;
  tm_alloc_zeroed(bytes: number): Ptr;
  tm_free(ptr: Ptr, bytes: number): void;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Shared memory is usable: SharedArrayBuffer exists and, in a browser, the page is cross-origin isolated. */
export const threadsBuild = typeof SharedArrayBuffer === "function" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

/** The threads build's memory: 2 MiB to start (its linked initial size), up to 4 GiB. */
const sharedMemory = threadsBuild ? new WebAssembly.Memory({ initial: 32, maximum: 65536, shared: true }) : null;
export const kernelsModule = new WebAssembly.Module(decodeBase64(threadsBuild ? kernelsThreadsWasmBase64 : kernelsWasmBase64) as Uint8Array<ArrayBuffer>);
const instance = new WebAssembly.Instance(kernelsModule, sharedMemory ? { env: { memory: sharedMemory } } : {});
const wasm = instance.exports as unknown as KernelExports;
export const memory: WebAssembly.Memory = sharedMemory ?? wasm.memory!;
/** Bytes of the thread-local block each extra thread needs (threads build only). */
export const tlsBytes = (wasm.__tls_size?.value as number | undefined) ?? 0;

const kernels = new Map<string, KernelFn>();
// Kernels are never re-entered, so between calls the stack pointer is always its value at start.
const stackTop = wasm.__stack_pointer.value as number;

/**
 * A kernel trapped (a bug: arguments are validated before any kernel runs). The trap skipped
 * the epilogue that pops the kernel's stack frame, so the stack pointer is put back; the
 * heap is untouched (kernels do not allocate), and later calls work.
 */
function trapped(name: string, err: unknown): unknown {
  wasm.__stack_pointer.value = stackTop;
  if (!(err instanceof WebAssembly.RuntimeError)) return err;
  return new Error(`taimatsu: the ${name} kernel trapped (${err.message}); this is a bug in taimatsu, please report it with the call that caused it`);
}

/** How far the stack pointer is below its resting value: 0 between kernel calls, traps included. */
export function stackDepth(): number {
  return stackTop - (wasm.__stack_pointer.value as number);
}

/** A kernel by its export name (`exp_f32`, `matmul_f32`, …); a missing one is a build bug. */
export function kernel(name: string): KernelFn {
  let fn = kernels.get(name);
  if (fn === undefined) {
    const found = (instance.exports as Record<string, unknown>)[name];
    if (typeof found !== "function") throw new Error(`taimatsu: the wasm module exports no kernel '${name}'`);
    const raw = found as KernelFn;
    // fixed arity (no rest arguments to allocate); extra arguments are ignored by wasm
    fn = (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) => {
      try {
        return raw(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p);
      } catch (err) {
        throw trapped(name, err);
      }
    };
    kernels.set(name, fn);
  }
  return fn;
}

export function kernelNames(): string[] {
  return Object.keys(instance.exports).filter((k) => typeof (instance.exports as Record<string, unknown>)[k] === "function");
}

export function memoryBytes(): number {
  return memory.buffer.byteLength;
}

export interface Heap {
  u8: Uint8Array;
  i32: Int32Array;
  u32: Uint32Array;
  f32: Float32Array;
  f64: Float64Array;
  i64: BigInt64Array;
}

let heapBuffer: ArrayBuffer | null = null;
let views: Heap;

export function heap(): Heap {
  const buf = memory.buffer as ArrayBuffer;
  if (buf !== heapBuffer) {
    heapBuffer = buf;
    views = {
      u8: new Uint8Array(buf),
      i32: new Int32Array(buf),
      u32: new Uint32Array(buf),
      f32: new Float32Array(buf),
      f64: new Float64Array(buf),
      i64: new BigInt64Array(buf),
    };
  }
  return views;
}

/**
 * wasm32 addresses 4 GiB in all, but one allocation is at most 2 GiB: Rust's allocator takes
 * sizes up to isize::MAX, which is 2^31 - 1 on wasm32.
 */
export const MAX_BLOCK_BYTES = 2 ** 31 - 64;

/**
 * Allocates `bytes` (16-byte aligned), zero-filled only when asked (outputs are overwritten
 * anyway). Returns 0 when the memory cannot grow enough. Pointers are unsigned: wasm returns
 * them as i32, negative past 2 GiB.
 */
export function malloc(bytes: number, zeroed = false): Ptr {
  if (!(bytes >= 0 && bytes <= MAX_BLOCK_BYTES)) return 0;
  return (zeroed ? wasm.tm_alloc_zeroed(bytes) : wasm.tm_alloc(bytes)) >>> 0;
}

export function free(ptr: Ptr, bytes: number): void {
  wasm.tm_free(ptr, bytes);
}

// One scratch block for the i32 shape/stride metadata that strided kernels read.
const META_INTS = 1024;
const metaPtr = malloc(META_INTS * 4);
if (metaPtr === 0) throw new RangeError("taimatsu: cannot allocate its metadata block");

/** The metadata of a flat run of `n` elements read with stride 1 by both operands. */
export function writeFlatMeta(n: number): Ptr {
  const i32 = heap().i32;
  const at = metaPtr >> 2;
  i32[at] = n;
  i32[at + 1] = 1;
  i32[at + 2] = 1;
  return metaPtr;
}

export function writeMeta(...parts: readonly number[][]): Ptr {
  const i32 = heap().i32;
  let at = metaPtr >> 2;
  for (const part of parts) {
    for (const v of part) i32[at++] = v;
  }
  return metaPtr;
}
