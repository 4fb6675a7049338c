// torch.load / torch.save in PyTorch's format since 1.6: a ZIP archive (entries stored, not
// compressed) holding `data.pkl`, a pickle of the object whose tensors refer by persistent id
// to raw little-endian storages under `data/<key>`; load also reads the format before 1.6
// (pickles, then the storages' bytes: loadLegacy). load reads state dicts (and nested
// dicts/lists of tensors and numbers): the pickle opcodes and globals such files use, with a
// clear error for anything else, since a pickle can name arbitrary Python code. save writes a
// state dict the way torch.save does, for torch.load in Python.
import { crc32 } from "./crc32.js";
import { storageArray } from "../backend/typed.js";
import { contiguous } from "../ops/raw.js";
import { DType, itemSize } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { device, type Device } from "../ops/convert.js";
import { BytesSource, readBytes, stem, writeBytes } from "./bytes.js";

export interface LoadOptions {
  /** Where tensors go, as PyTorch's map_location: taimatsu has only the CPU, so "cpu" (or a cpu device). */
  mapLocation?: string | Device;
}

/**
 * The archive's entries by name (stored entries only, as torch.save writes them). Entries lie
 * inside the file and do not share bytes: overlapping entries could make a small file load as
 * gigabytes of tensors.
 */
function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  try {
    return readZipEntries(bytes);
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`torch.load: corrupt ZIP archive (a record points outside the file: ${e.message})`);
    throw e;
  }
}

function readZipEntries(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("torch.load: neither a ZIP archive (torch.save since PyTorch 1.6) nor a pickle (torch.save before 1.6)");
  let count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (at === 0xffffffff || count === 0xffff) {
    // ZIP64: the end-of-central-directory record the locator points to
    const loc = eocd - 20;
    const z64 = Number(view.getBigUint64(loc + 8, true));
    count = Number(view.getBigUint64(z64 + 32, true));
    at = Number(view.getBigUint64(z64 + 48, true));
  }
  const entries = new Map<string, Uint8Array>();
  const ranges: [number, number, string][] = [];
  const decoder = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("torch.load: corrupt ZIP central directory");
    const method = view.getUint16(at + 10, true);
    let size = view.getUint32(at + 20, true);
    let full = view.getUint32(at + 24, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    let local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    // ZIP64 extra field: 64-bit sizes and offset where the 32-bit ones are saturated
    for (let e = at + 46 + nameLen; e < at + 46 + nameLen + extraLen; ) {
      const [id, len] = [view.getUint16(e, true), view.getUint16(e + 2, true)];
      if (id === 0x0001) {
        // in this order, each only where its 32-bit field is saturated
        let f = e + 4;
        const next = (): number => Number(view.getBigUint64((f += 8) - 8, true));
        if (full === 0xffffffff) full = next();
        if (size === 0xffffffff) size = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + len;
    }
    if (method !== 0) throw new Error(`torch.load: entry '${name}' is compressed (method ${method}); torch.save stores entries uncompressed`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataStart + size > bytes.length) throw new Error(`torch.load: corrupt ZIP archive: entry '${name}' runs past the end of the file`);
    ranges.push([dataStart, dataStart + size, name]);
    entries.set(name, bytes.subarray(dataStart, dataStart + size));
    at += 46 + nameLen + extraLen + commentLen;
  }
  ranges.sort((x, y) => x[0] - y[0]);
  for (let k = 1; k < ranges.length; k++) {
    if (ranges[k][0] < ranges[k - 1][1]) throw new Error(`torch.load: corrupt ZIP archive: entries '${ranges[k - 1][2]}' and '${ranges[k][2]}' share bytes`);
  }
  return entries;
}

/** PyTorch's storage classes and their dtypes. */
const STORAGES: Record<string, DType> = {
  FloatStorage: "float32",
  DoubleStorage: "float64",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
};

/** A storage of the file as one flat tensor, which the file's tensors view; its bytes arrive with fill(). */
class PickledStorage {
  readonly flat: Tensor;
  constructor(readonly kind: string, numel: number) {
    const dtype = STORAGES[kind];
    if (dtype === undefined) throw new Error(`torch.load: storage type ${kind} is not supported`);
    this.flat = Tensor.empty([numel], dtype);
  }
  fill(raw: Uint8Array): void {
    const arr = storageArray(this.flat.storage);
    if (raw.length !== arr.byteLength) throw new Error(`torch.load: a ${this.kind} of ${arr.length} elements needs ${arr.byteLength} bytes, the file has ${raw.length}`);
    new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).set(raw);
    // a bool byte other than 0 or 1 would break the kernels' assumptions
    if (this.flat.dtype === "bool") for (let k = 0; k < arr.length; k++) arr[k] = arr[k] ? 1 : 0;
  }
}

/** A persistent id's storage: a whole storage, or (legacy files) a view of one from `offset`. */
interface StorageRef {
  storage: PickledStorage;
  offset: number;
}

/**
 * A tensor as the pickle describes it. Legacy files store the storages' bytes after the pickle,
 * so tensors are made once the whole file is read.
 */
class PendingTensor {
  constructor(readonly ref: StorageRef, readonly offset: number, readonly size: number[], readonly stride: number[]) {}
  /** The tensor, after checking that every element it names lies inside its storage (no read of other memory). */
  make(): Tensor {
    const { size, stride } = this;
    const offset = this.ref.offset + this.offset;
    const whole = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    if (!Array.isArray(size) || !Array.isArray(stride) || size.length !== stride.length || !size.every(whole) || !stride.every(whole) || !whole(offset)) {
      throw new Error(`torch.load: a tensor has invalid size ${JSON.stringify(size)}, stride ${JSON.stringify(stride)} or offset ${JSON.stringify(offset)}`);
    }
    const n = this.ref.storage.flat.numel();
    const numel = size.reduce((a, b) => a * b, 1);
    const last = size.reduce((a, s, d) => a + (s - 1) * stride[d], offset);
    if (numel > 0 && last >= n) {
      throw new Error(`torch.load: a tensor of size [${size.join(", ")}], stride [${stride.join(", ")}] and offset ${offset} reaches element ${last} of a storage of ${n}`);
    }
    return this.ref.storage.flat.makeView(size, stride, offset).contiguous();
  }
}

class Global {
  constructor(readonly name: string) {}
}
const MARK = Symbol("mark");
const STATE_DICTS_ONLY = "taimatsu reads state dicts and checkpoints of them (dicts, lists, numbers, strings, tensors): save with torch.save(model.state_dict(), path)";

/** Unpickles `data.pkl` with the opcodes and globals torch.save uses for state dicts. */
type LoadStorage = (kind: string, key: string, numel: number, view: [string, number, number] | null) => StorageRef;

/** Unpickles one pickle starting at `start`; returns its value and where it ended. */
function unpickle(p: Uint8Array, loadStorage: LoadStorage, start = 0): { value: unknown; end: number } {
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const decoder = new TextDecoder();
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let i = start;
  const popMark = (): unknown[] => {
    const at = stack.lastIndexOf(MARK);
    const items = stack.splice(at);
    items.shift();
    return items;
  };
  const need = (n: number): void => {
    if (!(n >= 0) || i + n > p.length) throw new Error("torch.load: the pickle is truncated");
  };
  const memoGet = (k: number): unknown => {
    if (!memo.has(k)) throw new Error(`torch.load: the pickle reads memo entry ${k}, which it never wrote`);
    return memo.get(k);
  };
  const text = (n: number): string => {
    need(n);
    const s = decoder.decode(p.subarray(i, i + n));
    i += n;
    return s;
  };
  const line = (): string => {
    const end = p.indexOf(10, i);
    const s = decoder.decode(p.subarray(i, end));
    i = end + 1;
    return s;
  };
  const call = (fn: unknown, args: unknown[]): unknown => {
    const name = fn instanceof Global ? fn.name : String(fn);
    switch (name) {
      case "collections.OrderedDict":
        return new Map();
      case "torch._utils._rebuild_tensor":
      case "torch._utils._rebuild_tensor_v2":
        return new PendingTensor(args[0] as StorageRef, args[1] as number, args[2] as number[], args[3] as number[]);
      case "torch._utils._rebuild_parameter":
        return args[0];
      default:
        throw new Error(`torch.load: the file calls ${name}; ${STATE_DICTS_ONLY}`);
    }
  };
  for (;;) {
    const op = p[i++];
    switch (op) {
      case 0x80: // PROTO
        i++;
        break;
      case 0x95: // FRAME
        i += 8;
        break;
      case 0x63: {
        // GLOBAL 'module\nname\n'
        const mod = line();
        stack.push(new Global(`${mod}.${line()}`));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = stack.pop() as string;
        stack.push(new Global(`${stack.pop() as string}.${name}`));
        break;
      }
      case 0x71: // BINPUT
        memo.set(p[i++], stack[stack.length - 1]);
        break;
      case 0x72: // LONG_BINPUT
        memo.set(view.getUint32(i, true), stack[stack.length - 1]);
        i += 4;
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x68: // BINGET
        stack.push(memoGet(p[i++]));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(view.getUint32(i, true)));
        i += 4;
        break;
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: // TUPLE3
        stack.push(stack.splice(stack.length - (op - 0x84)));
        break;
      case 0x61: // APPEND
        (stack[stack.length - 2] as unknown[]).push(stack.pop());
        break;
      case 0x65: {
        // APPENDS
        const items = popMark();
        (stack[stack.length - 1] as unknown[]).push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = stack.pop();
        const k = stack.pop();
        (stack[stack.length - 1] as Map<unknown, unknown>).set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = stack[stack.length - 1] as Map<unknown, unknown>;
        for (let k = 0; k < items.length; k += 2) d.set(items[k], items[k + 1]);
        break;
      }
      case 0x4b: // BININT1
        stack.push(p[i++]);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(i, true));
        i += 2;
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(i, true));
        i += 4;
        break;
      case 0x8a: {
        // LONG1
        const n = p[i++];
        let v = 0n;
        for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(p[i + k]);
        if (n > 0 && p[i + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        i += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(i, false));
        i += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(view.getUint32((i += 4) - 4, true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(p[i++]));
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x52: {
        // REDUCE
        const args = stack.pop() as unknown[];
        stack.push(call(stack.pop(), args));
        break;
      }
      case 0x62: // BUILD: state on an OrderedDict (its _metadata) carries no tensors
        stack.pop();
        break;
      case 0x51: {
        // BINPERSID: ('storage', storage class, key, location, numel[, view of (key, offset, numel)])
        const [tag, kind, key, , numel, storageView] = stack.pop() as [string, Global, string, string, number, [string, number, number] | null | undefined];
        if (tag !== "storage") throw new Error(`torch.load: unknown persistent id '${tag}'`);
        stack.push(loadStorage(kind.name.split(".").pop()!, String(key), numel, storageView ?? null));
        break;
      }
      case 0x55: // SHORT_BINSTRING (Python 2 files)
        stack.push(text(p[i++]));
        break;
      case 0x54: // BINSTRING
        stack.push(text(view.getInt32((i += 4) - 4, true)));
        break;
      case 0x2e: // STOP
        return { value: stack.pop(), end: i };
      default:
        throw new Error(`torch.load: pickle opcode 0x${(op ?? 0).toString(16)} at byte ${i - 1} builds a Python object; ${STATE_DICTS_ONLY}`);
    }
  }
}

/** How deep a loaded object may nest: state dicts and checkpoints need a handful of levels. */
const MAX_DEPTH = 1000;

/**
 * Plain objects for dicts (string keys, no prototype: a key "__proto__" is just a key),
 * tensors made. What the pickle shares stays shared (a memoised list used a million times is
 * one list, not a million copies), and a container that holds itself is an error.
 */
function toJs(root: unknown): unknown {
  const done = new Map<unknown, unknown>();
  const active = new Set<unknown>();
  const walk = (v: unknown, depth: number): unknown => {
    if (!(v instanceof PendingTensor || v instanceof Map || Array.isArray(v))) return v;
    if (done.has(v)) return done.get(v);
    if (depth > MAX_DEPTH) throw new Error(`torch.load: the object nests deeper than ${MAX_DEPTH} levels; ${STATE_DICTS_ONLY}`);
    if (active.has(v)) throw new Error(`torch.load: a container in the file holds itself; ${STATE_DICTS_ONLY}`);
    active.add(v);
    let out: unknown;
    if (v instanceof PendingTensor) {
      out = v.make();
    } else if (v instanceof Map) {
      const o: Record<string, unknown> = Object.create(null);
      for (const [k, x] of v) o[String(k)] = walk(x, depth + 1);
      out = o;
    } else {
      out = (v as unknown[]).map((x) => walk(x, depth + 1));
    }
    active.delete(v);
    done.set(v, out);
    return out;
  };
  return walk(root, 0);
}

/**
 * torch.load of a file made by torch.save (e.g. `torch.save(model.state_dict(), "model.pt")`):
 * the state dict, ready for `model.loadStateDict`, or a checkpoint's nested dicts and lists
 * (dict keys as strings). Tensors keep their dtype. Files from before PyTorch 1.6 load too.
 */
export function load<T = Record<string, Tensor>>(source: BytesSource, opts: LoadOptions = {}): T {
  if (opts.mapLocation !== undefined) device(opts.mapLocation);
  const bytes = readBytes("torch.load", source);
  if (bytes[0] === 0x80) return loadLegacy(bytes) as T;
  if (bytes.length > 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === "ustar") {
    throw new Error("torch.load: this is PyTorch's tar format (PyTorch 0.1–0.3); load it in Python with torch.load and save it again with torch.save");
  }
  const entries = readZip(bytes);
  const pkl = [...entries.keys()].find((n) => n.endsWith("/data.pkl") || n === "data.pkl");
  if (!pkl) throw new Error("torch.load: the archive has no data.pkl; is it a file from torch.save?");
  const prefix = pkl.slice(0, pkl.length - "data.pkl".length);
  const storages = new Map<string, PickledStorage>();
  const loadStorage: LoadStorage = (kind, key) => {
    let s = storages.get(key);
    if (!s) {
      const raw = entries.get(`${prefix}data/${key}`);
      if (!raw) throw new Error(`torch.load: storage data/${key} is missing from the archive`);
      s = new PickledStorage(kind, Math.floor(raw.length / Math.max(1, itemSize[STORAGES[kind] ?? "uint8"])));
      s.fill(raw);
      storages.set(key, s);
    }
    return { storage: s, offset: 0 };
  };
  return toJs(unpickle(entries.get(pkl)!, loadStorage).value) as T;
}

const LEGACY_MAGIC = Number(0x1950a86a20f9469cfc6cn);

/**
 * The format of torch.save before PyTorch 1.6 (and with _use_new_zipfile_serialization=False):
 * pickles of a magic number, the protocol version (1001) and system info, the object, the list
 * of storage keys; then each storage in that order as an int64 element count and its bytes.
 */
function loadLegacy(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const noStorages: LoadStorage = () => {
    throw new Error("torch.load: a legacy file's header names a storage");
  };
  let at = 0;
  const next = (loadStorage = noStorages): unknown => {
    const r = unpickle(bytes, loadStorage, at);
    at = r.end;
    return r.value;
  };
  if (next() !== LEGACY_MAGIC) throw new Error("torch.load: Invalid magic number; corrupt file? (a pickle, but not one torch.save wrote)");
  const version = next();
  if (version !== 1001) throw new Error(`torch.load: Invalid protocol version: ${String(version)}`);
  next();
  const storages = new Map<string, PickledStorage>();
  const value = next((kind, key, numel, v) => {
    let s = storages.get(key);
    if (!s) {
      if (!Number.isSafeInteger(numel) || numel < 0 || numel * itemSize[STORAGES[kind] ?? "uint8"] > bytes.length) {
        throw new Error(`torch.load: storage ${key} claims ${numel} elements, more than the file holds`);
      }
      s = new PickledStorage(kind, numel);
      storages.set(key, s);
    }
    return { storage: s, offset: v === null ? 0 : v[1] };
  });
  const keys = next() as unknown[];
  if (!Array.isArray(keys)) throw new Error("torch.load: a legacy file without its list of storages");
  for (const key of keys) {
    const s = storages.get(String(key));
    if (!s) throw new Error(`torch.load: the file stores storage ${String(key)}, which no tensor uses`);
    if (at + 8 > bytes.length) throw new Error("torch.load: the file ends before its storages");
    const numel = Number(view.getBigInt64(at, true));
    const n = numel * itemSize[s.flat.dtype];
    if (numel !== s.flat.numel() || at + 8 + n > bytes.length) throw new Error(`torch.load: storage ${String(key)} is truncated or has the wrong size`);
    s.fill(bytes.subarray(at + 8, at + 8 + n));
    at += 8 + n;
  }
  return toJs(value);
}

// ---- writing ------------------------------------------------------------------------------

/** A ZIP archive of stored entries, each entry's data aligned to 64 bytes as PyTorch's writer does. */
function writeZip(entries: [string, Uint8Array][]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = enc.encode(name);
    // the extra field pads the local header so the data starts on a 64-byte boundary
    const pad = (64 - ((offset + 30 + nameBytes.length + 4) % 64)) % 64;
    const extra = new Uint8Array(4 + pad);
    new DataView(extra.buffer).setUint16(0, 0x4246, true);
    new DataView(extra.buffer).setUint16(2, pad, true);
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length + extra.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, extra.length, true);
    local.set(nameBytes, 30);
    local.set(extra, 30 + nameBytes.length);
    const cd = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let at = 0;
  for (const p of [...parts, ...central, eocd]) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Pickle protocol 2, the opcodes torch.save emits for state dicts and checkpoints. */
class PickleWriter {
  private readonly bytes: number[] = [0x80, 2];
  op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24, ...b);
  }
  int(n: number): this {
    if (n >= 0 && n < 2 ** 31) return this.op(0x4a, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);
    // LONG1: little-endian two's complement, as short as the sign allows
    const out: number[] = [];
    let v = BigInt(n);
    do {
      out.push(Number(v & 0xffn));
      v >>= 8n;
    } while (!(v === 0n && (out[out.length - 1] & 0x80) === 0) && !(v === -1n && (out[out.length - 1] & 0x80) !== 0));
    return this.op(0x8a, out.length, ...out);
  }
  float(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return this.op(0x47, ...b);
  }
  tuple(items: number[]): this {
    this.op(0x28);
    for (const n of items) this.int(n);
    return this.op(0x74);
  }
  finish(): Uint8Array {
    return Uint8Array.from([...this.bytes, 0x2e]);
  }
}

const STORAGE_OF = Object.fromEntries(Object.entries(STORAGES).map(([kind, dtype]) => [dtype, kind])) as Record<DType, string>;

/**
 * torch.save: writes a file Python's `torch.load` reads back to `path` (Node, Bun, Deno), or,
 * without a path, returns its bytes (to offer as a download in a browser). Takes a state dict,
 * or a checkpoint object of them (`{ model: model.stateDict(), optimizer: opt.stateDict(), epoch }`):
 * objects become dicts, arrays lists, and keys that are whole numbers become ints, as an
 * optimizer state dict's parameter ids are in PyTorch. The folder inside the archive is named
 * after the file, as PyTorch names it ("archive" for bytes, unless `archiveName` says otherwise).
 */
export function save(obj: unknown): Uint8Array;
export function save(obj: unknown, path: string): void;
export function save(obj: unknown, opts: { archiveName?: string }): Uint8Array;
export function save(obj: unknown, target?: string | { archiveName?: string }): Uint8Array | void {
  if (typeof target === "string") {
    writeBytes("torch.save", target, archiveOf(obj, stem(target)));
    return;
  }
  return archiveOf(obj, target?.archiveName ?? "archive");
}

function archiveOf(obj: unknown, archive: string): Uint8Array {
  const p = new PickleWriter();
  const storages: [string, Uint8Array][] = [];
  const write = (v: unknown): void => {
    if (v instanceof Tensor) {
      const key = String(storages.length);
      const c = contiguous(v);
      const arr = storageArray(c.storage);
      storages.push([`${archive}/data/${key}`, new Uint8Array(arr.buffer, arr.byteOffset + c.offset * arr.BYTES_PER_ELEMENT, c.numel() * arr.BYTES_PER_ELEMENT).slice()]);
      const strides = [...v.shape].map((_, d) => v.shape.slice(d + 1).reduce((a, b) => a * b, 1));
      p.global("torch._utils", "_rebuild_tensor_v2").op(0x28);
      p.op(0x28).str("storage").global("torch", STORAGE_OF[v.dtype]).str(key).str("cpu").int(v.numel()).op(0x74, 0x51);
      p.int(0).tuple([...v.shape]).tuple(strides).op(0x89).global("collections", "OrderedDict").op(0x29, 0x52, 0x74, 0x52);
    } else if (Array.isArray(v)) {
      p.op(0x5d, 0x28);
      v.forEach(write);
      p.op(0x65);
    } else if (v === null || v === undefined) {
      p.op(0x4e);
    } else if (typeof v === "boolean") {
      p.op(v ? 0x88 : 0x89);
    } else if (typeof v === "number") {
      if (Number.isInteger(v)) p.int(v);
      else p.float(v);
    } else if (typeof v === "string") {
      p.str(v);
    } else if (typeof v === "object") {
      p.op(0x7d, 0x28);
      for (const [k, x] of Object.entries(v)) {
        if (/^(0|[1-9]\d*)$/.test(k)) p.int(Number(k));
        else p.str(k);
        write(x);
      }
      p.op(0x75);
    } else {
      throw new TypeError(`torch.save: cannot save a value of type ${typeof v}`);
    }
  };
  write(obj);
  return writeZip([[`${archive}/data.pkl`, p.finish()], ...storages, [`${archive}/version`, new TextEncoder().encode("3\n")]]);
}
