// Reading data-set files: from disk in Node/Bun/Deno (imported lazily so browsers never load
// node: modules), with transparent gunzip through the standard DecompressionStream.
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads the first of `names` (each also tried with .gz) found in any of `dirs`. */
export async function readFirst(dataset: string, dirs: string[], names: string[]): Promise<{ path: string; bytes: Uint8Array }> {
  const fs = await import("node:fs/promises");
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
        return { path, bytes: isGzip ? await gunzip(raw) : raw };
      }
    }
  }
  throw new Error(`${dataset}: data file not found; looked for ${tried.join(", ")}`);
}
