// torchvision.models.alexnet: its layers, names (features.0, classifier.1, …) and default
// initialisation (no custom init), so a seed gives torchvision's weights.
import { Module } from "../../nn/module.js";
import { AdaptiveAvgPool2d, Conv2d, MaxPool2d } from "../../nn/layers/conv.js";
import { Sequential } from "../../nn/layers/container.js";
import { ReLU } from "../../nn/layers/activation.js";
import { Linear } from "../../nn/layers/linear.js";
import { Dropout } from "../../nn/layers/regularization.js";
import { Tensor } from "../../tensor/tensor.js";
import { noPretrainedWeights, type ModelOptions } from "./options.js";

export class AlexNet extends Module {
  readonly features: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly classifier: Sequential;
  constructor(numClasses = 1000, dropout = 0.5) {
    super();
    this.features = new Sequential(
      new Conv2d(3, 64, 11, { stride: 4, padding: 2 }), new ReLU(true), new MaxPool2d(3, { stride: 2 }),
      new Conv2d(64, 192, 5, { padding: 2 }), new ReLU(true), new MaxPool2d(3, { stride: 2 }),
      new Conv2d(192, 384, 3, { padding: 1 }), new ReLU(true),
      new Conv2d(384, 256, 3, { padding: 1 }), new ReLU(true),
      new Conv2d(256, 256, 3, { padding: 1 }), new ReLU(true),
      new MaxPool2d(3, { stride: 2 }),
    );
    this.avgpool = new AdaptiveAvgPool2d([6, 6]);
    this.classifier = new Sequential(
      new Dropout(dropout), new Linear(256 * 6 * 6, 4096), new ReLU(true),
      new Dropout(dropout), new Linear(4096, 4096), new ReLU(true),
      new Linear(4096, numClasses),
    );
  }
  forward(x: Tensor): Tensor {
    return this.classifier(this.avgpool(this.features(x)).flatten(1));
  }
}

/** torchvision.models.alexnet: 61 M parameters with 1000 classes. */
export function alexnet(opts: ModelOptions & { dropout?: number } = {}): AlexNet {
  noPretrainedWeights("alexnet", opts);
  return new AlexNet(opts.numClasses ?? 1000, opts.dropout ?? 0.5);
}
