// RNN, LSTM and GRU as PyTorch defines them: parameters named weight_ih_l{k}[_reverse] etc.
// (so state dicts move to and from PyTorch), U(±1/√hidden) initialisation in parameter order
// (so a seed gives PyTorch's weights), stacked layers with dropout between them, both
// directions, batchFirst and unbatched input. The input projection of all steps is one matmul;
// a step of a float32 LSTM is one addmm and one fused cell op (ts/ops/lstm-cell.ts), other
// steps are tensor ops. Gradients of every order come from autograd.
import { Tensor } from "../../tensor/tensor.js";
import { Generator } from "../../tensor/random.js";
import { fmtShape } from "../../tensor/shape.js";
import { cat, stack } from "../../ops/movement.js";
import { addmm } from "../../ops/matmul.js";
import { lstmCell } from "../../ops/lstm-cell.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Device } from "../../ops/convert.js";
import { DType } from "../../tensor/dtype.js";
import { bindArgs, checkCount, Rest } from "../../signature.js";
import { factoryDType, FactoryOptions } from "./linear.js";

export interface RNNOptions extends FactoryOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** Dropout on the outputs of each layer but the last, while training. */
  dropout?: number;
  bidirectional?: boolean;
  /** LSTM only; taimatsu supports 0 (no projection). */
  projSize?: number;
}

type RNNRest<O> = Rest<[numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean, projSize: number, device: string | Device | null, dtype: DType | null], O>;
const RNN_ARGS = ["inputSize", "hiddenSize", "numLayers", "bias", "batchFirst", "dropout", "bidirectional", "projSize", "device", "dtype"];
type Bound = RNNOptions & { inputSize: number; hiddenSize: number; nonlinearity?: "tanh" | "relu" };

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";
const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** One layer and direction's weights. */
interface Cell {
  wih: Tensor;
  whh: Tensor;
  bih: Tensor | null;
  bhh: Tensor | null;
}

abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  constructor(private readonly mode: Mode, opts: Bound) {
    super();
    const fn = `${mode === "LSTM" || mode === "GRU" ? mode : "RNN"}.__init__`;
    this.inputSize = checkCount(fn, "inputSize", opts.inputSize);
    this.hiddenSize = checkCount(fn, "hiddenSize", opts.hiddenSize, 1);
    checkCount(fn, "numLayers", opts.numLayers ?? 1, 1);
    const { inputSize, hiddenSize } = opts;
    if ((opts.projSize ?? 0) !== 0) throw new Error(`${mode === "LSTM" ? "LSTM: projSize is not supported by taimatsu" : "proj_size argument is only supported for LSTM, not RNN or GRU"}`);
    const dtype = factoryDType(opts);
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    if (this.dropout < 0 || this.dropout > 1) throw new RangeError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    const gates = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d === 1 ? "_reverse" : ""}`;
        const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
        this.registerParameter(`weight_ih${suffix}`, new Parameter(Tensor.empty([gates, inSize], dtype)));
        this.registerParameter(`weight_hh${suffix}`, new Parameter(Tensor.empty([gates, hiddenSize], dtype)));
        if (this.bias) {
          this.registerParameter(`bias_ih${suffix}`, new Parameter(Tensor.empty([gates], dtype)));
          this.registerParameter(`bias_hh${suffix}`, new Parameter(Tensor.empty([gates], dtype)));
        }
      }
    }
    this.resetParameters(opts.generator);
  }

  resetParameters(generator?: Generator): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv, generator);
  }

  private cell(layer: number, reverse: boolean): Cell {
    const p = this as unknown as Record<string, Tensor | null>;
    const suffix = `_l${layer}${reverse ? "_reverse" : ""}`;
    return { wih: p[`weight_ih${suffix}`]!, whh: p[`weight_hh${suffix}`]!, bih: p[`bias_ih${suffix}`] ?? null, bhh: p[`bias_hh${suffix}`] ?? null };
  }

  /** Runs the stack over (L, N, Hin) input from initial states [num_layers·dirs, N, H] (c too for LSTM). */
  protected run(x: Tensor, h0: Tensor, c0: Tensor | null): { output: Tensor; hn: Tensor; cn: Tensor | null } {
    const dirs = this.bidirectional ? 2 : 1;
    const hns: Tensor[] = [];
    const cns: Tensor[] = [];
    let input = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const k = layer * dirs + d;
        const r = this.direction(input, this.cell(layer, d === 1), d === 1, h0.select(0, k), c0?.select(0, k) ?? null);
        outs.push(r.output);
        hns.push(r.h);
        if (r.c) cns.push(r.c);
      }
      input = dirs === 1 ? outs[0] : cat(outs, 2);
      if (layer < this.numLayers - 1 && this.dropout > 0) input = F.dropout(input, this.dropout, this.training);
    }
    return { output: input, hn: stack(hns, 0), cn: c0 ? stack(cns, 0) : null };
  }

  /** One layer in one direction: the input projection of all steps at once, then the recurrence. */
  private direction(x: Tensor, w: Cell, reverse: boolean, h0: Tensor, c0: Tensor | null): { output: Tensor; h: Tensor; c: Tensor | null } {
    const [len, n] = x.shape;
    const hidden = this.hiddenSize;
    // a float32 LSTM runs its cell as one fused op, with both biases in the input projection
    const fusedCell = this.mode === "LSTM" && x.dtype === "float32";
    let projected = x.reshape([len * n, -1]).matmul(w.wih.t());
    if (w.bih) projected = projected.add(w.bih);
    if (fusedCell && w.bhh) projected = projected.add(w.bhh);
    const steps = projected.reshape([len, n, -1]);
    const whhT = w.whh.t();
    let h = h0;
    let c = c0;
    const outputs = new Array<Tensor>(len);
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      const gi = steps.select(0, t);
      if (fusedCell) {
        const hc = lstmCell(addmm(gi, h, whhT), c!);
        [h, c] = [hc.narrow(1, 0, hidden), hc.narrow(1, hidden, hidden)];
      } else {
        let gh = h.matmul(whhT);
        if (w.bhh) gh = gh.add(w.bhh);
        [h, c] = this.step(gi, gh, h, c);
      }
      outputs[t] = h;
    }
    return { output: stack(outputs, 0), h, c };
  }

  /** One time step from the input and hidden projections (biases included). */
  private step(gi: Tensor, gh: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] {
    switch (this.mode) {
      case "RNN_TANH":
        return [gi.add(gh).tanh(), null];
      case "RNN_RELU":
        return [gi.add(gh).relu(), null];
      case "LSTM": {
        const [i, f, g, o] = gi.add(gh).chunk(4, 1);
        const cNext = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
        return [o.sigmoid().mul(cNext.tanh()), cNext];
      }
      case "GRU": {
        const [ir, iz, inn] = gi.chunk(3, 1);
        const [hr, hz, hn] = gh.chunk(3, 1);
        const r = ir.add(hr).sigmoid();
        const z = iz.add(hz).sigmoid();
        const nn = inn.add(r.mul(hn)).tanh();
        return [nn.sub(z.mul(nn)).add(z.mul(h)), null];
      }
    }
  }

  /** (L, N, H) in time-major layout, with PyTorch's checks; `unbatched` for (L, Hin) input. */
  protected prepare(input: Tensor, hx: Tensor | null): { x: Tensor; h0: Tensor; unbatched: boolean } {
    if (input.dim() !== 2 && input.dim() !== 3) throw new Error(`${this.constructor.name}: Expected input to be 2D or 3D, got ${input.dim()}D instead`);
    if (input.shape[input.dim() - 1] !== this.inputSize) {
      throw new Error(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.dim() - 1]}`);
    }
    const unbatched = input.dim() === 2;
    const x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const states = this.numLayers * (this.bidirectional ? 2 : 1);
    const expected = [states, x.shape[1], this.hiddenSize];
    return { x, h0: this.initialState(hx, expected, unbatched, "hidden", input.dtype), unbatched };
  }

  /** The given initial state, checked, or zeros of the input's dtype. */
  protected initialState(given: Tensor | null, expected: number[], unbatched: boolean, what: string, dtype: DType): Tensor {
    if (given === null) return Tensor.zeros(expected, dtype);
    const s = unbatched ? given.unsqueeze(1) : given;
    if (s.shape.join() !== expected.join()) {
      throw new Error(`Expected ${what} size (${expected.join(", ")}), got ${fmtShape(unbatched ? given.shape : s.shape)}`);
    }
    return s;
  }

  /** Back to the caller's layout. */
  protected finish(output: Tensor, unbatched: boolean): Tensor {
    return unbatched ? output.squeeze(1) : this.batchFirst ? output.transpose(0, 1) : output;
  }

  extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

/** Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu). Returns [output, h_n]. */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, ...args: Rest<[numLayers: number, nonlinearity: "tanh" | "relu", bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean, projSize: number, device: string | Device | null, dtype: DType | null], RNNOptions & { nonlinearity?: "tanh" | "relu" }>) {
    const o = bindArgs<Bound>({ fn: "RNN.__init__", positional: [...RNN_ARGS.slice(0, 3), "nonlinearity", ...RNN_ARGS.slice(3)], required: 2, keywords: ["generator"] }, [inputSize, hiddenSize, ...args]);
    const nonlinearity = o.nonlinearity ?? "tanh";
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new Error(`Unknown nonlinearity '${nonlinearity}'`);
    super(nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", o);
  }
  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const { x, h0, unbatched } = this.prepare(input, hx);
    const { output, hn } = this.run(x, h0, null);
    return [this.finish(output, unbatched), unbatched ? hn.squeeze(1) : hn];
  }
}

/** LSTM with PyTorch's gate order (input, forget, cell, output). Returns [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, ...args: RNNRest<RNNOptions>) {
    super("LSTM", bindArgs<Bound>({ fn: "LSTM.__init__", positional: RNN_ARGS, required: 2, keywords: ["generator"] }, [inputSize, hiddenSize, ...args]));
  }
  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const { x, h0, unbatched } = this.prepare(input, hx?.[0] ?? null);
    const c0 = this.initialState(hx?.[1] ?? null, [...h0.shape], unbatched, "cell", input.dtype);
    const { output, hn, cn } = this.run(x, h0, c0);
    const squeeze = (t: Tensor): Tensor => (unbatched ? t.squeeze(1) : t);
    return [this.finish(output, unbatched), [squeeze(hn), squeeze(cn!)]];
  }
}

/** GRU with PyTorch's gate order (reset, update, new); the reset gate scales W_hn h + b_hn. Returns [output, h_n]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, ...args: RNNRest<RNNOptions>) {
    super("GRU", bindArgs<Bound>({ fn: "GRU.__init__", positional: RNN_ARGS, required: 2, keywords: ["generator"] }, [inputSize, hiddenSize, ...args]));
  }
  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const { x, h0, unbatched } = this.prepare(input, hx);
    const { output, hn } = this.run(x, h0, null);
    return [this.finish(output, unbatched), unbatched ? hn.squeeze(1) : hn];
  }
}
