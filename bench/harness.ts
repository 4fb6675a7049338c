// Timing and reporting for the benchmarks: every peer is measured in the same process and
// run, best of several repetitions, and each row reports ratios against taimatsu.
export { measure } from "./measure.mjs";

export interface Peer {
  name: string;
  /** Runs `iterations` repetitions of the benchmark body synchronously. */
  run(iterations: number): void;
}

/** Seconds for one run of an async body: `warmups` runs for the JITs, then the best of `reps`. */
export async function measureAsync(run: () => Promise<void>, reps = 3, warmups = 1): Promise<number> {
  for (let w = 0; w < warmups; w++) await run();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await run();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

export interface Row {
  bench: string;
  unit: string;
  /** Higher is better for rates (GFLOP/s, GB/s); lower is better for times. */
  higherIsBetter: boolean;
  values: Record<string, number>;
}

export function printTable(title: string, rows: Row[], peers: string[]): void {
  const head = ["benchmark", "unit", ...peers, ...peers.slice(1).map((p) => `× vs ${p}`)];
  const body = rows.map((r) => {
    const ours = r.values[peers[0]];
    const ratios = peers.slice(1).map((p) => {
      const theirs = r.values[p];
      if (theirs === undefined || ours === undefined) return "—";
      return (r.higherIsBetter ? ours / theirs : theirs / ours).toFixed(2);
    });
    return [r.bench, r.unit, ...peers.map((p) => (r.values[p] === undefined ? "—" : fmt(r.values[p]))), ...ratios];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(`\n${title}\n`);
  console.log(line(head));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const b of body) console.log(line(b));
}

function fmt(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
