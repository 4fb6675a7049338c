// torch.utils.data.datasets: the bundled digits, and readers for MNIST-style and CIFAR-10 files.
export { loadDigits } from "./digits.js";
export type { DigitsBunch } from "./digits.js";
export { MNIST, FashionMNIST, CIFAR10, ImageDataset, mnistFromBytes, cifar10FromBytes, parseIdx } from "./vision.js";
export type { ImageDatasetOptions } from "./vision.js";
