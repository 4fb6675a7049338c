// Dropout, LayerNorm and Embedding.
import { Tensor } from "../../tensor/tensor.js";
import { Generator } from "../../tensor/random.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { withGradMode } from "../../autograd/mode.js";

export class Dropout extends Module {
  constructor(readonly p = 0.5, readonly generator?: Generator) {
    super();
    if (p < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training, this.generator);
  }
  extraRepr(): string {
    return `p=${Number.isInteger(this.p) ? this.p.toFixed(1) : this.p}, inplace=False`;
  }
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | number[], readonly eps = 1e-5, readonly elementwiseAffine = true) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    this.weight = elementwiseAffine ? new Parameter(init.ones_(Tensor.empty(this.normalizedShape))) : null;
    this.bias = elementwiseAffine ? new Parameter(Tensor.zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  extraRepr(): string {
    const shape = `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""})`;
    return `${shape}, eps=${this.eps.toExponential().replace(/e([+-])(\d)$/, "e$10$2")}, elementwise_affine=${this.elementwiseAffine ? "True" : "False"}`;
  }
}

export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: { paddingIdx?: number | null; generator?: Generator } = {}) {
    super();
    const pad = opts.paddingIdx ?? null;
    if (pad !== null && (pad >= numEmbeddings || pad < -numEmbeddings)) throw new RangeError("Padding_idx must be within num_embeddings");
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = new Parameter(init.normal_(Tensor.empty([numEmbeddings, embeddingDim]), 0, 1, opts.generator));
    if (this.paddingIdx !== null) withGradMode(false, () => this.weight.select(0, this.paddingIdx!).fill_(0));
  }
  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx);
  }
  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`;
  }
}
