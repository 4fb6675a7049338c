// What loaders accept and savers write: bytes in any form JS hands them over (a Node Buffer,
// often a view into a shared pool; a Uint8Array at any offset; an ArrayBuffer; a DataView),
// or, where a file system exists (Node, Bun, Deno), a path. The file system is reached through
// process.getBuiltinModule, so nothing imports node: modules and browser bundles stay clean.

export type BytesSource = Uint8Array | ArrayBuffer | ArrayBufferView | string;

interface SyncFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
}

function fileSystem(op: string): SyncFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs") as SyncFs | undefined;
  if (fs === undefined) {
    throw new Error(`${op}: file paths need a file system (Node ≥ 20.16, Bun, Deno); here, pass the file's bytes (e.g. from fetch) instead`);
  }
  return fs;
}

/**
 * The bytes of `src` as a plain Uint8Array over exactly those bytes. A Buffer's `slice` is a
 * view, not a copy, so code that copies with `slice()` must never see a Buffer.
 */
export function readBytes(op: string, src: BytesSource): Uint8Array {
  if (typeof src === "string") src = fileSystem(op).readFileSync(src);
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  throw new TypeError(`${op}: expected the file's bytes (Uint8Array, Buffer or ArrayBuffer) or a path, got ${src === null ? "null" : typeof src}`);
}

export function writeBytes(op: string, path: string, bytes: Uint8Array): void {
  fileSystem(op).writeFileSync(path, bytes);
}

/** A file name's stem ("model" for "runs/model.pt"): torch.save names the archive's folder after it. */
export function stem(path: string): string {
  const base = path.split(/[\\/]/).pop()!;
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}
