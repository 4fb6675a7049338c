// Dropout, LayerNorm and Embedding.
import { Tensor } from "../../tensor/tensor.js";
import { Generator } from "../../tensor/random.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { withGradMode } from "../../autograd/mode.js";
import { assign_, Device } from "../../ops/convert.js";
import { DType } from "../../tensor/dtype.js";
import { bindArgs, checkCount, Rest } from "../../signature.js";
import { pyBool, pyFloat } from "../py-repr.js";
import { factoryDType, FactoryOptions } from "./linear.js";

type DropoutOptions = { p?: number; inplace?: boolean; generator?: Generator };

export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  readonly generator: Generator | undefined;
  constructor(...args: Rest<[p: number, inplace: boolean], DropoutOptions>) {
    super();
    const o = bindArgs<DropoutOptions>({ fn: "Dropout.__init__", positional: ["p", "inplace"], keywords: ["generator"] }, args);
    this.p = o.p ?? 0.5;
    this.inplace = o.inplace ?? false;
    this.generator = o.generator;
    if (typeof this.p !== "number" || !(this.p >= 0 && this.p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
  }
  forward(x: Tensor): Tensor {
    const y = F.dropout(x, this.p, this.training, this.generator);
    return this.inplace && y !== x ? assign_(x, y, "dropout_") : y;
  }
  extraRepr(): string {
    return `p=${Number.isInteger(this.p) ? this.p.toFixed(1) : this.p}, inplace=${pyBool(this.inplace)}`;
  }
}

interface LayerNormOptions extends FactoryOptions {
  eps?: number;
  elementwiseAffine?: boolean;
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  weight: Parameter | null;
  bias: Parameter | null;

  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | number[], ...args: Rest<[eps: number, elementwiseAffine: boolean, device: string | Device | null, dtype: DType | null], LayerNormOptions>) {
    super();
    const o = bindArgs<LayerNormOptions & { normalizedShape: number | number[] }>(
      { fn: "LayerNorm.__init__", positional: ["normalizedShape", "eps", "elementwiseAffine", "device", "dtype"], required: 1 },
      [normalizedShape, ...args],
    );
    this.normalizedShape = (typeof o.normalizedShape === "number" ? [o.normalizedShape] : [...o.normalizedShape]).map((d) => checkCount("LayerNorm.__init__", "normalizedShape", d));
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    const dtype = factoryDType(o);
    this.weight = this.elementwiseAffine ? new Parameter(init.ones_(Tensor.empty(this.normalizedShape, dtype))) : null;
    this.bias = this.elementwiseAffine ? new Parameter(Tensor.zeros(this.normalizedShape, dtype)) : null;
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  extraRepr(): string {
    const shape = `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${this.elementwiseAffine ? "True" : "False"}`;
  }
}

interface EmbeddingOptions extends FactoryOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  /** The initial weight, [numEmbeddings, embeddingDim] (PyTorch's `_weight`). */
  _weight?: Tensor | null;
}

export class Embedding extends Module {
  weight: Parameter;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;

  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    ...args: Rest<[paddingIdx: number | null, maxNorm: number | null, normType: number, scaleGradByFreq: boolean, sparse: boolean, _weight: Tensor | null, device: string | Device | null, dtype: DType | null], EmbeddingOptions>
  ) {
    super();
    const o = bindArgs<EmbeddingOptions & { numEmbeddings: number; embeddingDim: number }>(
      {
        fn: "Embedding.__init__",
        positional: ["numEmbeddings", "embeddingDim", "paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse", "_weight", "device", "dtype"],
        required: 2,
        keywords: ["generator"],
      },
      [numEmbeddings, embeddingDim, ...args],
    );
    for (const [name, set] of [["maxNorm", o.maxNorm != null], ["scaleGradByFreq", o.scaleGradByFreq === true], ["sparse", o.sparse === true]] as const) {
      if (set) throw new Error(`Embedding: ${name} is not supported by taimatsu`);
    }
    this.numEmbeddings = checkCount("Embedding.__init__", "numEmbeddings", o.numEmbeddings);
    this.embeddingDim = checkCount("Embedding.__init__", "embeddingDim", o.embeddingDim);
    const pad = o.paddingIdx ?? null;
    if (pad !== null && (pad >= this.numEmbeddings || pad < -this.numEmbeddings)) throw new RangeError("Padding_idx must be within num_embeddings");
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + this.numEmbeddings : pad;
    const dtype = factoryDType(o);
    if (o._weight) {
      if (o._weight.shape.length !== 2 || o._weight.shape[0] !== this.numEmbeddings || o._weight.shape[1] !== this.embeddingDim) {
        throw new Error("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(o._weight);
    } else {
      this.weight = new Parameter(init.normal_(Tensor.empty([this.numEmbeddings, this.embeddingDim], dtype), 0, 1, o.generator));
      if (this.paddingIdx !== null) withGradMode(false, () => this.weight.select(0, this.paddingIdx!).fill_(0));
    }
  }
  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx);
  }
  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`;
  }
}
