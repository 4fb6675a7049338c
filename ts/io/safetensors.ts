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

export function loadSafetensors(source: BytesSource): Record<string, Tensor> {
  const bytes = readBytes("loadSafetensors", source);
  if (bytes.length < 8) throw new Error("safetensors: file too short for a header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`safetensors: header of ${n} bytes runs past the end of the file`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const out: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const dtype = DTYPES[info.dtype];
    if (!dtype) throw new Error(`safetensors: tensor '${name}' has dtype ${info.dtype}, which taimatsu does not support`);
    const [b, e] = info.data_offsets;
    const t = Tensor.empty(info.shape, dtype);
    if (e - b !== t.numel() * itemSize[dtype]) {
      throw new Error(`safetensors: tensor '${name}' of shape [${info.shape.join(", ")}] and dtype ${info.dtype} needs ${t.numel() * itemSize[dtype]} bytes, but its data_offsets span ${e - b}`);
    }
    const arr = storageArray(t.storage);
    new Uint8Array(arr.buffer, arr.byteOffset, e - b).set(bytes.subarray(base + b, base + e));
    // a bool byte other than 0 or 1 would break the kernels' assumptions
    if (dtype === "bool") for (let i = 0; i < arr.length; i++) arr[i] = arr[i] ? 1 : 0;
    out[name] = t.keep();
  }
  return out;
}
