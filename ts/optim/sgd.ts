// optim.SGD with momentum, dampening, Nesterov, weight decay and maximize.
import { Tensor } from "../tensor/tensor.js";
import { Rest } from "../signature.js";
import { flag, Group, ImplementationOptions, Optimizer, optimizerArgs, ParamsArg, ParamState } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, ...args: Rest<[lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean], Partial<SGDOptions> & ImplementationOptions>) {
    const opts = optimizerArgs<SGDOptions>("SGD", ["lr", "momentum", "dampening", "weightDecay", "nesterov"], ["maximize"], args);
    const o = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts } as SGDOptions;
    if (o.lr < 0) throw new RangeError(`Invalid learning rate: ${o.lr}`);
    if (o.momentum < 0) throw new RangeError(`Invalid momentum value: ${o.momentum}`);
    if (o.weightDecay < 0) throw new RangeError(`Invalid weight_decay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new Error("Nesterov momentum requires a momentum and zero dampening");
    super(params, o);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: Group<SGDOptions>): void {
    const first = state.momentumBuffer === undefined;
    const buf = g.momentum !== 0 ? this.buffer(state, "momentumBuffer", p) : null;
    this.runKernel("sgd_f32", p, grad, [buf], [g.lr, g.momentum, g.dampening, g.weightDecay, flag(g.nesterov), flag(g.maximize), flag(first)]);
  }
}
