// torch.vision.datasets, where torchvision keeps them: the file readers of torch.utils.data.datasets and ImageFolder.
export { MNIST, FashionMNIST, CIFAR10 } from "../data/datasets/vision.js";
export { ImageFolder } from "./folder.js";
export type { ImageFolderOptions } from "./folder.js";
