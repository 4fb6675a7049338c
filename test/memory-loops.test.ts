// The long loops of scripts/memory-loops.ts, 10,000 steps each in a fresh process, stay
// flat: WebAssembly memory and the process RSS at the end are within 1.2× of step 100,
// tensor bytes within the memory-pressure budget, and the JS heap does not grow. The children run with V8's
// young generation at its full size from the start (--min-semi-space-size=16): by default
// V8 grows it from 1 to 16 MB semispaces over the first ~2,000 steps of any allocation-heavy
// loop (+35 MB RSS, then flat), which is V8's warm-up, not memory this library holds.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** One sample as scripts/memory-loops.ts prints it. */
type Sample = Record<"step" | "wasm" | "bytesInUse" | "heap" | "rss", number>;
interface Report {
  loop: string;
  samples: Sample[];
  evictions: number;
  freedByGC: number;
}

const root = resolve(import.meta.dirname, "..");

function runLoop(loop: string): Promise<Report> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--min-semi-space-size=16", "--expose-gc", "--import", "tsx", "scripts/memory-loops.ts", loop, "10000"], { cwd: root });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? done(JSON.parse(out.trim().split("\n").pop()!)) : fail(new Error(`${loop} exited ${code}: ${err}`))));
  });
}

const LOOPS = ["manual", "evalOneNoGrad", "fullBatch", "asyncSteps", "fgsm", "interleaved", "cnn", "lstm", "app"];

describe("10,000-step loops without keep() or dispose() stay flat", () => {
  // two at a time: the machine has two cores
  const reports = new Map<string, Promise<Report>>();
  const queue = [...LOOPS];
  const worker = async (): Promise<void> => {
    for (let loop = queue.shift(); loop !== undefined; loop = queue.shift()) {
      const p = runLoop(loop);
      reports.set(loop, p);
      await p.catch(() => undefined);
    }
  };
  const all = Promise.all([worker(), worker()]);

  for (const loop of LOOPS) {
    it(loop, async () => {
      while (!reports.has(loop)) await new Promise((r) => setTimeout(r, 50));
      const r = await reports.get(loop)!;
      const [at100, mid, end] = r.samples;
      expect([at100.step, mid.step, end.step]).toEqual([100, 5000, 9999]);
      expect(end.wasm, "WebAssembly memory").toBeLessThanOrEqual(at100.wasm * 1.2);
      expect(end.bytesInUse, "tensor bytes").toBeLessThanOrEqual(at100.bytesInUse + (16 << 20));
      // the JS heap varies by a few MB with V8's compiled code; a leak of even one small
      // object per step would add ~1 MB between step 5,000 and the end
      expect(end.heap, "JS heap").toBeLessThanOrEqual(at100.heap + (4 << 20));
      expect(end.heap - mid.heap, "JS heap growth in the second half").toBeLessThan(1 << 20);
      expect(end.rss, "RSS").toBeLessThanOrEqual(at100.rss * 1.2);
      if (loop === "app") expect(r.freedByGC, "the app's tensors are freed by the garbage collector").toBeGreaterThan(5000);
      else expect(r.evictions, "the loop's leftovers are evicted").toBeGreaterThan(10_000);
    }, 120_000);
  }
  it("all loops ran", async () => {
    await all;
  }, 120_000);
});
