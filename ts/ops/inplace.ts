// Autograd of in-place writes, as PyTorch records them. A tensor overwritten in place takes a
// new history (the op's own node, or CopyBackwards when the new values do not come from the
// old ones). When the written tensor is a view, its base takes a CopySlices node (the gradient
// of the base's old values with the written region zeroed, and the region's gradient routed
// through the view's new history), and the view becomes an AsStridedBackward0 view of the
// base; other views of the base pick that up the next time autograd reads them.
import { Node } from "../autograd/node.js";
import { isGradEnabled } from "../autograd/mode.js";
import { numel } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { sumTo } from "./binary.js";
import { reshape } from "./movement.js";
import { indexAdd, indexSelect, maskedFill } from "./indexing.js";
import * as raw from "./raw.js";

/**
 * The flat positions, in the base's logical (row-major) order, of the view's elements in
 * the view's logical order: what connects the view's gradient to the base's.
 */
function positions(view: Tensor, base: Tensor): Int32Array {
  const n = view.numel();
  const out = new Int32Array(n);
  const baseIndex = baseIndexOf(base);
  const nd = view.dim();
  const idx = new Array<number>(nd).fill(0);
  let off = view.offset;
  for (let i = 0; i < n; i++) {
    out[i] = baseIndex(off);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += view.strides[d];
      if (idx[d] < view.shape[d]) break;
      off -= view.strides[d] * view.shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Storage offset → the base's flat logical index: arithmetic for a contiguous base, a table otherwise. */
function baseIndexOf(base: Tensor): (offset: number) => number {
  if (raw.isContiguous(base)) return (off) => off - base.offset;
  const table = new Map<number, number>();
  for (let i = 0; i < base.numel(); i++) table.set(storageOffset(base, i), i);
  return (off) => table.get(off)!;
}

function storageOffset(t: Tensor, flat: number): number {
  let off = t.offset;
  for (let d = t.dim() - 1; d >= 0; d--) {
    off += (flat % t.shape[d]) * t.strides[d];
    flat = Math.floor(flat / t.shape[d]);
  }
  return off;
}

const indexTensor = (p: Int32Array): Tensor => raw.fromValues(p, [p.length], "int64");

/** The base's gradient flowing into a view of it: the region picked out, in the view's shape. */
function region(gBase: Tensor, p: Int32Array, shape: readonly number[]): Tensor {
  return reshape(indexSelect(reshape(gBase, [-1]), 0, indexTensor(p)), [...shape]);
}

/** A view's gradient placed into zeros of the base's shape (summed where positions repeat). */
function scatter(gView: Tensor, p: Int32Array, baseShape: readonly number[]): Tensor {
  const zeros = Tensor.zeros([numel(baseShape)], gView.dtype);
  return reshape(indexAdd(zeros, 0, indexTensor(p), reshape(gView, [-1])), [...baseShape]);
}

/** The gradient of the base's old values: the written region receives none. */
function outsideRegion(gBase: Tensor, p: Int32Array): Tensor {
  const mask = new Uint8Array(gBase.numel());
  for (const i of p) mask[i] = 1;
  return maskedFill(gBase, raw.fromValues(mask, gBase.shape, "bool"), 0);
}

/** Gives `view` a fresh history as a view of its base's current history (AsStridedBackward0). */
export function refreshView(view: Tensor): void {
  const base = view.viewBase!;
  view.seenRebases = base.rebases;
  if (!base.requiresGrad) return;
  const p = positions(view, base);
  const shape = base.shape;
  view.setGradFn(new Node("AsStridedBackward0", [base], [], (g) => [scatter(g, p, shape)], view));
}

/**
 * Records that `t`, just written in place, holds values whose history is `node` (null when
 * nothing involved requires grad, or outside grad mode: then nothing is recorded).
 */
export function rebase(t: Tensor, node: Node | null): void {
  if (node === null || !isGradEnabled()) return;
  const base = t.viewBase;
  // t's history is `node` now, whatever other views wrote into the base before
  if (base !== null) t.seenRebases = base.rebases;
  t.setGradFn(node);
  if (base === null) return;
  const p = positions(t, base);
  const shape = t.shape;
  // inputs: the base's old history and (through t, for now) the region's new values
  base.setGradFn(new Node("CopySlices", [base, t], [], (g) => [outsideRegion(g, p), region(g, p, shape)], base));
  base.rebases++;
  refreshView(t);
}

/**
 * The history of values written over t's without depending on them (copy_, fill_): the old
 * values get a zero gradient, `source` (broadcast into t) the gradient summed back to its shape.
 * Null when neither requires grad.
 */
export function overwriteNode(t: Tensor, source: Tensor | null, name: string): Node | null {
  if (!isGradEnabled() || !(t.requiresGrad || (source?.requiresGrad ?? false))) return null;
  const inputs = source === null ? [t] : [t, source];
  return new Node(name, inputs, [], (g) => [Tensor.zeros(g.shape, g.dtype), ...(source === null ? [] : [sumTo(g, source.shape).to(source.dtype)])], t);
}
