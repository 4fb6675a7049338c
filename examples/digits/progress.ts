// A tqdm-style progress line for terminals: redrawn in place on a TTY, plain periodic lines
// otherwise (logs, CI).
export interface ProgressOptions {
  total: number;
  label: string;
  width?: number;
  stream?: NodeJS.WriteStream;
}

export class ProgressBar {
  private readonly start = performance.now();
  private lastPlainLine = -1;
  private lastDraw = -Infinity;
  private readonly stream: NodeJS.WriteStream;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stdout;
  }

  /** Shows `done` of `total` with extra fields like loss and accuracy. */
  update(done: number, fields: Record<string, string>): void {
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const extra = Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(" ");
    if (this.stream.isTTY) {
      // like tqdm, redraw at most ten times a second (and always at the end)
      const now = performance.now();
      if (done < this.o.total && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = this.o.width ?? 24;
      const filled = Math.round((width * done) / this.o.total);
      const bar = `${"█".repeat(filled)}${" ".repeat(width - filled)}`;
      this.stream.write(`\r${this.o.label} |${bar}| ${done}/${this.o.total} [${elapsed.toFixed(1)}s, ${rate.toFixed(0)} it/s] ${extra}\x1b[K`);
      if (done === this.o.total) this.stream.write("\n");
      return;
    }
    // without a terminal: a line at each quarter of the epoch
    const quarter = Math.floor((4 * done) / this.o.total);
    if (quarter !== this.lastPlainLine && (quarter > 0 || done === this.o.total)) {
      this.lastPlainLine = quarter;
      this.stream.write(`${this.o.label} ${done}/${this.o.total} ${rate.toFixed(0)} it/s ${extra}\n`);
    }
  }
}
