// torch.autograd.Function: user-defined ops with their own forward and backward.
//
//   class Exp extends torch.autograd.Function {
//     static forward(ctx, x) { const y = x.exp(); ctx.saveForBackward(y); return y; }
//     static backward(ctx, g) { const [y] = ctx.savedTensors; return g.mul(y); }
//   }
//   const y = Exp.apply(x);
//
// forward runs without recording (as PyTorch's); the outputs get one node, `ExpBackward`, whose
// backward calls the user's. backward is written with tensor ops, so when it is differentiable,
// createGraph gives double backward. Several differentiable outputs share one node through a
// packed buffer: the engine hands a node one gradient, so their gradients travel as one tensor
// (and an unused one arrives as zeros even after setMaterializeGrads(false)).
import { Tensor } from "../tensor/tensor.js";
import { external, internal } from "../tensor/lifetime.js";
import { fmtShape, sameShape, broadcastShapes } from "../tensor/shape.js";
import { isFloating } from "../tensor/dtype.js";
import { checkInPlace, sumTo } from "../ops/binary.js";
import { rebase } from "../ops/inplace.js";
import { cat } from "../ops/movement.js";
import { isGradEnabled, withGradMode } from "./mode.js";
import { Node } from "./node.js";

type Grad = Tensor | null | undefined;

/** The `ctx` of forward and backward: saved tensors, which inputs need a gradient, and any fields the user sets. */
export class FunctionCtx {
  /** One flag per forward argument: whether backward must return its gradient. */
  readonly needsInputGrad: readonly boolean[];
  private toSave: (Tensor | null)[] | null = null;
  private node: Node | null = null;
  /** Indices into the saved list that were null (Node saves tensors only). */
  private savedLayout: (number | null)[] = [];
  readonly dirty = new Set<Tensor>();
  readonly nonDifferentiable = new Set<Tensor>();
  materializeGrads = true;
  [field: string]: unknown;

  constructor(needsInputGrad: boolean[]) {
    this.needsInputGrad = needsInputGrad;
  }

  /** Keeps tensors for backward (at most once per forward, as PyTorch); read them back with savedTensors. */
  saveForBackward(...tensors: (Tensor | null)[]): void {
    for (const t of tensors) {
      if (t !== null && !(t instanceof Tensor)) throw new TypeError(`save_for_backward can only save variables, but argument ${tensors.indexOf(t)} is not a Variable`);
    }
    this.toSave = tensors;
  }

  /** The tensors saveForBackward kept, checked as PyTorch checks them (not freed by a backward, not modified in place). */
  get savedTensors(): (Tensor | null)[] {
    if (this.node === null) return this.toSave ?? [];
    const saved = this.node.savedTensors();
    return this.savedLayout.map((i) => (i === null ? null : saved[i]));
  }

  /** Inputs forward modified in place (and returns): their history continues through this op. */
  markDirty(...tensors: Tensor[]): void {
    for (const t of tensors) this.dirty.add(t);
  }

  /** Outputs that are not differentiable (indices, masks): they never require grad, their gradients arrive as zeros. */
  markNonDifferentiable(...tensors: Tensor[]): void {
    for (const t of tensors) this.nonDifferentiable.add(t);
  }

  /** false: gradients of outputs that received none arrive as null instead of zeros. */
  setMaterializeGrads(value: boolean): void {
    this.materializeGrads = value;
  }

  /** Called by apply once the node exists: saved tensors are the node's from then on. */
  attach(node: Node | null): Tensor[] {
    const list = this.toSave ?? [];
    const tensors: Tensor[] = [];
    this.savedLayout = list.map((t) => (t === null ? null : tensors.push(t) - 1));
    this.node = node;
    return tensors;
  }
}

type ForwardResult = Tensor | readonly unknown[] | unknown;

/** Subclass with static forward(ctx, ...args) and backward(ctx, ...grads); call Subclass.apply(...args). */
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: any[]): any {
    throw new Error(`You must implement the forward function for custom autograd.Function.`);
  }

  static backward(_ctx: FunctionCtx, ..._grads: any[]): any {
    throw new Error(`You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.`);
  }

  static apply<F extends typeof Function>(this: F, ...args: Parameters<F["forward"]> extends [FunctionCtx, ...infer A] ? A : never): ReturnType<F["forward"]> {
    const fn = this;
    const name = `${fn.name}Backward`;
    const grad = isGradEnabled();
    const needs = args.map((a) => grad && a instanceof Tensor && a.requiresGrad);
    const ctx = new FunctionCtx(needs);
    const result: ForwardResult = external(args, () => withGradMode(false, () => fn.forward(ctx, ...args)));
    const outputs = Array.isArray(result) ? [...result] : [result];
    const tensorInputs = args.filter((a): a is Tensor => a instanceof Tensor);
    for (const t of ctx.dirty) {
      if (!tensorInputs.includes(t)) throw new Error("mark_dirty: only tensors given to forward can be marked dirty");
    }
    // an input returned unmodified is a new tensor that shares its storage (PyTorch's view of it)
    const outs = outputs.map((o) => (o instanceof Tensor && tensorInputs.includes(o) && !ctx.dirty.has(o) ? o.detach() : o));
    const differentiable = outs.filter((o): o is Tensor => o instanceof Tensor && isFloating(o.dtype) && !ctx.nonDifferentiable.has(outputs[outs.indexOf(o)] as Tensor));
    if (!needs.some(Boolean) || differentiable.length === 0) {
      ctx.attach(null);
      return (Array.isArray(result) ? outs : outs[0]) as ReturnType<F["forward"]>;
    }
    const metas = differentiable.map((o) => ({ shape: [...o.shape], numel: o.numel(), dtype: o.dtype }));
    const backwardFn = (g: Tensor): (Tensor | null)[] => {
      // the gradient of each differentiable output, unpacked; zeros (or null) for the others
      const parts = differentiable.length === 1 ? [g] : splitPacked(g, metas);
      let k = 0;
      const grads = outs.map((o): Grad => {
        if (o instanceof Tensor && differentiable.includes(o)) return parts[k++];
        if (!(o instanceof Tensor) || !ctx.materializeGrads) return null;
        return Tensor.zeros(o.shape, isFloating(o.dtype) ? o.dtype : "float32");
      });
      const returned = external([...grads, ...ctx.savedTensors], () => fn.backward(ctx, ...grads));
      return inputGradients(name, returned, args, tensorInputs);
    };
    const saved = ctx.attach(null);
    if (differentiable.length === 1) {
      const out = differentiable[0];
      const node = new Node(name, tensorInputs, saved, backwardFn, out);
      ctx.attach(node);
      attachOutput(out, node, ctx);
      return (Array.isArray(result) ? outs : outs[0]) as ReturnType<F["forward"]>;
    }
    if (new Set(metas.map((m) => m.dtype)).size > 1) {
      throw new TypeError(`${name}: the differentiable outputs of one Function must share a dtype in taimatsu (got ${metas.map((m) => m.dtype).join(", ")})`);
    }
    for (const o of differentiable) if (ctx.dirty.has(o)) throw new Error(`${name}: markDirty with several differentiable outputs is not supported by taimatsu`);
    const packed = internal(() => withGradMode(false, () => cat(differentiable.map((o) => o.reshape([-1])), 0)));
    const node = new Node(name, tensorInputs, saved, backwardFn, packed);
    ctx.attach(node);
    packed.setGradFn(node);
    let offset = 0;
    const views = new Map<Tensor, Tensor>();
    for (const o of differentiable) {
      views.set(o, packed.narrow(0, offset, o.numel()).reshape([...o.shape]));
      offset += o.numel();
    }
    const final = outs.map((o) => (o instanceof Tensor && views.has(o) ? views.get(o)! : o));
    return (Array.isArray(result) ? final : final[0]) as ReturnType<F["forward"]>;
  }
}

/** Makes `out` the node's output: a dirty input's history continues through the node. */
function attachOutput(out: Tensor, node: Node, ctx: FunctionCtx): void {
  if (ctx.dirty.has(out)) {
    checkInPlace(out, node.name);
    rebase(out, node);
  } else {
    out.setGradFn(node);
  }
}

function splitPacked(g: Tensor, metas: { shape: number[]; numel: number }[]): Tensor[] {
  let offset = 0;
  return metas.map((m) => {
    const part = g.narrow(0, offset, m.numel).reshape(m.shape);
    offset += m.numel;
    return part;
  });
}

/** The user's backward result as one gradient per tensor input, checked as PyTorch's engine checks it. */
function inputGradients(name: string, returned: unknown, args: readonly unknown[], tensorInputs: Tensor[]): (Tensor | null)[] {
  const list = Array.isArray(returned) ? returned : [returned];
  if (list.length !== args.length && !(list.length > args.length && list.slice(args.length).every((g) => g == null))) {
    throw new Error(`function ${name} returned an incorrect number of gradients (expected ${args.length}, got ${list.length})`);
  }
  const out: (Tensor | null)[] = [];
  args.forEach((a, i) => {
    if (!(a instanceof Tensor)) {
      if (list[i] != null) throw new Error(`function ${name} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`);
      return;
    }
    const g = list[i] as unknown;
    if (g == null || !a.requiresGrad) {
      out.push(null);
      return;
    }
    if (!(g instanceof Tensor)) throw new TypeError(`function ${name} returned a gradient at position ${i + 1} that is not a Tensor (got ${typeof g})`);
    if (sameShape(g.shape, a.shape)) {
      out.push(g.dtype === a.dtype ? g : g.to(a.dtype));
      return;
    }
    let broadcastable = false;
    try {
      broadcastable = sameShape(broadcastShapes(a.shape, g.shape), g.shape);
    } catch {
      broadcastable = false;
    }
    if (!broadcastable) throw new Error(`Function ${name} returned an invalid gradient at index ${i} - got ${fmtShape(g.shape)} but expected shape compatible with ${fmtShape(a.shape)}`);
    out.push(sumTo(g, a.shape));
  });
  if (out.length !== tensorInputs.length) throw new Error(`function ${name}: internal mismatch of gradients and inputs`);
  return out;
}
