// Walks the recorded graph backwards: topological order from the outputs, one gradient per
// node summed over its uses, leaf gradients accumulated into .grad (or returned, for
// autograd.grad). The saved tensors of each node are let go afterwards unless retainGraph.
import { fmtShape, sameShape } from "../tensor/shape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { Boundary, discard, escape, external, hold, internal, unhold } from "../tensor/lifetime.js";
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

/** Runs user hooks on a gradient: what they see escapes to user code. */
function applyHooks(hooks: readonly ((g: Tensor) => Tensor | void)[], g: Tensor): Tensor {
  let cur = g;
  for (const h of hooks) cur = external(cur, () => h(cur)) ?? cur;
  return cur;
}

/** Drops the engine's reference to a gradient in flight: freed unless something else has it. */
function letGo(g: Tensor): void {
  unhold(g);
  discard(g);
}

/** A gradient sum only the engine holds, which it may therefore add into in place. */
const exclusive = (t: Tensor): boolean => !t.escaped && t.holds === 1 && t.storage.refs === 1 && t.isContiguous();

/**
 * Runs backward from `outputs`. `capture`, when given, maps the tensors whose gradients are
 * wanted (autograd.grad) and stops leaf accumulation. Gradients in flight are internal: each
 * is freed as soon as the nodes it feeds have run (the engine holds it until then), and each
 * node's backward frees its own intermediates, so backward's peak memory stays what PyTorch's is.
 */
const backwardCalls = new Boundary();

function run(outputs: Tensor[], gradOutputs: (Tensor | null)[] | undefined, opts: BackwardOptions, capture: Map<Tensor, Tensor | null> | null): void {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  withGradMode(createGraph, () => internal(() => {
    const roots = rootGradients(outputs, gradOutputs, (o) => o.detach().mul(0).add(1));
    const pending = new Map<Node, Tensor>();
    const leafGrads = new Map<Tensor, Tensor>();
    const addTo = <K>(map: Map<K, Tensor>, key: K, g: Tensor): void => {
      const prev = map.get(key);
      if (prev === undefined) {
        hold(g);
        map.set(key, g);
        return;
      }
      if (!createGraph && exclusive(prev) && sameShape(prev.shape, g.shape) && prev.dtype === g.dtype) {
        prev.add_(g);
        discard(g);
        return;
      }
      const sum = prev.add(g);
      hold(sum);
      map.set(key, sum);
      letGo(prev);
      discard(g);
    };
    /** A region view's gradient added in place into its input's sum, when the engine alone has that sum. */
    const addedToRegion = (node: Node, g: Tensor): boolean => {
      const e = node.edges[0];
      if (e === null) return true;
      const sum = e.node ? pending.get(e.node) : leafGrads.get(e.leaf);
      if (sum === undefined || !exclusive(sum) || sum.dtype !== g.dtype) return false;
      const region = node.regionOf!(sum);
      region.add_(g);
      discard(region);
      return true;
    };
    outputs.forEach((o, i) => (o.gradFn ? addTo(pending, o.gradFn, roots[i]) : addTo(leafGrads, o, roots[i])));
    const order = topoOrder(outputs.map((o) => o.gradFn).filter((n): n is Node => n !== null));
    const captureByNode = new Map<Node, Tensor>();
    capture?.forEach((_, t) => t.gradFn && captureByNode.set(t.gradFn, t));
    for (const node of order) {
      const incoming = pending.get(node);
      if (incoming === undefined) continue;
      pending.delete(node);
      const g = applyHooks(node.hooks, incoming);
      if (node.retained !== null) node.retained.grad = createGraph ? g : g.detach();
      const wanted = captureByNode.get(node);
      if (wanted !== undefined) {
        escape(g);
        capture!.set(wanted, g);
      }
      if (!createGraph && node.regionOf !== null && addedToRegion(node, g)) {
        if (!retainGraph) node.releaseSaved();
        letGo(incoming);
        continue;
      }
      const saved = node.savedTensors();
      const inputGrads = internal(() => node.backwardFn!(g, saved));
      if (!retainGraph) node.releaseSaved();
      node.edges.forEach((e, i) => {
        const gi = inputGrads[i];
        if (e === null || gi === null || gi === undefined) return;
        if (e.node) addTo(pending, e.node, gi);
        else addTo(leafGrads, e.leaf, gi);
      });
      for (const gi of inputGrads) if (gi) discard(gi);
      letGo(incoming);
    }
    leafGrads.forEach((g, leaf) => {
      const hooked = applyHooks(leaf.leafHooks, g);
      if (capture !== null) {
        if (capture.has(leaf)) {
          escape(hooked);
          capture.set(leaf, hooked);
        }
      } else if (!opts.inputs || opts.inputs.includes(leaf)) {
        accumulate(leaf, hooked, createGraph);
      }
      letGo(g);
    });
  }));
}

/**
 * AccumulateGrad: the first gradient is stored (taken over when nothing else can see it,
 * copied otherwise, so that later in-place accumulation into one .grad never shows up
 * elsewhere), later ones are added (in place unless createGraph).
 */
function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean): void {
  const cur = gradOf(leaf);
  if (cur === null) {
    const shared = g.escaped || g.holds > 1 || g.storage.refs > 1 || !g.isContiguous();
    leaf.grad = shared ? (createGraph ? g.clone() : g.detach().clone()) : g;
  } else if (createGraph) {
    leaf.grad = cur.add(g);
  } else {
    cur.add_(g);
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
