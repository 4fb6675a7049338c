// LeNet as PyTorch's "Training a classifier" (CIFAR-10) tutorial writes it — torchvision has no
// LeNet — with the tutorial's names (conv1, pool, conv2, fc1, fc2, fc3), for 3×32×32 images.
import { Module } from "../../nn/module.js";
import { Conv2d, MaxPool2d } from "../../nn/layers/conv.js";
import { Linear } from "../../nn/layers/linear.js";
import { Tensor } from "../../tensor/tensor.js";

export class LeNet extends Module {
  readonly conv1: Conv2d;
  readonly pool: MaxPool2d;
  readonly conv2: Conv2d;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly fc3: Linear;
  constructor(numClasses = 10) {
    super();
    this.conv1 = new Conv2d(3, 6, 5);
    this.pool = new MaxPool2d(2, 2);
    this.conv2 = new Conv2d(6, 16, 5);
    this.fc1 = new Linear(16 * 5 * 5, 120);
    this.fc2 = new Linear(120, 84);
    this.fc3 = new Linear(84, numClasses);
  }
  forward(x: Tensor): Tensor {
    const features = this.pool(this.conv2(this.pool(this.conv1(x).relu())).relu());
    return this.fc3(this.fc2(this.fc1(features.flatten(1)).relu()).relu());
  }
}
