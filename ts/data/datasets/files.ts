// Reading data-set files: from disk in Node/Bun/Deno (fs through process.getBuiltinModule, so
// browser bundles hold no node: import), with transparent gunzip through the standard
// DecompressionStream, bounded: a small gzip file cannot expand past what its own header says
// the data set holds.
import { requireBuiltin } from "../../node-builtins.js";

/** At most this much is decompressed from any one file whose header names no size. */
const MAX_INFLATED = 1 << 30;

/**
 * Decompresses gzip data. `bound`, given the first bytes out, returns the most the file may
 * hold (null: its header is not readable yet); decompression stops with an error past it.
 */
export async function gunzip(bytes: Uint8Array, what = "gzip data", bound: (head: Uint8Array) => number | null = () => null): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit: number | null = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (limit === null) limit = bound(chunks.length === 1 ? value : concat(chunks, total));
      if (total > (limit ?? MAX_INFLATED)) {
        throw new Error(`${what}: the gzip data expands past ${limit ?? MAX_INFLATED} bytes${limit === null ? "" : ", the size its header gives"}; not reading further`);
      }
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof Error && e.message.startsWith(what)) throw e;
    throw new Error(`${what}: the gzip data is corrupt or truncated (${e instanceof Error ? e.message : String(e)})`);
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Reads the first of `names` (each also tried with .gz) found in any of `dirs`; `bound` as for gunzip. */
export async function readFirst(
  dataset: string,
  dirs: string[],
  names: string[],
  bound?: (head: Uint8Array) => number | null,
): Promise<{ path: string; bytes: Uint8Array }> {
  const fs = requireBuiltin("node:fs/promises", `${dataset} (reading files from a folder)`);
  const tried: string[] = [];
  for (const dir of dirs) {
    for (const name of names) {
      for (const candidate of [name, `${name}.gz`]) {
        const path = `${dir.replace(/\/$/, "")}/${candidate}`;
        tried.push(path);
        let raw: Uint8Array;
        try {
          raw = new Uint8Array(await fs.readFile(path));
        } catch {
          continue;
        }
        const isGzip = raw[0] === 0x1f && raw[1] === 0x8b;
        return { path, bytes: isGzip ? await gunzip(raw, `${dataset}: ${path}`, bound) : raw };
      }
    }
  }
  throw new Error(`${dataset}: data file not found; looked for ${tried.join(", ")}`);
}
