// State dicts to and from the safetensors format (an 8-byte little-endian header length, a
// JSON header of dtype/shape/offsets, then raw little-endian data): readable by Python's
// `safetensors` package and by scripts/safetensors_io.py without it, so weights move
// between taimatsu and PyTorch.
import { storageArray } from "../backend/typed.js";
import { contiguous } from "../ops/raw.js";
import { DType, itemSize } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { BytesSource, readBytes, writeBytes } from "./bytes.js";

const CODES: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", int64: "I64", bool: "BOOL", uint8: "U8", int8: "I8", int16: "I16", float16: "F16", bfloat16: "BF16" };
const DTYPES = Object.fromEntries(Object.entries(CODES).map(([d, c]) => [c, d])) as Record<string, DType>;

/** The safetensors bytes of a state dict; with a path (Node, Bun, Deno), the file is written there instead. */
export function saveSafetensors(sd: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array;
export function saveSafetensors(sd: Record<string, Tensor>, path: string, metadata?: Record<string, string>): void;
export function saveSafetensors(sd: Record<string, Tensor>, pathOrMeta?: string | Record<string, string>, meta?: Record<string, string>): Uint8Array | void {
  if (typeof pathOrMeta === "string") {
    writeBytes("saveSafetensors", pathOrMeta, safetensorsBytes(sd, meta ?? {}));
    return;
  }
  return safetensorsBytes(sd, pathOrMeta ?? {});
}

function safetensorsBytes(sd: Record<string, Tensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(sd)) {
    const c = contiguous(t);
    const arr = storageArray(c.storage);
    const bytes = new Uint8Array(arr.buffer, arr.byteOffset + c.offset * arr.BYTES_PER_ELEMENT, c.numel() * arr.BYTES_PER_ELEMENT).slice();
    header[name] = { dtype: CODES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The largest header the safetensors format allows (its own reader's limit). */
const MAX_HEADER = 100_000_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * The tensors of a safetensors file, checked entry by entry before anything is allocated:
 * dtype, shape, and data_offsets that lie inside the data, do not overlap, and hold exactly
 * shape × dtype bytes. The result has no prototype, so a tensor named "__proto__" is just a key.
 */
export function loadSafetensors(source: BytesSource): Record<string, Tensor> {
  const bytes = readBytes("loadSafetensors", source);
  const fail = (msg: string): never => {
    throw new Error(`safetensors: ${msg}`);
  };
  if (bytes.length < 8) fail("file too short for a header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(bytes.length - 8, MAX_HEADER))) fail(`header of ${n} bytes runs past the end of the file (${bytes.length} bytes)`);
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + Number(n)));
  } catch {
    fail("the header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) fail("the header is not a JSON object");
  const base = 8 + Number(n);
  const dataLength = bytes.length - base;
  const entries: [string, DType, number[], number, number][] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (!isObject(info) || !Object.values(info).every((v) => typeof v === "string")) fail("__metadata__ must map names to strings");
      continue;
    }
    if (!isObject(info)) fail(`tensor '${name}' has no description`);
    const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const dtype = typeof code === "string" && Object.hasOwn(DTYPES, code) ? DTYPES[code] : fail(`tensor '${name}' has dtype ${String(code)}, which taimatsu does not support`);
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`tensor '${name}' has shape ${JSON.stringify(shape)}; sizes must be non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1] || offsets[1] > dataLength) {
      fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}; they must be two whole byte positions, in order, within the ${dataLength} bytes of data`);
    }
    const [b, e] = offsets as [number, number];
    const needed = (shape as number[]).reduce((a, d) => a * d, 1) * itemSize[dtype];
    if (e - b !== needed) fail(`tensor '${name}' of shape [${(shape as number[]).join(", ")}] and dtype ${String(code)} needs ${needed} bytes, but its data_offsets span ${e - b}`);
    entries.push([name, dtype, shape as number[], b, e]);
  }
  const byStart = [...entries].sort((x, y) => x[3] - y[3]);
  for (let k = 1; k < byStart.length; k++) {
    if (byStart[k][3] < byStart[k - 1][4]) fail(`tensors '${byStart[k - 1][0]}' and '${byStart[k][0]}' overlap in the data`);
  }
  const out: Record<string, Tensor> = Object.create(null);
  for (const [name, dtype, shape, b, e] of entries) {
    const t = Tensor.empty(shape, dtype);
    const arr = storageArray(t.storage);
    new Uint8Array(arr.buffer, arr.byteOffset, e - b).set(bytes.subarray(base + b, base + e));
    // a bool byte other than 0 or 1 would break the kernels' assumptions
    if (dtype === "bool") for (let i = 0; i < arr.length; i++) arr[i] = arr[i] ? 1 : 0;
    out[name] = t.keep();
  }
  return out;
}
