// The timing rule every benchmark uses, in plain JavaScript so that the cross-runtime suite
// (bench/runtimes/suite.mjs) runs it in browsers too; bench/harness.ts re-exports it.

/** Seconds per iteration: calibrated to ~`budget` seconds per repetition, best of `reps`. */
export function measure(run, budget = 0.25, reps = 5) {
  run(1);
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    run(n);
    const dt = (performance.now() - t0) / 1000;
    if (dt > budget / 4 || n > 1e7) {
      n = Math.max(1, Math.round((n * budget) / Math.max(dt, 1e-9)));
      break;
    }
    n *= 4;
  }
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run(n);
    best = Math.min(best, (performance.now() - t0) / 1000 / n);
  }
  return best;
}
