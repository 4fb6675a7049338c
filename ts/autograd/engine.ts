// Walks the recorded graph backwards: topological order from the outputs, one gradient per
// node summed over its uses, leaf gradients accumulated into .grad (or returned, for
// autograd.grad). The saved tensors of each node are dropped afterwards unless retainGraph.
import { fmtShape, sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { Boundary, GRAPH, withOrigin } from "../tensor/lifetime.js";
import { withGradMode } from "./mode.js";
import type { Node } from "./node.js";

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  inputs?: Tensor[];
}

function rootGradients(outputs: Tensor[], grads: (Tensor | null)[] | undefined, ones: (t: Tensor) => Tensor): Tensor[] {
  return outputs.map((o, i) => {
    if (!o.requiresGrad) {
      throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    }
    const g = grads?.[i] ?? null;
    if (g === null) {
      if (o.numel() !== 1) throw new Error("grad can be implicitly created only for scalar outputs");
      return ones(o);
    }
    if (!sameShape(g.shape, o.shape)) {
      throw new Error(`Mismatch in shape: grad_output[${i}] has a shape of ${fmtShape(g.shape)} and output[${i}] has a shape of ${fmtShape(o.shape)}.`);
    }
    return g;
  });
}

/** Nodes reachable from the roots, ordered so that each comes after every node that feeds it a gradient. */
function topoOrder(roots: Node[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  const stack: [Node, boolean][] = roots.map((n) => [n, false]);
  while (stack.length) {
    const [node, expanded] = stack.pop()!;
    if (expanded) {
      order.push(node);
      continue;
    }
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push([node, true]);
    for (const e of node.edges) {
      if (e?.node && !seen.has(e.node)) stack.push([e.node, false]);
    }
  }
  return order.reverse();
}

function applyHooks(hooks: readonly ((g: Tensor) => Tensor | void)[], g: Tensor): Tensor {
  let cur = g;
  for (const h of hooks) cur = h(cur) ?? cur;
  return cur;
}

/**
 * Runs backward from `outputs`. `capture`, when given, maps the tensors whose gradients are
 * wanted (autograd.grad) and stops leaf accumulation.
 */
const backwardCalls = new Boundary("backward()", GRAPH);

function run(outputs: Tensor[], gradOutputs: (Tensor | null)[] | undefined, opts: BackwardOptions, capture: Map<Tensor, Tensor | null> | null): void {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const roots = withOrigin(GRAPH, () => rootGradients(outputs, gradOutputs, (o) => o.detach().mul(0).add(1)));
  withOrigin(GRAPH, () => withGradMode(createGraph, () => {
    const pending = new Map<Node, Tensor>();
    const handedOut = new Set<Tensor>(roots);
    const leafGrads = new Map<Tensor, Tensor>();
    const addTo = <K>(map: Map<K, Tensor>, key: K, g: Tensor): void => {
      const prev = map.get(key);
      map.set(key, prev === undefined ? g : prev.add(g));
    };
    const toLeaf = (leaf: Tensor, g: Tensor): void => addTo(leafGrads, leaf, g);
    outputs.forEach((o, i) => (o.gradFn ? addTo(pending, o.gradFn, roots[i]) : toLeaf(o, roots[i])));
    const order = topoOrder(outputs.map((o) => o.gradFn).filter((n): n is Node => n !== null));
    const captureByNode = new Map<Node, Tensor>();
    capture?.forEach((_, t) => t.gradFn && captureByNode.set(t.gradFn, t));
    for (const node of order) {
      let g = pending.get(node);
      if (g === undefined) continue;
      pending.delete(node);
      g = applyHooks(node.hooks, g);
      if (node.retained !== null) node.retained.grad = createGraph ? g : g.detach();
      const wanted = captureByNode.get(node);
      if (wanted !== undefined) capture!.set(wanted, g);
      const saved = node.savedTensors();
      const inputGrads = node.backwardFn!(g, saved);
      if (!retainGraph) node.releaseSaved();
      node.edges.forEach((e, i) => {
        const gi = inputGrads[i];
        if (e === null || gi === null || gi === undefined) return;
        if (e.node) addTo(pending, e.node, gi);
        else toLeaf(e.leaf, gi);
      });
    }
    leafGrads.forEach((g, leaf) => {
      const hooked = applyHooks(leaf.leafHooks, g);
      if (capture !== null) {
        if (capture.has(leaf)) capture.set(leaf, hooked);
        return;
      }
      if (opts.inputs && !opts.inputs.includes(leaf)) return;
      accumulate(leaf, hooked, createGraph, handedOut);
    });
  }));
}

/** AccumulateGrad: the first gradient is stored, later ones are added (in place unless createGraph). */
function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean, handedOut: Set<Tensor>): void {
  const value = createGraph ? g : g.detach();
  if (leaf.grad === null) {
    // a gradient tensor shared with another leaf (or the caller) is copied, so that later
    // in-place accumulation into one .grad never shows up in another
    leaf.grad = handedOut.has(g) || g.storage.refs > 1 ? value.clone() : value;
    handedOut.add(g);
  } else if (createGraph) {
    leaf.grad = leaf.grad.add(value);
  } else {
    leaf.grad.add_(value);
  }
}

export function backward(outputs: Tensor[], grads: (Tensor | null)[] | undefined, opts: BackwardOptions = {}): void {
  backwardCalls.cross();
  run(outputs, grads, opts, null);
}

type GradOptions = { gradOutputs?: (Tensor | null)[] | Tensor; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean };

/** torch.autograd.grad: the gradients of outputs with respect to inputs, without touching .grad. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  backwardCalls.cross();
  return gradWithoutBoundary(outputs, inputs, opts);
}

/** autograd.grad for library code (gradcheck) whose repeated passes are not the user's iterations. */
export function gradWithoutBoundary(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  opts: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new Error(`One of the differentiated Tensors (input ${i}) does not require grad`);
  });
  const gradOutputs = opts.gradOutputs === undefined ? undefined : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  const capture = new Map<Tensor, Tensor | null>(ins.map((t) => [t, null]));
  run(outs, gradOutputs, opts, capture);
  return ins.map((t, i) => {
    const g = capture.get(t) ?? null;
    if (g === null && !opts.allowUnused) {
      throw new Error(`One of the differentiated Tensors (input ${i}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`);
    }
    return g;
  });
}
