// A node of the recorded graph: one op application, its saved tensors (with the versions
// they had when saved) and its backward, written with differentiable tensor ops so that
// createGraph gives higher-order gradients for free.
import { legacyTypeName } from "../tensor/dtype.js";
import { freedError, hold, unhold } from "../tensor/lifetime.js";
import { internal } from "../tensor/lifetime.js";
import { isGradEnabled, withGradMode } from "./mode.js";
import type { Tensor } from "../tensor/tensor.js";

export type BackwardFn = (grad: Tensor, saved: Tensor[]) => (Tensor | null)[];
export type Hook = (grad: Tensor) => Tensor | void;

/** The sink of a leaf's gradient, as PyTorch's AccumulateGrad. */
/** How graph nodes print: PyTorch's `<AddmmBackward0 object at 0x…>`, without the address JavaScript has not got. */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export class AccumulateGrad {
  readonly name = "AccumulateGrad";
  constructor(readonly variable: Tensor) {}
  get nextFunctions(): [] {
    return [];
  }
  toString(): string {
    return `<${this.name} object>`;
  }
  /** @internal */
  [INSPECT](): string {
    return this.toString();
  }
}

export type GraphEdge = [Node | AccumulateGrad | null, number];

/** Where an input's gradient goes: the node that produced it, or the leaf itself. */
export type Edge = { node: Node; leaf?: undefined } | { leaf: Tensor; node?: undefined } | null;

export class Node {
  /** @internal */
  saved: Tensor[] | null;
  private readonly versions: number[];
  /** Which node produced each saved tensor, for PyTorch's in-place error text. */
  private readonly origins: string[];
  /** @internal */
  backwardFn: BackwardFn | null;
  /** Hooks and retainGrad of the tensor this node produced (non-leaf tensor hooks). @internal */
  readonly hooks: Hook[] = [];
  /** @internal */
  retained: Tensor | null = null;
  /** Fixed when the node is made, so that a later in-place rebase of an input cannot create a cycle. @internal */
  readonly edges: Edge[];
  /**
   * For a view of a region of its input (select, slice, narrow): the same view of another
   * tensor shaped like the input. The engine adds the view's gradient into that region of the
   * input's gradient summed so far, where the backward would make zeros, copy the gradient in
   * and add the whole: an RNN's steps, selected from one projection, cost their own size. @internal
   */
  regionOf: ((t: Tensor) => Tensor) | null = null;

  /**
   * `saved` must list every tensor whose values `backwardFn` reads (it may read only the
   * shapes of others): saving is what keeps an internal tensor alive until backward.
   * @internal
   */
  constructor(
    readonly name: string,
    inputs: readonly (Tensor | null)[],
    saved: Tensor[],
    backwardFn: BackwardFn,
    output: Tensor,
  ) {
    this.edges = inputs.map((t) => (t === null || !t.requiresGrad ? null : t.gradFn ? { node: t.gradFn } : { leaf: t }));
    this.saved = saved;
    for (const t of saved) hold(t);
    this.versions = saved.map((t) => t.storage.version);
    this.origins = saved.map((t) => (t === output ? `output 0 of ${name}` : t.gradFn ? `output 0 of ${t.gradFn.name}` : "a leaf"));
    this.backwardFn = backwardFn;
  }

  get nextFunctions(): GraphEdge[] {
    return this.edges.map((e) => [e === null ? null : e.node ?? e.leaf.accumulator(), 0]);
  }

  toString(): string {
    return `<${this.name} object>`;
  }

  /** @internal */
  [INSPECT](): string {
    return this.toString();
  }

  /** The saved tensors, after PyTorch's checks: not freed by a backward, not modified in place. @internal */
  savedTensors(): Tensor[] {
    if (this.saved === null || this.backwardFn === null) {
      throw new Error(
        "Trying to backward through the graph a second time (or directly access saved tensors after " +
          "they have already been freed). Saved intermediate values of the graph are freed when you call " +
          ".backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the " +
          "graph a second time or if you need to access saved tensors after calling backward.",
      );
    }
    this.saved.forEach((t, i) => {
      if (t.storage.version !== this.versions[i]) {
        throw new Error(
          "one of the variables needed for gradient computation has been modified by an inplace operation: " +
            `[${legacyTypeName[t.dtype]} [${t.shape.join(", ")}]], which is ${this.origins[i]}, ` +
            `is at version ${t.storage.version}; expected version ${this.versions[i]} instead. Hint: it is saved by ` +
            `${this.name}; modify a .clone() instead, or do the in-place operation after backward().`,
        );
      }
    });
    for (const t of this.saved) if (t.freedBy !== null) throw freedError(t, this.name);
    return this.saved;
  }

  /** After backward without retainGraph: the saved tensors are let go, as PyTorch frees them. @internal */
  releaseSaved(): void {
    const saved = this.saved;
    this.saved = null;
    // the closures reach the inputs: a node the output keeps must not keep them too
    this.backwardFn = null;
    this.regionOf = null;
    if (saved !== null) for (const t of saved) unhold(t);
  }
}

/**
 * Attaches a graph node to `out` when grad mode is on and any input requires grad.
 * `name` is PyTorch's (`AddBackward0`); `backward` maps the output gradient to one
 * gradient (or null) per input.
 */
export function record(name: string, inputs: readonly (Tensor | null)[], out: Tensor, saved: Tensor[], backward: BackwardFn): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t !== null && t.requiresGrad)) return out;
  out.setGradFn(new Node(name, inputs, saved, backward, out));
  return out;
}

/**
 * An op computed with other ops but recorded as one node, as PyTorch's fused kernels are
 * (AddmmBackward0, MseLossBackward0): the graph has PyTorch's shape and names, and the
 * intermediates are freed as soon as the value exists.
 */
export function fused(name: string, inputs: readonly (Tensor | null)[], saved: Tensor[], compute: () => Tensor, backward: BackwardFn): Tensor {
  return record(name, inputs, internal(() => withGradMode(false, compute)), saved, backward);
}

/** True when an op on these inputs would record a node (lets ops skip saving work). */
export function needsGrad(...inputs: (Tensor | null)[]): boolean {
  return isGradEnabled() && inputs.some((t) => t !== null && t.requiresGrad);
}
