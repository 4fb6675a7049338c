// torchvision.models.resnet18 / resnet34: torchvision's ResNet with BasicBlocks, its module
// names (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc, …) so a torchvision state_dict
// loads as it is, and its initialisation in its order: every layer built (drawing its default
// init, each block's downsample before the block), then kaiming_normal_(fan_out, relu) for the
// convolutions in module order and ones/zeros for the BatchNorms — so a seed gives
// torchvision's weights.
import { Module } from "../../nn/module.js";
import { BatchNorm2d } from "../../nn/layers/batchnorm.js";
import { AdaptiveAvgPool2d, Conv2d, MaxPool2d } from "../../nn/layers/conv.js";
import { Sequential } from "../../nn/layers/container.js";
import { ReLU } from "../../nn/layers/activation.js";
import { Linear } from "../../nn/layers/linear.js";
import { constant_, kaimingNormal_ } from "../../nn/init.js";
import { Tensor } from "../../tensor/tensor.js";
import { noPretrainedWeights, type ModelOptions } from "./options.js";

/** torchvision's BasicBlock: two 3×3 convolutions and a shortcut (downsampled where the shape changes). */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;
  constructor(inplanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = new Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(planes);
    this.relu = new ReLU(true);
    this.conv2 = new Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }
  forward(x: Tensor): Tensor {
    const out = this.bn2(this.conv2(this.relu(this.bn1(this.conv1(x)))));
    const identity = this.downsample === null ? x : this.downsample(x);
    return this.relu(out.add(identity));
  }
}

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly maxpool: MaxPool2d;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;
  private inplanes = 64;

  constructor(layers: readonly [number, number, number, number], numClasses = 1000, zeroInitResidual = false) {
    super();
    this.conv1 = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(64);
    this.relu = new ReLU(true);
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this.makeLayer(64, layers[0]);
    this.layer2 = this.makeLayer(128, layers[1], 2);
    this.layer3 = this.makeLayer(256, layers[2], 2);
    this.layer4 = this.makeLayer(512, layers[3], 2);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.fc = new Linear(512 * BasicBlock.expansion, numClasses);
    for (const m of this.modules()) {
      if (m instanceof Conv2d) kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
      else if (m instanceof BatchNorm2d) {
        constant_(m.weight!, 1);
        constant_(m.bias!, 0);
      }
    }
    if (zeroInitResidual) for (const m of this.modules()) if (m instanceof BasicBlock) constant_(m.bn2.weight!, 0);
  }

  private makeLayer(planes: number, blocks: number, stride = 1): Sequential {
    const downsample =
      stride !== 1 || this.inplanes !== planes * BasicBlock.expansion
        ? new Sequential(new Conv2d(this.inplanes, planes * BasicBlock.expansion, 1, { stride, bias: false }), new BatchNorm2d(planes * BasicBlock.expansion))
        : null;
    const layers = [new BasicBlock(this.inplanes, planes, stride, downsample)];
    this.inplanes = planes * BasicBlock.expansion;
    for (let k = 1; k < blocks; k++) layers.push(new BasicBlock(this.inplanes, planes));
    return new Sequential(...layers);
  }

  forward(x: Tensor): Tensor {
    const stem = this.maxpool(this.relu(this.bn1(this.conv1(x))));
    const features = this.layer4(this.layer3(this.layer2(this.layer1(stem))));
    return this.fc(this.avgpool(features).flatten(1));
  }
}

/** torchvision.models.resnet18: BasicBlocks [2, 2, 2, 2], 11.7 M parameters with 1000 classes. */
export function resnet18(opts: ModelOptions & { zeroInitResidual?: boolean } = {}): ResNet {
  noPretrainedWeights("resnet18", opts);
  return new ResNet([2, 2, 2, 2], opts.numClasses ?? 1000, opts.zeroInitResidual ?? false);
}

/** torchvision.models.resnet34: BasicBlocks [3, 4, 6, 3]. */
export function resnet34(opts: ModelOptions & { zeroInitResidual?: boolean } = {}): ResNet {
  noPretrainedWeights("resnet34", opts);
  return new ResNet([3, 4, 6, 3], opts.numClasses ?? 1000, opts.zeroInitResidual ?? false);
}
