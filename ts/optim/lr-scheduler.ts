// optim.lrScheduler, following PyTorch 1.13's recursive ("chainable") formulas so that LR
// sequences match it to the last bit, plus the closed forms SequentialLR uses at milestones.
import type { Optimizer } from "./optimizer.js";
import { bindArgs, Rest } from "../signature.js";

type AnyOptimizer = Optimizer<{ lr: number }>;
type GroupRecord = Record<string, unknown> & { lr: number };
const groups = (o: AnyOptimizer): GroupRecord[] => o.paramGroups as unknown as GroupRecord[];

/** The arguments every scheduler ends with. */
interface Common {
  lastEpoch?: number;
  verbose?: boolean;
}
type CommonRest = [lastEpoch: number, verbose: boolean];

/** A scheduler's arguments after the optimizer, in PyTorch's positional order, or an options object. */
function schedulerArgs<O>(name: string, positional: string[], required: number, args: readonly unknown[]): O & { lastEpoch: number; verbose: boolean } {
  const o = bindArgs<O & Common>({ fn: `${name}.__init__`, positional: [...positional, "lastEpoch", "verbose"], required }, args);
  return { ...o, lastEpoch: o.lastEpoch ?? -1, verbose: o.verbose ?? false };
}

/** Python's "{:.4e}" format, as PyTorch's verbose messages print learning rates. */
/** Python's "%.5d", as PyTorch's verbose messages print epochs. */
const pyEpoch = (e: number): string => (e < 0 ? "-" : "") + String(Math.abs(e)).padStart(5, "0");
const pyExp4 = (v: number): string => v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");

export abstract class LRScheduler {
  readonly baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(readonly optimizer: AnyOptimizer, lastEpoch = -1, readonly verbose = false) {
    if (lastEpoch === -1) for (const g of groups(optimizer)) g.initialLr ??= g.lr;
    this.baseLrs = groups(optimizer).map((g) => {
      if (g.initialLr === undefined) throw new Error("param 'initial_lr' is not specified in param_groups when resuming an optimizer");
      return g.initialLr as number;
    });
    this.lastEpoch = lastEpoch;
  }

  /** The constructor's first step (PyTorch's _initial_step); subclasses call it when set up. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  protected abstract getLr(): number[];

  /** The closed-form LR at lastEpoch, used when stepping to an explicit epoch. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    groups(this.optimizer).forEach((g, i) => {
      g.lr = values[i];
      if (this.verbose) console.log(epoch === undefined ? `Adjusting learning rate of group ${i} to ${pyExp4(values[i])}.` : `Epoch ${pyEpoch(epoch)}: adjusting learning rate of group ${i} to ${pyExp4(values[i])}.`);
    });
    this.lastLr = groups(this.optimizer).map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected currentLrs(): number[] {
    return groups(this.optimizer).map((g) => g.lr);
  }
}

type StepLROptions = Common & { stepSize?: number; gamma?: number };

export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, ...args: [stepSize: number, ...Rest<[gamma: number, ...CommonRest], StepLROptions>] | [StepLROptions & { stepSize: number }]) {
    const o = schedulerArgs<{ stepSize: number; gamma?: number }>("StepLR", ["stepSize", "gamma"], 1, args);
    super(optimizer, o.lastEpoch, o.verbose);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, ...args: [milestones: number[], ...Rest<[gamma: number, ...CommonRest], Common & { gamma?: number }>] | [Common & { milestones: number[]; gamma?: number }]) {
    const o = schedulerArgs<{ milestones: number[]; gamma?: number }>("MultiStepLR", ["milestones", "gamma"], 1, args);
    super(optimizer, o.lastEpoch, o.verbose);
    this.milestones = [...o.milestones].sort((a, b) => a - b);
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }
  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** hits);
  }
  protected closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, ...args: [gamma: number, ...Rest<CommonRest, Common>] | [Common & { gamma: number }]) {
    const o = schedulerArgs<{ gamma: number }>("ExponentialLR", ["gamma"], 1, args);
    super(optimizer, o.lastEpoch, o.verbose);
    this.gamma = o.gamma;
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

type CosineOptions = Common & { tMax?: number; etaMin?: number };

export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, ...args: [tMax: number, ...Rest<[etaMin: number, ...CommonRest], CosineOptions>] | [CosineOptions & { tMax: number }]) {
    const o = schedulerArgs<{ tMax: number; etaMin?: number }>("CosineAnnealingLR", ["tMax", "etaMin"], 1, args);
    super(optimizer, o.lastEpoch, o.verbose);
    this.tMax = o.tMax;
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.currentLrs();
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.currentLrs().map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

type LinearLROptions = Common & { startFactor?: number; endFactor?: number; totalIters?: number };

export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, ...args: Rest<[startFactor: number, endFactor: number, totalIters: number, ...CommonRest], LinearLROptions>) {
    const o = schedulerArgs<LinearLROptions>("LinearLR", ["startFactor", "endFactor", "totalIters"], 0, args);
    const [startFactor, endFactor] = [o.startFactor ?? 1 / 3, o.endFactor ?? 1];
    if (startFactor > 1 || startFactor <= 0) throw new RangeError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    if (endFactor > 1 || endFactor < 0) throw new RangeError("Ending multiplicative factor expected to be between 0 and 1.");
    super(optimizer, o.lastEpoch, o.verbose);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = o.totalIters ?? 5;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return this.currentLrs().map((lr) => lr * s);
    if (e > n) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  protected closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, e)) / n));
  }
}

type LrLambda = ((epoch: number) => number) | ((epoch: number) => number)[];

export class LambdaLR extends LRScheduler {
  readonly lrLambda: LrLambda;
  constructor(optimizer: AnyOptimizer, ...args: [lrLambda: LrLambda, ...Rest<CommonRest, Common>] | [Common & { lrLambda: LrLambda }]) {
    const o = schedulerArgs<{ lrLambda: LrLambda }>("LambdaLR", ["lrLambda"], 1, args);
    super(optimizer, o.lastEpoch, o.verbose);
    if (Array.isArray(o.lrLambda) && o.lrLambda.length !== optimizer.paramGroups.length) {
      throw new Error(`Expected ${optimizer.paramGroups.length} lr_lambdas, but got ${o.lrLambda.length}`);
    }
    this.lrLambda = o.lrLambda;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * (Array.isArray(this.lrLambda) ? this.lrLambda[i] : this.lrLambda)(this.lastEpoch));
  }
}

export interface OneCycleOptions extends Common {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;

  constructor(
    optimizer: AnyOptimizer,
    ...args:
      | [maxLr: number | number[], ...Rest<[totalSteps: number | null, epochs: number | null, stepsPerEpoch: number | null, pctStart: number, annealStrategy: "cos" | "linear", cycleMomentum: boolean, baseMomentum: number, maxMomentum: number, divFactor: number, finalDivFactor: number, threePhase: boolean, ...CommonRest], OneCycleOptions>]
      | [OneCycleOptions & { maxLr: number | number[] }]
  ) {
    const names = ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"];
    const o = schedulerArgs<OneCycleOptions & { maxLr: number | number[] }>("OneCycleLR", names, 1, args);
    const maxLr = o.maxLr;
    if (o.lastEpoch !== -1) throw new Error("OneCycleLR: resuming with lastEpoch is not supported by taimatsu");
    const total = o.totalSteps ?? (o.epochs != null && o.stepsPerEpoch != null ? o.epochs * o.stepsPerEpoch : undefined);
    if (total === undefined || total <= 0) throw new Error("You must define either total_steps OR (epochs AND steps_per_epoch)");
    const pct = o.pctStart ?? 0.3;
    const div = o.divFactor ?? 25;
    const finalDiv = o.finalDivFactor ?? 1e4;
    groups(optimizer).forEach((g, i) => {
      const max = Array.isArray(maxLr) ? maxLr[i] : maxLr;
      g.initialLr = max / div;
      g.lr = g.initialLr as number;
      g.maxLr = max;
      g.minLr = (g.initialLr as number) / finalDiv;
    });
    super(optimizer, -1, o.verbose);
    this.totalSteps = total;
    this.phases = o.threePhase
      ? [
          { endStep: pct * total - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: 2 * pct * total - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
          { endStep: total - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
        ]
      : [
          { endStep: pct * total - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: total - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        ];
    this.anneal = (o.annealStrategy ?? "cos") === "cos"
      ? (start, end, p) => end + ((start - end) / 2) * (Math.cos(Math.PI * p) + 1)
      : (start, end, p) => (end - start) * p + start;
    this.cycleMomentum = o.cycleMomentum ?? true;
    const defaults = optimizer.defaults as Record<string, unknown>;
    if (this.cycleMomentum && !("momentum" in defaults) && !("betas" in defaults)) {
      throw new Error("optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
    }
    this.useBeta1 = "betas" in defaults;
    if (this.cycleMomentum) {
      for (const g of groups(optimizer)) {
        g.maxMomentum = o.maxMomentum ?? 0.95;
        g.baseMomentum = o.baseMomentum ?? 0.85;
        this.setMomentum(g, g.maxMomentum as number);
      }
    }
    this.initialStep();
  }

  private setMomentum(g: GroupRecord, m: number): void {
    if (this.useBeta1) g.betas = [m, (g.betas as [number, number])[1]];
    else g.momentum = m;
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new Error(`Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    return groups(this.optimizer).map((g) => {
      let start = 0;
      let lr = g.lr;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (step <= ph.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) this.setMomentum(g, this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct));
          break;
        }
        start = ph.endStep;
      }
      return lr;
    });
  }
}

export class SequentialLR {
  lastEpoch: number;
  private lastLr: number[];

  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  constructor(
    readonly optimizer: AnyOptimizer,
    ...args: [schedulers: LRScheduler[], milestones: number[], ...Rest<CommonRest, Common>] | [Common & { schedulers: LRScheduler[]; milestones: number[] }]
  ) {
    const o = schedulerArgs<{ schedulers: LRScheduler[]; milestones: number[] }>("SequentialLR", ["schedulers", "milestones"], 2, args);
    const { schedulers, milestones, lastEpoch } = o;
    this.schedulers = schedulers;
    this.milestones = milestones;
    if (schedulers.length < 1) throw new Error("SequentialLR expects at least one scheduler");
    if (milestones.length !== schedulers.length - 1) {
      throw new Error(`Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`);
    }
    this.lastEpoch = lastEpoch + 1;
    for (const g of groups(optimizer)) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    (schedulers[0] as unknown as { initialStep(): void }).initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }
}

export interface PlateauOptions {
  verbose?: boolean;
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

export class ReduceLROnPlateau {
  lastEpoch = 0;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  private readonly o: Required<Omit<PlateauOptions, "minLr">>;
  private readonly minLrs: number[];
  private lastLr: number[];

  constructor(
    readonly optimizer: AnyOptimizer,
    ...args: Rest<[mode: "min" | "max", factor: number, patience: number, threshold: number, thresholdMode: "rel" | "abs", cooldown: number, minLr: number | number[], eps: number, verbose: boolean], PlateauOptions>
  ) {
    const opts = bindArgs<PlateauOptions>({ fn: "ReduceLROnPlateau.__init__", positional: ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps", "verbose"] }, args);
    this.o = { mode: "min", factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: "rel", cooldown: 0, eps: 1e-8, verbose: false, ...opts };
    if (this.o.factor >= 1) throw new RangeError("Factor should be < 1.0.");
    const n = groups(optimizer).length;
    this.minLrs = Array.isArray(opts.minLr) ? opts.minLr : Array(n).fill(opts.minLr ?? 0);
    this.best = this.o.mode === "min" ? Infinity : -Infinity;
    this.lastLr = groups(optimizer).map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode: tm, threshold: t } = this.o;
    if (mode === "min") return tm === "rel" ? a < best * (1 - t) : a < best - t;
    return tm === "rel" ? a > best * (t + 1) : a > best + t;
  }

  step(metric: number): void {
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.o.patience) {
      groups(this.optimizer).forEach((g, i) => {
        const newLr = Math.max(g.lr * this.o.factor, this.minLrs[i]);
        if (g.lr - newLr > this.o.eps) {
          g.lr = newLr;
          if (this.o.verbose) console.log(`Epoch ${pyEpoch(this.lastEpoch)}: reducing learning rate of group ${i} to ${pyExp4(newLr)}.`);
        }
      });
      this.cooldownCounter = this.o.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groups(this.optimizer).map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }
}
