// optim.RMSprop (momentum, centered) and optim.Adagrad.
import { Tensor } from "../tensor/tensor.js";
import { Rest } from "../signature.js";
import { flag, Group, ImplementationOptions, Optimizer, optimizerArgs, ParamsArg, ParamState } from "./optimizer.js";

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(
    params: ParamsArg<RMSpropOptions>,
    ...args: Rest<[lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean, foreach: boolean | null, maximize: boolean], Partial<RMSpropOptions> & ImplementationOptions>
  ) {
    const opts = optimizerArgs<RMSpropOptions>("RMSprop", ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "foreach", "maximize", "differentiable"], [], args);
    const o: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...opts };
    if (o.lr < 0) throw new RangeError(`Invalid learning rate: ${o.lr}`);
    if (o.alpha < 0) throw new RangeError(`Invalid alpha value: ${o.alpha}`);
    super(params, o);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: Group<RMSpropOptions>): void {
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const sq = this.buffer(state, "squareAvg", p);
    const buf = g.momentum > 0 ? this.buffer(state, "momentumBuffer", p) : null;
    const gavg = g.centered ? this.buffer(state, "gradAvg", p) : null;
    this.runKernel("rmsprop_f32", p, grad, [sq, buf, gavg], [g.lr, g.alpha, g.eps, g.weightDecay, g.momentum, flag(g.centered), flag(g.maximize)]);
  }
}

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(
    params: ParamsArg<AdagradOptions>,
    ...args: Rest<[lr: number, lrDecay: number, weightDecay: number, initialAccumulatorValue: number, eps: number, foreach: boolean | null], Partial<AdagradOptions> & ImplementationOptions>
  ) {
    const opts = optimizerArgs<AdagradOptions>("Adagrad", ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps", "foreach"], ["maximize"], args);
    const o: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...opts };
    if (o.lr < 0) throw new RangeError(`Invalid learning rate: ${o.lr}`);
    super(params, o);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: Group<AdagradOptions>): void {
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    if (state.sum === undefined) state.sum = Tensor.zeros(p.shape, p.dtype).fill_(g.initialAccumulatorValue).keep();
    this.runKernel("adagrad_f32", p, grad, [state.sum as Tensor], [g.lr, g.lrDecay, g.weightDecay, g.eps, flag(g.maximize), state.step]);
  }
}
