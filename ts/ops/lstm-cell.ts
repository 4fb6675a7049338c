// The LSTM cell as one op (PyTorch's CPU cells are fused the same way): gate pre-activations
// [N, 4H] (i, f, g, o; both projections and biases summed) and the previous cell state [N, H]
// give [h' | c'] as one [N, 2H] tensor whose halves the caller narrows. One graph node per step
// instead of a dozen. Its backward is a kernel too; when the backward itself is recorded
// (createGraph), the same formulas run as ops on activations recomputed from the inputs, so
// gradients of every order stay exact.
import { record } from "../autograd/node.js";
import { isGradEnabled } from "../autograd/mode.js";
import { kernel } from "../backend/wasm.js";
import { Tensor } from "../tensor/tensor.js";
import { cat } from "./movement.js";
import * as raw from "./raw.js";

/** [h' | c'] from float32 gate pre-activations [N, 4H] and the cell state [N, H]. */
export function lstmCell(gates: Tensor, c: Tensor): Tensor {
  const [n, h] = c.shape;
  const g = raw.contiguous(gates);
  const cPrev = raw.contiguous(c);
  raw.use("lstm_cell", g, cPrev);
  const act = Tensor.empty([n, 4 * h], "float32");
  const out = Tensor.empty([n, 2 * h], "float32");
  kernel("lstm_cell_f32")(raw.bytePtr(g), raw.bytePtr(cPrev), raw.bytePtr(act), raw.bytePtr(out), n, h);
  // the inputs themselves are saved, not contiguous copies, which would cut the graph that
  // the createGraph form differentiates through
  return record("LstmCellBackward0", [gates, c], out, [gates, c, act, out], (grad, [gs, cs, a, o]) => {
    if (isGradEnabled()) return backwardAsOps(grad, gs, cs, h);
    const gr = raw.contiguous(grad);
    const cPrev = raw.contiguous(cs);
    raw.use("lstm_cell_backward", a, cPrev, o, gr);
    const dGates = Tensor.empty([n, 4 * h], "float32");
    const dC = Tensor.empty([n, h], "float32");
    kernel("lstm_cell_backward_f32")(raw.bytePtr(a), raw.bytePtr(cPrev), raw.bytePtr(o), raw.bytePtr(gr), raw.bytePtr(dGates), raw.bytePtr(dC), n, h);
    return [dGates, dC];
  });
}

/** The kernel's backward as differentiable ops of the cell's inputs. */
function backwardAsOps(grad: Tensor, gates: Tensor, c: Tensor, h: number): Tensor[] {
  const [i, f, g, o] = gates.chunk(4, 1).map((t, k) => (k === 2 ? t.tanh() : t.sigmoid()));
  const cNew = f.mul(c).add(i.mul(g));
  const tc = cNew.tanh();
  const [dh, dcNew] = [grad.narrow(1, 0, h), grad.narrow(1, h, h)];
  const dc = dcNew.add(dh.mul(o).mul(tc.square().neg().add(1)));
  const dGates = cat([dc.mul(g).mul(i).mul(i.neg().add(1)), dc.mul(c).mul(f).mul(f.neg().add(1)), dc.mul(i).mul(g.square().neg().add(1)), dh.mul(tc).mul(o).mul(o.neg().add(1))], 1);
  return [dGates, dc.mul(f)];
}
