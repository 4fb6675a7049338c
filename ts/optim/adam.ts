// optim.Adam (with amsgrad and L2 weight decay) and optim.AdamW (decoupled weight decay).
import { Tensor } from "../tensor/tensor.js";
import { Rest } from "../signature.js";
import { flag, Group, ImplementationOptions, Optimizer, optimizerArgs, ParamsArg, ParamState } from "./optimizer.js";

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

function adamDefaults(name: "Adam" | "AdamW", args: AdamRest): AdamOptions {
  const opts = optimizerArgs<AdamOptions>(name, ADAM_ARGS, ["maximize"], args);
  const o: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: name === "AdamW" ? 1e-2 : 0, amsgrad: false, maximize: false, ...opts };
  check(o);
  return o;
}

function check(o: AdamOptions): void {
  if (o.lr < 0) throw new RangeError(`Invalid learning rate: ${o.lr}`);
  if (o.eps < 0) throw new RangeError(`Invalid epsilon value: ${o.eps}`);
  o.betas.forEach((b, i) => {
    if (b < 0 || b >= 1) throw new RangeError(`Invalid beta parameter at index ${i}: ${b}`);
  });
  if (o.weightDecay < 0) throw new RangeError(`Invalid weight_decay value: ${o.weightDecay}`);
}

type AdamRest = Rest<[lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean], Partial<AdamOptions> & ImplementationOptions>;
const ADAM_ARGS = ["lr", "betas", "eps", "weightDecay", "amsgrad"];

export class Adam extends Optimizer<AdamOptions> {
  protected decoupled = false;

  constructor(params: ParamsArg<AdamOptions>, ...args: AdamRest) {
    super(params, adamDefaults(new.target === AdamW ? "AdamW" : "Adam", args));
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
  protected decoupled = true;
}
