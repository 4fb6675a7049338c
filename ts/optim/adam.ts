// optim.Adam (with amsgrad and L2 weight decay) and optim.AdamW (decoupled weight decay).
import { Tensor } from "../tensor/tensor.js";
import { flag, Group, Optimizer, ParamsArg, ParamState } from "./optimizer.js";

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

function check(o: AdamOptions): void {
  if (o.lr < 0) throw new RangeError(`Invalid learning rate: ${o.lr}`);
  if (o.eps < 0) throw new RangeError(`Invalid epsilon value: ${o.eps}`);
  o.betas.forEach((b, i) => {
    if (b < 0 || b >= 1) throw new RangeError(`Invalid beta parameter at index ${i}: ${b}`);
  });
  if (o.weightDecay < 0) throw new RangeError(`Invalid weight_decay value: ${o.weightDecay}`);
}

export class Adam extends Optimizer<AdamOptions> {
  protected decoupled = false;

  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}, defaultWeightDecay = 0) {
    const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: defaultWeightDecay, amsgrad: false, maximize: false, ...opts };
    check(o);
    super(params, o);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: Group<AdamOptions>): void {
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const m = this.buffer(state, "expAvg", p);
    const v = this.buffer(state, "expAvgSq", p);
    const vmax = g.amsgrad ? this.buffer(state, "maxExpAvgSq", p) : null;
    this.runKernel("adam_f32", p, grad, [m, v, vmax], [
      g.lr, g.betas[0], g.betas[1], g.eps, g.weightDecay, flag(this.decoupled), flag(g.amsgrad), flag(g.maximize), state.step,
    ]);
  }
}

/** Adam with decoupled weight decay (default 1e-2), as torch.optim.AdamW. */
export class AdamW extends Adam {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, opts, 1e-2);
    this.decoupled = true;
  }
}
