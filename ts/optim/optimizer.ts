// The Optimizer base: param groups with their own options, per-parameter state, zeroGrad
// (a memory boundary), and state dicts in PyTorch's layout (integer parameter ids,
// snake_case option and state names) so they move to and from Python.
import { withGradMode } from "../autograd/mode.js";
import { kernel } from "../backend/wasm.js";
import { bytePtr, check, contiguous, isContiguous, copyInto } from "../ops/raw.js";
import { Boundary, internal } from "../tensor/lifetime.js";
import { gradOf, Tensor } from "../tensor/tensor.js";
import { bindArgs } from "../signature.js";

export type ParamState = Record<string, Tensor | number>;
export type Group<O> = O & { params: Tensor[] };
export type ParamsArg<O> = Iterable<Tensor> | (Partial<O> & { params: Iterable<Tensor> })[];

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** PyTorch's options that choose how a step is computed: `foreach` changes nothing here; the others need CUDA or a differentiable step. */
export interface ImplementationOptions {
  foreach?: boolean | null;
  capturable?: boolean;
  differentiable?: boolean;
  fused?: boolean;
}
const IMPLEMENTATION = ["foreach", "capturable", "differentiable", "fused"] as const;

/** An optimizer's options from PyTorch's positional order (after `params`) and/or an options object. */
export function optimizerArgs<O>(name: string, positional: readonly string[], keywords: readonly string[], args: readonly unknown[]): Partial<O> {
  const extra = IMPLEMENTATION.filter((k) => !positional.includes(k));
  const o = bindArgs<Record<string, unknown>>({ fn: `${name}.__init__`, positional, keywords: [...keywords, ...extra] }, args);
  for (const k of IMPLEMENTATION) {
    if (k !== "foreach" && o[k] === true) throw new Error(`${name}: ${k}=True is not supported by taimatsu (it needs CUDA or a differentiable optimizer step)`);
    delete o[k];
  }
  return o as Partial<O>;
}

/** Each option of a group has its default's type (a learning rate "x" made every weight NaN before). */
function checkOptionTypes(name: string, defaults: object, group: Record<string, unknown>): void {
  for (const [k, d] of Object.entries({ ...defaults, lr: 0 }) as [string, unknown][]) {
    const v = group[k];
    const ok = typeof d === "number" ? typeof v === "number" && !Number.isNaN(v)
      : typeof d === "boolean" ? typeof v === "boolean"
      : Array.isArray(d) ? Array.isArray(v) && v.length === d.length && v.every((x) => typeof x === "number" && !Number.isNaN(x))
      : true;
    if (!ok) throw new TypeError(`${name}: option '${k}' must be ${Array.isArray(d) ? `${d.length} numbers` : `a ${typeof d}`}, got ${JSON.stringify(v) ?? String(v)}`);
  }
}

export interface OptimizerStateDict {
  state: Record<string, Record<string, Tensor | number>>;
  param_groups: Record<string, unknown>[];
}

export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: Group<O>[] = [];
  readonly state = new Map<Tensor, ParamState>();
  private readonly zeroGrads = new Boundary();

  constructor(params: ParamsArg<O>, readonly defaults: O) {
    const list = [...params] as (Tensor | (Partial<O> & { params: Iterable<Tensor> }))[];
    if (list.length === 0) throw new Error("optimizer got an empty parameter list");
    type Spec = Partial<O> & { params: Iterable<Tensor> };
    const groups: Spec[] = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as Spec] : (list as Spec[]);
    for (const g of groups) this.addParamGroup(g);
  }

  addParamGroup(group: Partial<O> & { params: Iterable<Tensor> }): void {
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
      if (p.dtype !== "float32") throw new TypeError(`${this.constructor.name}: parameters must be float32 (got ${p.dtype})`);
    }
    if ((group as { lr?: number }).lr === undefined && this.defaults.lr === undefined) {
      throw new Error("parameter group didn't specify a value of required optimization parameter lr");
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) throw new Error("some parameters appear in more than one parameter group");
    const merged = { ...this.defaults, ...group, params } as Group<O>;
    checkOptionTypes(this.constructor.name, this.defaults, merged);
    this.paramGroups.push(merged);
  }

  /** Sets gradients to null (or zero); also the memory boundary of a training loop. */
  zeroGrad(setToNone: boolean | { setToNone?: boolean } = true): void {
    if (typeof setToNone === "object") setToNone = bindArgs<{ setToNone?: boolean }>({ fn: "zero_grad", positional: ["setToNone"] }, [setToNone]).setToNone ?? true;
    this.zeroGrads.cross();
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = gradOf(p);
        if (g === null) continue;
        if (setToNone) p.grad = null;
        else withGradMode(false, () => g.zero_());
      }
    }
  }

  /** Updates every parameter that has a gradient. A closure re-evaluates the loss first. */
  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? withGradMode(true, closure) : undefined;
    withGradMode(false, () => internal(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const g = gradOf(p);
          if (g === null) continue;
          if (!this.state.has(p)) this.state.set(p, {});
          this.update(p, check(`${this.constructor.name}.step`, g), this.state.get(p)!, group);
        }
      }
    }));
    return loss;
  }

  /** One parameter's update, in place. */
  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, group: Group<O>): void;

  /** A zero state buffer like p, kept across iterations. */
  protected buffer(state: ParamState, name: string, like: Tensor): Tensor {
    let t = state[name] as Tensor | undefined;
    if (t === undefined) {
      t = Tensor.zeros(like.shape, like.dtype).keep();
      state[name] = t;
    }
    return t;
  }

  /** Runs a kernel over p's storage (a contiguous copy written back if p is a strided view). */
  protected runKernel(name: string, p: Tensor, grad: Tensor, buffers: (Tensor | null)[], scalars: number[]): void {
    const target = isContiguous(check(`${this.constructor.name}.step`, p)) ? p : contiguous(p);
    const g = contiguous(grad);
    const n = p.numel();
    kernel(name)(bytePtr(target), bytePtr(g), ...buffers.map((b) => (b ? bytePtr(b) : 0)), n, ...scalars);
    if (target !== p) copyInto(p, target);
    p.storage.version++;
  }

  stateDict(): OptimizerStateDict {
    const ids = new Map<Tensor, number>();
    for (const g of this.paramGroups) for (const p of g.params) if (!ids.has(p)) ids.set(p, ids.size);
    const state: OptimizerStateDict["state"] = {};
    for (const [p, s] of this.state) {
      state[String(ids.get(p))] = Object.fromEntries(Object.entries(s).map(([k, v]) => [snake(k), v instanceof Tensor ? v.detach() : v]));
    }
    const groups = this.paramGroups.map((g) => {
      const entries = Object.entries(g).filter(([k]) => k !== "params").map(([k, v]) => [snake(k), v]);
      return { ...Object.fromEntries(entries), params: g.params.map((p) => ids.get(p)!) };
    });
    return { state, param_groups: groups };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.param_groups.length !== this.paramGroups.length) throw new Error("loaded state dict has a different number of parameter groups");
    sd.param_groups.forEach((g, i) => {
      if ((g.params as number[]).length !== this.paramGroups[i].params.length) {
        throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
    });
    const byId = new Map<number, Tensor>();
    sd.param_groups.forEach((g, i) => (g.params as number[]).forEach((id, j) => byId.set(id, this.paramGroups[i].params[j])));
    sd.param_groups.forEach((g, i) => {
      for (const [k, v] of Object.entries(g)) if (k !== "params") (this.paramGroups[i] as Record<string, unknown>)[camel(k)] = v;
    });
    this.state.clear();
    for (const [id, s] of Object.entries(sd.state)) {
      const p = byId.get(Number(id));
      if (!p) continue;
      // PyTorch (1.12+) saves `step` as a 0-dim tensor; taimatsu's optimizers count it as a number
      const value = (k: string, v: unknown): number | Tensor => (k === "step" && v instanceof Tensor ? Number(v.item()) : v instanceof Tensor ? v.clone().keep() : (v as number));
      this.state.set(p, Object.fromEntries(Object.entries(s).map(([k, v]) => [camel(k), value(k, v)])));
    }
  }
}

export const flag = (b: boolean): number => (b ? 1 : 0);
