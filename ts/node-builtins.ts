// Node's built-in modules, reached through process.getBuiltinModule (Node ≥ 20.16, Bun, Deno)
// rather than `import("node:…")`, so that no bundle holds an import a browser bundler would
// try to resolve (webpack and esbuild fail on the node: scheme by default). Only what taimatsu
// uses is typed here: its declarations need no Node types.

/** The part of node:worker_threads' Worker taimatsu uses. */
export interface NodeWorker {
  postMessage(message: unknown): void;
  on(event: "message" | "error" | "exit", listener: (value: never) => void): void;
  once(event: "message", listener: (value: unknown) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface Builtins {
  "node:worker_threads": {
    Worker: new (code: string, options: { eval: true; execArgv?: string[] }) => NodeWorker;
    parentPort: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void; on(event: "message", listener: (m: unknown) => void): void } | null;
  };
  "node:os": { availableParallelism(): number };
  "node:fs": { readdirSync(path: string, options: { withFileTypes: true }): { name: string; isDirectory(): boolean; isFile(): boolean }[] };
  "node:fs/promises": { readFile(path: string): Promise<Uint8Array>; writeFile(path: string, data: Uint8Array): Promise<void> };
}

/** A built-in module, or undefined where there is none (browsers). */
export function nodeBuiltin<K extends keyof Builtins>(id: K): Builtins[K] | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as Builtins[K] | undefined;
}

/** As nodeBuiltin, for code paths that only run where the module exists. */
export function requireBuiltin<K extends keyof Builtins>(id: K, why: string): Builtins[K] {
  const mod = nodeBuiltin(id);
  if (mod === undefined) throw new Error(`taimatsu: ${why} needs ${id} (Node ≥ 20.16, Bun or Deno)`);
  return mod;
}
