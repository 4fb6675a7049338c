// torch.vision.models: torchvision's model builders (random init only: no downloads).
import { registerLibraryModules } from "../../nn/module.js";
import { AlexNet, alexnet } from "./alexnet.js";
import { LeNet } from "./lenet.js";
import { BasicBlock, ResNet, resnet18, resnet34 } from "./resnet.js";

export { AlexNet, alexnet, LeNet, BasicBlock, ResNet, resnet18, resnet34 };
export type { ModelOptions } from "./options.js";

// their forwards are the library's: what they compute inside is freed as they return
registerLibraryModules({ AlexNet, LeNet, BasicBlock, ResNet });
