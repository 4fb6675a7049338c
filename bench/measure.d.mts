/** Seconds per iteration: calibrated to ~`budget` seconds per repetition, best of `reps`. */
export function measure(run: (n: number) => void, budget?: number, reps?: number): number;
